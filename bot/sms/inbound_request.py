"""Builds the request Twilio would send for an inbound SMS, signed with the account's token.

Used by `bot sms try` and by the tests, so both exercise the webhook exactly as Twilio does."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET

import requests
from twilio.request_validator import RequestValidator


def twilio_sms_form(text: str, from_number: str, to_number: str = "+13235550199") -> dict:
    """Every field Twilio posts for an inbound SMS (no media)."""
    sid = "SM" + secrets.token_hex(16)
    return {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "LOS ANGELES",
        "FromZip": "90002",
        "SmsSid": sid,
        "FromState": "CA",
        "SmsStatus": "received",
        "FromCity": "LOS ANGELES",
        "Body": text,
        "FromCountry": "US",
        "To": to_number,
        "MessagingServiceSid": "MG" + "0" * 32,
        "ToZip": "90017",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": from_number,
        "ApiVersion": "2010-04-01",
    }


def sign(url: str, form: dict, auth_token: str) -> str:
    return RequestValidator(auth_token).compute_signature(url, form)


def replies_from_twiml(xml: str) -> list[str]:
    root = ET.fromstring(xml)
    return [(message.text or "") for message in root.iter("Message")]


def send_signed_sms(url: str, auth_token: str, from_number: str, text: str) -> tuple[int, list]:
    form = twilio_sms_form(text, from_number)
    response = requests.post(
        url, data=form, headers={"X-Twilio-Signature": sign(url, form, auth_token)}, timeout=30
    )
    if response.status_code != 200:
        return response.status_code, []
    return 200, replies_from_twiml(response.text)
