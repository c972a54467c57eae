"""The guard as the Rasa server runs it: a pipeline step that turns an unsure sign-up or cancel
reading into nlu_fallback, keeping the model's readings for the did-you-mean to offer."""

from rasa.shared.nlu.training_data.message import Message

from bot.rasa.intent_guard_step import DataChangeGuard


def _message(*ranking):
    readings = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": "x", "intent": dict(readings[0]), "intent_ranking": readings})


def _guard():
    return DataChangeGuard({**DataChangeGuard.get_default_config(), "threshold": 0.8})


def test_an_unsure_cancel_becomes_a_did_you_mean_with_both_readings():
    (message,) = _guard().process(
        [_message(("cancel_registration", 0.55), ("check_registration", 0.4))]
    )
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 0.55}
    assert [r["name"] for r in message.get("intent_ranking")] == [
        "nlu_fallback",
        "cancel_registration",
        "check_registration",
    ]


def test_a_sure_sign_up_and_other_intents_pass_untouched():
    sure = _message(("register_parent_college", 0.95), ("ask_parent_college", 0.03))
    unsure_question = _message(("ask_events", 0.5), ("ask_programs", 0.4))
    already_fallback = _message(("nlu_fallback", 0.6), ("cancel_registration", 0.3))
    for message in (sure, unsure_question, already_fallback):
        before = message.get("intent")
        (after,) = _guard().process([message])
        assert after.get("intent") == before
