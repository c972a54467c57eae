"""The data model of the design, one module per group of nouns."""

from .base import Base, UtcDateTime, utcnow
from .directory import (
    Event,
    Neighborhood,
    Organization,
    ParentCollegeSession,
    Program,
    School,
)
from .families import (
    ConsentEvent,
    Contact,
    Conversation,
    Message,
    Registration,
    SeenMessageSid,
)
from .outreach import Broadcast, Delivery, SendPace
from .review import ConversationNote, NluCorrection, NluTraining
from .staff import AuditLog, LoginThrottle, StaffUser
from .twilio_status import TwilioStatus

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
