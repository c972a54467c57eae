"""Rasa custom actions: they turn a conversation's tracker into calls on bot/ services.

Loaded by `rasa run actions --actions actions`; every module here registers its actions."""

from . import language_slot, school_info  # noqa: F401
