"""Answers about a school (address, phone) from the database,
asking which school when none is named."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.schools import example_names, find_school

from .data import db_session


class ValidateSchoolInfoForm(FormValidationAction):
    def name(self) -> str:
        return "validate_school_info_form"

    def validate_school(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        with db_session() as session:
            school = find_school(session, str(value) if value else None)
            if school is not None:
                return {"school": school.short_name}
            dispatcher.utter_message(
                response="utter_school_unknown",
                school=value,
                examples=", ".join(example_names(session)),
            )
        return {"school": None}


class ActionAnswerSchoolInfo(Action):
    def name(self) -> str:
        return "action_answer_school_info"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        with db_session() as session:
            school = find_school(session, tracker.get_slot("school"))
            if school is None:
                dispatcher.utter_message(response="utter_ask_school")
                return [SlotSet("school", None)]
            if school.address:
                dispatcher.utter_message(
                    response="utter_school_address", school_name=school.name, address=school.address
                )
            else:
                dispatcher.utter_message(
                    response="utter_school_address_unknown", school_name=school.name
                )
            if school.phone:
                dispatcher.utter_message(response="utter_school_phone", phone=school.phone)
        # The school is remembered: "what time does it start?" next refers to the same one.
        return []
