"""Parent College by text: the registration form (name, school, session, adults, childcare,
children, confirmation), its numbered list of sessions, and checking a sign-up. Cancelling
asks first: cancellation.py.

Rasa knows the family only by its contact's public id (the tracker's sender id)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import texts
from bot.directory.schools import example_names, find_school
from bot.parent_college.registrations import (
    find_contact,
    find_session,
    seats_left,
    sign_up,
    upcoming_sessions,
    waitlist_position,
)
from bot.reading.answers import childcare_said, read_number, read_yes_no, says_unsure
from bot.reading.questions import asks_about_the_class, asks_cost_or_childcare, looks_like_question

from .data import db_session
from .forms import ActionValidateFamilyForm, answer_text, language_of, school_candidates
from .parent_college import ActionAnswerParentCollege
from .replies import fits
from .sessions import nearest_first, session_label
from .sign_up_answers import (
    MOST_ADULTS,
    MOST_CHILDREN,
    adults_counted,
    clean_name,
    count_of,
    details,
    match_session,
    names_a_school,
)

FORM_SLOTS = (
    "form_misses",
    "form_let_go",
    "pc_session",
    "session_choices",
    "adults",
    "childcare",
    "children",
    "confirm_registration",
)


class ActionValidateRegistrationForm(ActionValidateFamilyForm):
    def name(self) -> str:
        return "validate_registration_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict,
    ) -> list[str]:
        with db_session() as session:
            if not upcoming_sessions(session, limit=1):
                return []  # nothing to sign up for: the form ends and says so
        slots = list(domain_slots)
        if tracker.get_slot("childcare") is not True and "children" in slots:
            slots.remove("children")
        return slots

    @staticmethod
    def question_aside(dispatcher, tracker, domain, slot: str) -> dict[str, Any] | None:
        """A question where an answer was due ("¿a qué hora empieza?", "is it free?") that the
        model did not read as one of the questions the sign-up's rules answer: in a sign-up it
        asks about the class, so it gets the Parent College answer. It is still not an answer:
        the form asks its question again once, and lets go if the next message does not answer
        it either (actions/forms.py)."""
        if not looks_like_question(tracker.latest_message.get("text")):
            return None
        ActionAnswerParentCollege().run(dispatcher, tracker, domain)
        return {slot: None, "form_misses": float(tracker.get_slot("form_misses") or 0) + 1}

    @staticmethod
    def adults_ahead(tracker: Tracker, value: Any) -> dict[str, Any]:
        """The adults a message counts ("somos 2, yo y mi esposo") when the form has not asked
        yet: kept, so the question is not asked later."""
        if tracker.get_slot("adults"):
            return {}
        # The whole message: the slot may hold only the school the model marked in it.
        text = tracker.latest_message.get("text") or answer_text(tracker, value)
        adults = adults_counted(str(text))
        return {"adults": float(adults)} if adults else {}

    def answered_ahead(self, dispatcher, tracker, slot: str, ahead: dict) -> dict[str, Any]:
        """The family answered a question the form asks later instead of this one: the answer is
        kept and said back, the form asks this slot again, and the message is not counted as one
        that did not answer (it did, only early), so the sign-up does not let go over it."""
        adults = count_of("adults", int(ahead["adults"]), language_of(tracker))
        dispatcher.utter_message(response="utter_adults_noted", adults=adults)
        return {slot: None, **ahead, "form_misses": float(tracker.get_slot("form_misses") or 0)}

    def validate_person_name(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        aside = self.question_aside(dispatcher, tracker, domain, "person_name")
        if aside is not None:
            return aside
        name = clean_name(answer_text(tracker, value))
        # The model may mark only part of a name ("Rosa Diaz" -> "Diaz"): when the whole message
        # reads as a name holding that part, the whole of it is the name.
        whole = clean_name(str(tracker.latest_message.get("text") or ""))
        if name and whole and len(whole) > len(name) and name.lower() in whole.lower():
            name = whole
        if name is None:
            ahead = self.adults_ahead(tracker, value)
            if ahead:
                return self.answered_ahead(dispatcher, tracker, "person_name", ahead)
            return self.reject(dispatcher, "person_name", "utter_invalid_name")
        return {"person_name": name}

    def validate_school(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        ahead = self.adults_ahead(tracker, value)
        with db_session() as session:
            for candidate in school_candidates(value, tracker):
                school = find_school(session, candidate)
                if school is not None:
                    return {"school": school.short_name, **ahead}
            examples = ", ".join(example_names(session))
        aside = self.question_aside(dispatcher, tracker, domain, "school")
        if aside is not None:
            return aside
        if ahead:
            return self.answered_ahead(dispatcher, tracker, "school", ahead)
        text = answer_text(tracker, value)
        if tracker.get_slot("form_misses") and names_a_school(text):
            # Asked again, the family names a school the line does not have ("la weigand"): it
            # is their child's school. The school only orders the sessions, so the sign-up goes
            # on without it rather than letting go of a family that answered.
            dispatcher.utter_message(response="utter_school_not_ours_go_on")
            return {"school": text[:100], "form_misses": 0.0}
        return self.reject(dispatcher, "school", "utter_school_unknown", examples=examples)

    def validate_pc_session(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if asks_cost_or_childcare(answer_text(tracker, value)):
            # "is the childcare free? my youngest is only 2": the 2 picks no session.
            return self.question_aside(dispatcher, tracker, domain, "pc_session")
        slugs = tracker.get_slot("session_choices") or []
        with db_session() as session:
            choices = [s for s in (find_session(session, slug) for slug in slugs) if s]
            index = match_session(answer_text(tracker, value), choices, language_of(tracker))
            adults = adults_counted(answer_text(tracker, value))
            counted = {"adults": float(adults)} if adults and not tracker.get_slot("adults") else {}
            care = childcare_said(answer_text(tracker, value))
            if counted and care is not None and tracker.get_slot("childcare") is None:
                # "la 2, solo yo y si ocupo cuido pal niño": the childcare is answered too.
                counted.update(
                    {"childcare": care} if care else {"childcare": False, "children": 0.0}
                )
            if index is None:
                aside = self.question_aside(dispatcher, tracker, domain, "pc_session")
                if aside is not None:
                    return aside
                if counted:
                    # "la del sábado, vamos 2 adultos": every session is on a Saturday; the adults
                    # are kept and said back, the session asked again, and no miss counted.
                    noted = self.answered_ahead(dispatcher, tracker, "pc_session", counted)
                    return {**noted, **counted}
                return self.reject(dispatcher, "pc_session", "utter_invalid_session")
            return {"pc_session": choices[index].slug, **counted}

    def validate_adults(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if asks_cost_or_childcare(answer_text(tracker, value)):
            return self.question_aside(dispatcher, tracker, domain, "adults")
        text = answer_text(tracker, value)
        adults = read_number(text, most=MOST_ADULTS)
        if not adults:
            aside = self.question_aside(dispatcher, tracker, domain, "adults")
            return aside or self.reject(dispatcher, "adults", "utter_invalid_number")
        # "1 y no ocupo cuidado de niños" answers the next question too, which is then not asked.
        care = childcare_said(text) if tracker.get_slot("childcare") is None else None
        if care is False:
            return {"adults": float(adults), "childcare": False, "children": 0.0}
        if care:
            return {"adults": float(adults), "childcare": True}
        return {"adults": float(adults)}

    def validate_childcare(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        text = answer_text(tracker, value)
        wanted = read_yes_no(text)
        children = read_number(text, most=MOST_CHILDREN)
        if wanted is None and children is not None:
            wanted = children > 0  # "2 niños" answers the question and the next one
        if wanted is None:
            aside = self.question_aside(dispatcher, tracker, domain, "childcare")
            return aside or self.reject(dispatcher, "childcare", "utter_invalid_yes_no")
        if not wanted:
            return {"childcare": False, "children": 0.0}
        if children:
            return {"childcare": True, "children": float(children)}
        return {"childcare": True}

    def validate_children(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        children = read_number(answer_text(tracker, value), most=MOST_CHILDREN)
        if not children:
            return self.reject(dispatcher, "children", "utter_invalid_number")
        return {"children": float(children)}

    def validate_confirm_registration(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        confirmed = read_yes_no(answer_text(tracker, value))
        if confirmed is None:
            return self.reject(dispatcher, "confirm_registration", "utter_invalid_yes_no")
        return {"confirm_registration": confirmed}


class ActionAskPersonName(Action):
    """The sign-up's first question; asked again (after a message that did not answer it, which
    actions/forms.py counts), it is brief and does not welcome the family a second time."""

    def name(self) -> str:
        return "action_ask_person_name"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        # Asked before: after a message that did not answer it, or one that answered a later
        # question ("1 adulto nomás"), the only way the adults are known before the name.
        again = bool(tracker.get_slot("form_misses")) or tracker.get_slot("adults") is not None
        dispatcher.utter_message(
            response="utter_ask_person_name_again" if again else "utter_ask_person_name"
        )
        return []


class ActionAskSession(Action):
    """The upcoming sessions as a numbered list; full ones say a waitlist is open."""

    def name(self) -> str:
        return "action_ask_pc_session"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        language = language_of(tracker)
        lines, slugs = [], []
        with db_session() as session:
            school = find_school(session, tracker.get_slot("school"))
            home = school.neighborhood_id if school else None
            sessions = nearest_first(upcoming_sessions(session), home)
            for number, pc_session in enumerate(sessions, start=1):
                line = f"{number}) {session_label(pc_session, language)}"
                if seats_left(session, pc_session) <= 0:
                    line += " " + texts.text("sign_up.full", language)
                options = "\n".join([*lines, line])
                # Always at least one; then as many as two segments hold, soonest first.
                if lines and not fits(domain, "utter_sessions_offered", language, options=options):
                    break
                lines.append(line)
                slugs.append(pc_session.slug)
        dispatcher.utter_message(response="utter_sessions_offered", options="\n".join(lines))
        return [SlotSet("session_choices", slugs)]


class ActionAskConfirmation(Action):
    def name(self) -> str:
        return "action_ask_confirm_registration"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        if tracker.get_slot("form_let_go"):
            # Two messages in a row did not answer the form (actions/forms.py): nobody is signed
            # up, and the family is told how to start again.
            dispatcher.utter_message(response="utter_registration_stopped")
            return _reset_form()
        language = language_of(tracker)
        with db_session() as session:
            pc_session = find_session(session, tracker.get_slot("pc_session"))
            label = session_label(pc_session, language) if pc_session else ""
        dispatcher.utter_message(
            response="utter_confirm_registration",
            person_name=tracker.get_slot("person_name"),
            session=label,
            details=details(
                language,
                int(tracker.get_slot("adults") or 1),
                int(tracker.get_slot("children") or 0),
            ),
        )
        return []


def _reset_form() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionSubmitRegistration(Action):
    """The form is done: sign up, or waitlist, or say why not."""

    def name(self) -> str:
        return "action_submit_registration"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        if tracker.get_slot("form_let_go"):
            # Two messages in a row did not answer the form (actions/forms.py): nobody is signed
            # up, and the family is told how to start again.
            dispatcher.utter_message(response="utter_registration_stopped")
            return _reset_form()
        language = language_of(tracker)
        with db_session() as session:
            pc_session = find_session(session, tracker.get_slot("pc_session"))
            contact = find_contact(session, tracker.sender_id)
            if pc_session is None or contact is None:
                dispatcher.utter_message(response="utter_no_sessions")
                return _reset_form()
            if tracker.get_slot("confirm_registration") is not True:
                dispatcher.utter_message(response="utter_registration_not_confirmed")
                return _reset_form()
            name = tracker.get_slot("person_name") or ""
            school = find_school(session, tracker.get_slot("school"))
            if school is not None and contact.school_id is None:
                contact.school = school
            result = sign_up(
                session,
                contact,
                pc_session,
                name=name,
                adults=int(tracker.get_slot("adults") or 1),
                children=int(tracker.get_slot("children") or 0),
            )
            label = session_label(pc_session, language)
            if result.already:
                dispatcher.utter_message(response="utter_already_registered", session=label)
            elif result.waitlisted:
                dispatcher.utter_message(
                    response="utter_waitlisted",
                    person_name=name,
                    session=label,
                    position=waitlist_position(session, result.registration),
                )
            else:
                dispatcher.utter_message(
                    response="utter_registered", person_name=name, session=label
                )
        return _reset_form()


# The readings of a message that stop the sign-up as a no ("ya no", "bye"), where a question about
# the class may hide; "cancel" stops it whatever else the message says.
READ_AS_NO = ("deny", "goodbye")


class ActionStopRegistration(Action):
    """The family changed its mind halfway ("ya no", "cancel"): stop asking."""

    def name(self) -> str:
        return "action_stop_registration"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        latest = tracker.latest_message
        if (latest.get("intent") or {}).get("name") in READ_AS_NO and asks_about_the_class(
            latest.get("text")
        ):
            # "y dónde es eso? no conozco por allá" read as a no: a question about the class is
            # not a no. It is answered, and the form comes back to ask once more (a message
            # that did not answer it, actions/forms.py).
            ActionAnswerParentCollege().run(dispatcher, tracker, domain)
            return [FollowupAction("registration_form")]
        if (latest.get("intent") or {}).get("name") in READ_AS_NO and says_unsure(
            latest.get("text")
        ):
            # "no sé" where the school was asked: not knowing is not a no. The form asks again;
            # like any message that did not answer it, it counts towards letting go.
            dispatcher.utter_message(response="utter_form_unsure")
            return [FollowupAction("registration_form")]
        dispatcher.utter_message(response="utter_registration_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *_reset_form()]
