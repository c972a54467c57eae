"""Twilio's status callback for the texts the line sent: form fields in, 204 out. The rules
(ordering, carrier opt-outs) live in bot.conversations.delivery_reports."""

from __future__ import annotations

import logging

from flask import Blueprint, request

from bot.conversations.delivery_reports import DeliveryReport, record_report
from bot.db import session_scope

from .services import services
from .twilio_signature import validate_twilio_request

log = logging.getLogger(__name__)

bp = Blueprint("twilio_status", __name__, url_prefix="/twilio")

NO_CONTENT = ("", 204)


def _field(name: str, alternative: str, length: int) -> str | None:
    # Older callbacks name the fields SmsSid / SmsStatus; the columns bound the lengths.
    value = (request.form.get(name) or request.form.get(alternative) or "").strip()
    return value[:length] or None


@bp.post("/status")
@validate_twilio_request
def status_callback():
    sid = _field("MessageSid", "SmsSid", 64)
    if sid is None:
        log.warning("status callback without MessageSid: ignored (fields %s)", sorted(request.form))
        return "MessageSid is required", 400
    status = _field("MessageStatus", "SmsStatus", 24)
    report = DeliveryReport(
        sid=sid,
        status=status.lower() if status else None,
        error_code=(request.form.get("ErrorCode") or "").strip()[:16] or None,
    )
    if report.status is None:
        log.warning("status callback for %s without MessageStatus", sid)
    with session_scope(services().sessions) as session:
        found = record_report(session, report)
    if not found:
        # Still a 2xx: Twilio must not keep retrying a report nobody here can use.
        log.info("status callback for unknown sid %s (%s): ignored", sid, report.status)
    return NO_CONTENT
