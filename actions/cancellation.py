"""Cancelling a Parent College seat by text, only on a clear yes.

A family that asks to cancel is first asked about the exact seat ("¿Seguro que quiere cancelar su
lugar del 16 de enero…? Responda SÍ o NO"); the registration's id waits in `cancel_pending`. The
next message is read by action_take_cancel_answer (dialogue/registration.yml routes it
there only right after the question): yes cancels that seat, no keeps it, anything else asks once
more. A misread message can therefore never cancel a seat by itself."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.models import Registration
from bot.parent_college.registrations import active_registrations, cancel, find_contact
from bot.reading.answers import read_yes_no

from .data import db_session
from .forms import language_of
from .sessions import session_label

PENDING = "cancel_pending"


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _ask(dispatcher: CollectingDispatcher, tracker: Tracker, retry: bool = False) -> list:
    """Names the family's next seat and asks to confirm; remembers which seat was asked about."""
    language = language_of(tracker)
    with db_session() as session:
        contact = find_contact(session, tracker.sender_id)
        registrations = active_registrations(session, contact) if contact else []
        if not registrations:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
            return [SlotSet(PENDING, None)]
        registration = registrations[0]
        response = "utter_ask_cancel_again" if retry else "utter_ask_cancel"
        dispatcher.utter_message(
            response=response, session=session_label(registration.session, language)
        )
        return [SlotSet(PENDING, float(registration.id))]


class ActionAskBeforeCancelling(Action):
    """ "cancel my spot": ask about the exact seat first, never cancel here."""

    def name(self) -> str:
        return "action_ask_before_cancelling"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        return _ask(dispatcher, tracker)


class ActionTakeCancelAnswer(Action):
    """The family's answer to "¿Seguro que quiere cancelar…?"."""

    def name(self) -> str:
        return "action_take_cancel_answer"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        pending = tracker.get_slot(PENDING)
        intent = _intent(tracker)
        if pending is None:
            return _answer_without_question(dispatcher, tracker, intent)
        text = str(tracker.latest_message.get("text") or "")
        said = read_yes_no(text)
        if said is None and intent in ("affirm", "deny"):
            said = intent == "affirm"
        if said is None:
            # "cancela" again, a date, a word the model could not read: ask once more, plainly.
            return _ask(dispatcher, tracker, retry=True)
        return _settle(dispatcher, tracker, int(pending), cancelling=said)


def _answer_without_question(dispatcher, tracker, intent: str | None) -> list:
    """Nothing is waiting for a yes (already cancelled, kept, or nothing to cancel)."""
    if intent == "cancel_registration":
        return _ask(dispatcher, tracker)
    response = {
        "affirm": "utter_anything_else",
        "deny": "utter_ok_no_worries",
        "nlu_fallback": "utter_default",
    }.get(intent or "", "utter_anything_else")
    dispatcher.utter_message(response=response)
    return []


def _still_active(session, tracker: Tracker, registration_id: int) -> Registration | None:
    """The seat asked about, if it is still this family's and still to come."""
    contact = find_contact(session, tracker.sender_id)
    if contact is None:
        return None
    found = [r for r in active_registrations(session, contact) if r.id == registration_id]
    return found[0] if found else None


def _settle(dispatcher, tracker, registration_id: int, cancelling: bool) -> list:
    """A yes cancels the seat asked about, a no keeps it; either way the question is answered."""
    language = language_of(tracker)
    with db_session() as session:
        registration = _still_active(session, tracker, registration_id)
        if registration is None:
            gone = "utter_nothing_to_cancel" if cancelling else "utter_ok_no_worries"
            dispatcher.utter_message(response=gone)
            return [SlotSet(PENDING, None)]
        if cancelling:
            # The promoted family is told by the reminders and broadcasts worker, not here.
            cancel(session, registration)
        dispatcher.utter_message(
            response="utter_registration_cancelled" if cancelling else "utter_registration_kept",
            session=session_label(registration.session, language),
        )
    return [SlotSet(PENDING, None)]
