"""Questions about a sign-up, answered without changing it: "¿ya estoy inscrita?" lists the
family's coming sessions (ActionCheckRegistration), and a question asked in the middle of the
form is answered before the form asks again (ActionAnswerAside)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet

from bot import texts
from bot.parent_college.registrations import (
    active_registrations,
    find_contact,
    waitlist_position,
)
from bot.reading.answers import read_choice, read_number, read_yes_no
from bot.reading.questions import asks_about_the_class

from .data import db_session
from .forms import language_of
from .parent_college import ActionAnswerParentCollege
from .registration import ActionValidateRegistrationForm
from .sessions import session_label
from .sign_up_answers import details


def _upcoming_sign_ups(session, tracker) -> list:
    contact = find_contact(session, tracker.sender_id)
    return active_registrations(session, contact) if contact else []


class ActionCheckRegistration(Action):
    def name(self) -> str:
        return "action_check_registration"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        language = language_of(tracker)
        with db_session() as session:
            registrations = _upcoming_sign_ups(session, tracker)
            if not registrations and tracker.active_loop.get("name") == "registration_form":
                # "¿ya quedé?" halfway through the sign-up: not yet, and the form asks its
                # question again right after (actions/forms.py does not count this as a miss).
                dispatcher.utter_message(response="utter_registration_in_progress")
                return []
            if not registrations:
                dispatcher.utter_message(response="utter_no_registrations")
                return []
            parts = []
            for registration in registrations:
                part = session_label(registration.session, language)
                part += f" ({details(language, registration.adults, registration.children)}"
                if registration.status == registration.STATUS_WAITLISTED:
                    position = waitlist_position(session, registration)
                    part += "; " + texts.text("sign_up.waitlist", language, position=position)
                parts.append(part + ")")
        dispatcher.utter_message(
            response="utter_registrations_list", registrations="; ".join(parts)
        )
        return []


class ActionAnswerAside(Action):
    """A message the model read as out of scope during the sign-up: a question of when, where or
    how much ("wait, where is it?") asks about the class; an answer to the question the form
    asked is read as one; anything else is out of scope."""

    def name(self) -> str:
        return "action_answer_aside"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text")
        if asks_about_the_class(text):
            return ActionAnswerParentCollege().run(dispatcher, tracker, domain)
        asked = tracker.get_slot("requested_slot")
        if answers_the_question(tracker, asked):
            # "vamos 2 adultos y si necesito q me cuiden al nene" read as out of scope where the
            # adults were asked: it is the answer. Rasa does not validate slots set before a form
            # comes back from an aside, so the form's own validator reads it here.
            validate = getattr(ActionValidateRegistrationForm(), f"validate_{asked}")
            found = validate(text, dispatcher, tracker, domain)
            return [SlotSet(slot, value) for slot, value in found.items()]
        dispatcher.utter_message(response="utter_out_of_scope")
        return []


def answers_the_question(tracker: Tracker, asked: str | None) -> bool:
    """The family's message reads as an answer to the sign-up's question `asked`: a number where
    a count was asked, a yes or no where one was, a pick from the numbered sessions."""
    text = str(tracker.latest_message.get("text") or "")
    if asked in ("adults", "children"):
        return read_number(text) is not None
    if asked in ("childcare", "confirm_registration"):
        return read_yes_no(text) is not None
    if asked == "pc_session":
        return read_choice(text, len(tracker.get_slot("session_choices") or [])) is not None
    return False
