"""Every custom action the domain names is one the action server actually registers."""

from rasa_sdk.executor import ActionExecutor

from tests.support.rasa_domain import load_domain


def test_the_action_server_registers_every_action_of_the_domain():
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(load_domain()["actions"]) <= set(executor.actions)
