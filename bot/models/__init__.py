"""The data model of the design, one module per group of nouns."""

from bot.models.base import Base, UtcDateTime, utcnow
from bot.models.directory import (
    Event,
    Neighborhood,
    Organization,
    ParentCollegeSession,
    Program,
    School,
)
from bot.models.families import (
    ConsentEvent,
    Contact,
    Conversation,
    Message,
    Registration,
    SeenMessageSid,
)
from bot.models.outreach import Broadcast, Delivery, SendPace
from bot.models.review import ConversationNote, NluCorrection, NluTraining
from bot.models.staff import AuditLog, LoginThrottle, StaffUser
from bot.models.twilio_status import TwilioStatus

__all__ = [
    "AuditLog",
    "Base",
    "Broadcast",
    "ConsentEvent",
    "ConversationNote",
    "Contact",
    "Conversation",
    "Delivery",
    "Event",
    "LoginThrottle",
    "Message",
    "Neighborhood",
    "NluCorrection",
    "NluTraining",
    "Organization",
    "ParentCollegeSession",
    "Program",
    "Registration",
    "School",
    "SeenMessageSid",
    "SendPace",
    "StaffUser",
    "TwilioStatus",
    "UtcDateTime",
    "utcnow",
]
