"""Every custom action the domain names is one the action server actually registers."""

from rasa_sdk.executor import ActionExecutor

from bot.rasa.project import load_domain


def test_the_action_server_registers_every_action_of_the_domain():
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(load_domain()["actions"]) <= set(executor.actions)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_custom_action_is_named_action_verb_noun():
    # "ActionAnswerEvents", "ActionAskBeforeCancelling": what it does, to what (issue 16).
    import re

    from rasa_sdk import Action

    ActionExecutor().register_package("actions")
    ours = {cls.__name__ for cls in _subclasses(Action) if cls.__module__.startswith("actions.")}
    assert ours, "no action of the line was found"
    assert sorted(n for n in ours if not re.fullmatch(r"Action[A-Z][a-z]+[A-Z]\w*", n)) == []
