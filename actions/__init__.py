"""Rasa custom actions: they turn a conversation's tracker into calls on bot/ services.

Loaded by `rasa run actions --actions actions`; every module here registers its actions."""

from . import (  # noqa: F401
    cancellation,
    clarify,
    events,
    handoff,
    language_slot,
    programs,
    registration,
    school_info,
    session_start,
    sign_up_answers,
    sign_up_questions,
)
