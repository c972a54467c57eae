"""Sending one SMS that is not an answer to a webhook (a staff reply, later reminders): through
Twilio's REST API when the line has a Twilio account, else through the console transport of the
embedded default, which sends nothing and leaves the text in the message log, where the phone
simulator page shows it.

Whatever Twilio answers becomes a SendResult: a page that sends a text shows the error to staff
instead of failing. Error 21610 (the number said STOP at the carrier) opts the contact out here,
as a delivery report with that code does (bot.conversations.delivery_reports)."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversations.delivery_reports import CARRIER_OPT_OUT
from bot.families.compliance import record_opt_out
from bot.models import Contact, TwilioStatus
from bot.text.dates import utc
from bot.text.folding import fold
from bot.text.phone import mask, mask_numbers

log = logging.getLogger(__name__)
# The twilio library logs each request's query string at INFO, and a message lookup's query is
# the family's number (TwilioTransport.accepted): only its warnings are kept.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

# A staff page waits for this send: Twilio answers in well under a second when it is up.
TWILIO_TIMEOUT_SECONDS = 10
STATUS_FAILED = TwilioStatus.FAILED
# A lost send is looked for this far before it began, for clocks that disagree a little, among
# the number's newest texts.
LOOKUP_MARGIN = timedelta(minutes=1)
LOOKUP_LIMIT = 50


@dataclass(frozen=True)
class SendResult:
    sid: str | None
    status: str  # Twilio's status for the new message ("queued"...), or "failed"
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != STATUS_FAILED


class Transport(Protocol):
    name: str

    def send(self, to: str, body: str) -> SendResult: ...

    def accepted(self, to: str, body: str, since: datetime) -> tuple[str, str] | None:
        """(sid, status) of a text with this body taken for `to` since `since`, for a send whose
        answer was lost (a timeout, a worker that died); None when there is none. Raises when
        the transport cannot be asked."""
        ...


class ConsoleTransport:
    """The embedded default: no account, nothing leaves the machine. The text is "sent" the
    moment it is logged, and the phone simulator shows it in the number's thread."""

    name = "console"

    def send(self, to: str, body: str) -> SendResult:
        # Same length as a Twilio SID (34), so nothing downstream treats it differently.
        sid = "SMconsole" + secrets.token_hex(13)[:25]
        log.info("console transport: text to %s not sent anywhere (%s)", mask(to), sid)
        return SendResult(sid=sid, status="sent")

    def accepted(self, to: str, body: str, since: datetime) -> tuple[str, str] | None:
        return None  # a console send is logged with its SID at once: no answer is ever lost


class TwilioTransport:
    name = "twilio"

    def __init__(self, settings: Settings, client=None):
        self._settings = settings
        self._client = client or twilio_client(settings)

    def _sender(self) -> dict[str, str]:
        settings = self._settings
        if settings.twilio_messaging_service_sid:
            return {"messaging_service_sid": settings.twilio_messaging_service_sid}
        return {"from_": settings.twilio_from_number}

    def send(self, to: str, body: str) -> SendResult:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        options = self._sender()
        if self._settings.public_base_url:
            options["status_callback"] = f"{self._settings.public_base_url}/twilio/status"
        try:
            created = self._client.messages.create(to=to, body=body, **options)
        except TwilioRestException as error:
            code = str(error.code) if error.code is not None else None
            # Twilio's words may quote the number ("The 'To' number +1... is not valid").
            log.warning(
                "Twilio refused a text to %s: %s %s", mask(to), code, mask_numbers(error.msg)
            )
            return SendResult(None, STATUS_FAILED, code, _readable(error))
        except (TwilioException, OSError) as error:
            # requests' connection errors are OSErrors: Twilio unreachable, DNS, timeout.
            log.warning(
                "could not reach Twilio for a text to %s: %s", mask(to), mask_numbers(error)
            )
            return SendResult(None, STATUS_FAILED, None, f"Could not reach Twilio: {error}")
        return SendResult(created.sid, created.status or TwilioStatus.QUEUED)

    def accepted(self, to: str, body: str, since: datetime) -> tuple[str, str] | None:
        """Looks through the number's newest messages by their creation date rather than
        filtering on DateSent: a text still in Twilio's queue has no DateSent yet, and at one
        text a second a broadcast's texts can sit there for a long while."""
        since = utc(since) - LOOKUP_MARGIN
        wanted = _comparable(body)
        for found in self._client.messages.list(to=to, limit=LOOKUP_LIMIT):
            created = utc(found.date_created)
            if created is not None and created < since:
                break  # newest first: everything after this is older still
            if _comparable(found.body) == wanted:
                return found.sid, found.status or TwilioStatus.QUEUED
        return None


def _comparable(body: str) -> str:
    # Letters and digits only: a Messaging Service's smart encoding may swap quotes and dashes.
    return re.sub(r"[^0-9a-z]", "", fold(body or ""))


def _readable(error) -> str:
    # The library prefixes Twilio's own words with "Unable to create record: ".
    text = (error.msg or "").removeprefix("Unable to create record: ")
    return text or f"Twilio answered HTTP {error.status}"


def twilio_client(settings: Settings):
    """The real twilio Client; pointed at TWILIO_API_BASE_URL when set (a fake Twilio REST API
    in tests, a proxy), keeping the library's own paths and form fields."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=TwilioHttpClient(timeout=TWILIO_TIMEOUT_SECONDS),
    )
    if settings.twilio_api_base_url:
        # Domain.absolute_url joins base_url with /2010-04-01/Accounts/...; only the host changes.
        client.api.base_url = settings.twilio_api_base_url.rstrip("/")
    return client


def transport_for(settings: Settings) -> Transport:
    if settings.phone_simulator_enabled:
        return ConsoleTransport()
    return TwilioTransport(settings)


def send_text(
    session: Session,
    contact: Contact,
    body: str,
    settings: Settings,
    *,
    message_id: int | None = None,
    transport: Transport | None = None,
) -> SendResult:
    """Sends `body` to the contact's phone. Never texts an opted-out or unusable number; a
    carrier opt-out (21610) opts the contact out in the same transaction."""
    if contact.opted_out:
        return SendResult(None, STATUS_FAILED, None, "This number has opted out (STOP).")
    if not contact.phone or not contact.phone_valid:
        return SendResult(None, STATUS_FAILED, None, "This contact has no valid phone number.")
    result = (transport or transport_for(settings)).send(contact.phone, body)
    if result.error_code == CARRIER_OPT_OUT:
        if record_opt_out(session, contact, f"carrier error {CARRIER_OPT_OUT}", "sms", message_id):
            log.info("contact %s opted out at the carrier (error 21610 on send)", contact.id)
    return result
