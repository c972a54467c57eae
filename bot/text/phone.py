"""Phone numbers as E.164, the form Twilio uses and the only form stored for a valid number."""

from __future__ import annotations

import re

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


def for_display(phone: str | None, valid: bool = True) -> str:
    """How staff read a number: "(323) 555-0100" in the US, "+52 55 1234 5678" elsewhere; a
    number that is not valid (or stored as `valid=False`) as it was stored; "" for none."""
    if not phone:
        return ""
    if not valid:
        return phone
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_valid_number(number):
        return phone
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def mask(e164: str | None) -> str:
    """For logs: the last two digits only ("+1*********34")."""
    if not e164:
        return "(none)"
    return e164[:2] + "*" * max(len(e164) - 4, 0) + e164[-2:]


# A phone number inside free text (Twilio's error messages, the URL of a failed request): 10 to
# 15 digits, maybe after "+" or its URL encoding "%2B", not inside a word such as a Twilio SID.
_NUMBER_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])(\+|%2B)?(\d{10,15})(?![A-Za-z0-9])", re.IGNORECASE)


def _masked(found: re.Match) -> str:
    plus, digits = found.groups()
    return mask("+" + digits if plus else digits)


def mask_numbers(text: object) -> str:
    """For logs: `text` with every phone number in it masked as `mask` does."""
    return _NUMBER_IN_TEXT.sub(_masked, str(text))
