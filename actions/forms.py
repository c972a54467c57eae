"""What every form validator shares: the family's language, the raw text it answered with, one way
to turn an unreadable answer into a short re-prompt in that language (the form then asks its
question again), and letting go: after two messages in a row that do not answer it (an answer it
cannot read, or a question answered on the side), the form ends kindly instead of asking a third
time, so its question is never stuck onto an unrelated reply more than once."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.text.languages import LANGUAGES


def language_of(tracker: Tracker) -> str:
    language = tracker.get_slot("language")
    return language if language in LANGUAGES else "es"


def answer_text(tracker: Tracker, value: Any) -> str:
    """What the family typed. A from_text slot already holds it; a from_entity slot holds only the
    entity, so the message itself is read for context."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return str(tracker.latest_message.get("text") or "").strip()


def school_candidates(value: Any, tracker: Tracker) -> list[str]:
    """What may name the school: the slot's value, then every school the model marked in the
    message ("a school bus to jordan from our street" marks "jordan" and "street"), then the whole
    message, where a school's name may sit unmarked ("Rosa Canales, mi hijo va en la 99 street":
    the model marked "Canales")."""
    marked = [str(v) for v in tracker.get_latest_entity_values("school")]
    first = [str(value)] if value else []
    whole = [str(tracker.latest_message.get("text") or "")]
    return [c for c in dict.fromkeys(first + marked + whole) if c.strip()]


# Messages in a row that do not answer the form before it lets go.
MISSES_BEFORE_LETTING_GO = 2

# The actions after which the form asks again without that counting as a message that did not
# answer it: a change of language is the family asking to be asked again in its language.
# "¿Ya quedé?" halfway through asks about the sign-up itself, which is not done yet.
ASKS_AGAIN_FREELY = frozenset({"utter_language_changed", "action_check_registration"})


def _answered_since_the_message(tracker: Tracker) -> str | None:
    """The action that answered the family's latest message before the form ran, if any. Rasa
    calls a form's validator with the form's own run added last, so that one is skipped."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return None
        name = event.get("name") if event.get("event") == "action" else None
        if name and name not in ("action_listen", tracker.active_loop_name):
            return name
    return None


def back_after_aside(tracker: Tracker, asked: str | None) -> bool:
    """The form runs again right after one of its rules answered something else the family sent
    ("¿hay eventos?" in the middle of a sign-up): that message was not an answer. Rasa runs the
    validator then too, with nothing to validate, to learn which slot to ask for next."""
    aside = _answered_since_the_message(tracker)
    return (
        asked is not None
        and aside is not None
        and aside not in ASKS_AGAIN_FREELY
        and not _set_since_the_message(tracker, asked)
    )


def _set_since_the_message(tracker: Tracker, slot: str) -> bool:
    """An action after the family's message set the slot the form asked for: it passed the
    message on as the answer (ActionAnswerAside in actions/sign_up_questions.py): no aside."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == slot:
            return True
    return False


def misses_after(tracker: Tracker, asked: str | None, events: list[dict]) -> float | None:
    """The form's count of messages in a row that did not answer it, after this turn; None when
    this turn leaves it alone.

    `asked` is the slot the form had asked for before this turn. An answer that fills it resets
    the count; one its validator rejected (it sets the slot to None: `reject`) adds one, and so
    does a question the validator answered on the side (it sets form_misses itself), or one a
    rule answered before the form came back. A message no slot mapping took ("¿hay eventos?") is
    left alone on its own turn: Rasa then steps the form aside so a rule can answer it, and any
    event added here would stop that; it is counted when the form comes back."""
    if back_after_aside(tracker, asked):
        return float(tracker.get_slot("form_misses") or 0) + 1
    counted = [
        e.get("value")
        for e in events
        if e.get("event") == "slot" and e.get("name") == "form_misses"
    ]
    if counted:
        return float(counted[-1] or 0)  # the validator kept the count itself
    values = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == asked]
    if asked is None or not values:
        return None
    if values[-1] is not None:
        return 0.0
    return float(tracker.get_slot("form_misses") or 0) + 1


def answered_aside(tracker: Tracker, asked: str | None, events: list[dict]) -> bool:
    """This turn's replies answer a question the family asked (not "please write it like…"), so
    they stay when the form lets go."""
    return back_after_aside(tracker, asked) or any(
        e.get("event") == "slot" and e.get("name") == "form_misses" for e in events
    )


class ActionValidateFamilyForm(FormValidationAction):
    """Base for the forms' validators. Subclasses implement validate_<slot> methods that call
    `self.reject` when an answer cannot be read, and name the response that says goodbye to a
    form that lets go (`let_go_response`; None when the action after the form says it)."""

    let_go_response: str | None = None

    async def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        # Read before the run: it updates the tracker's slots with the next slot to ask for.
        asked = tracker.get_slot("requested_slot") if tracker.active_loop else None
        events = await super().run(dispatcher, tracker, domain)
        if any(
            e.get("event") == "slot" and e.get("name") == "form_let_go" and e.get("value")
            for e in events
        ):
            # The validator answered what the family needs without the slot and ended the form
            # itself ("ritter", a school the line does not have, for a sick child): no goodbye.
            return [*events, SlotSet("requested_slot", None), SlotSet("form_misses", 0.0)]
        misses = misses_after(tracker, asked, events)
        if misses is None:
            return events
        if misses < MISSES_BEFORE_LETTING_GO:
            return [*events, SlotSet("form_misses", misses), SlotSet("form_let_go", False)]
        # Two in a row: stop asking. What the validator just said ("please write it like…")
        # would ask again, so it is dropped; an answer to the family's question stays. The form
        # ends (Rasa ends a form whose requested slot is set to None) and the action its "form
        # done" rule runs next knows it let go.
        if not answered_aside(tracker, asked, events):
            dispatcher.messages.clear()
        if self.let_go_response:
            dispatcher.utter_message(response=self.let_go_response)
        return [
            *events,
            SlotSet("requested_slot", None),
            SlotSet("form_misses", 0.0),
            SlotSet("form_let_go", True),
        ]

    # Abstract, so rasa_sdk does not register this base class as an action of its own.
    @abstractmethod
    def name(self) -> str:
        """Each form's validator is named validate_<form>."""

    @staticmethod
    def reject(
        dispatcher: CollectingDispatcher, slot: str, response: str, **fill: Any
    ) -> dict[str, Any]:
        """Say why the answer did not work; the form asks for `slot` again right after."""
        dispatcher.utter_message(response=response, **fill)
        return {slot: None}
