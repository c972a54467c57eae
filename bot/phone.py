"""Phone numbers as E.164, the form Twilio uses and the only form stored for a valid number."""

from __future__ import annotations

import phonenumbers


def to_e164(raw: str | None, region: str = "US") -> str | None:
    """ "+13235551234" for anything dialable ("(323) 555-1234", "323.555.1234"); None otherwise."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask(e164: str | None) -> str:
    """For logs: the last two digits only ("+1*********34")."""
    if not e164:
        return "(none)"
    return e164[:2] + "*" * max(len(e164) - 4, 0) + e164[-2:]
