"""POST /twilio/status: Twilio's delivery reports update the message log and broadcast
deliveries, never move backwards, and a carrier opt-out (21610) opts the contact out."""

import logging

import pytest
from sqlalchemy import select

from bot.models import Broadcast, ConsentEvent, Contact, Conversation, Delivery, Message
from bot.sms.inbound_request import replies_from_twiml, sign
from tests.conftest import TEST_TWILIO_TOKEN

STATUS_URL = "http://localhost/twilio/status"
SID = "SM" + "1" * 32
PHONE = "+13235550100"


def _add_delivery(session, contact):
    broadcast = Broadcast(texts={"en": "Hi", "es": "Hola"}, audience={"kind": "everyone"})
    session.add_all([contact, broadcast])
    session.flush()
    session.add(
        Delivery(
            broadcast_id=broadcast.id,
            contact_id=contact.id,
            phone=PHONE,
            language="es",
            twilio_sid=SID,
        )
    )


@pytest.fixture
def sent_message(sessions):
    """A bot reply already sent through Twilio (queued), and its broadcast twin."""
    with sessions() as session:
        contact = Contact(phone=PHONE, language="es")
        conversation = Conversation(contact=contact, channel="sms")
        message = Message(
            conversation=conversation,
            channel="sms",
            direction="out",
            sender="bot",
            body="hola",
            twilio_sid=SID,
            delivery_status="queued",
        )
        session.add(message)
        _add_delivery(session, contact)
        session.commit()
        return message.id


@pytest.fixture
def post_status(client):
    def post(sign_it=True, **fields):
        form = {"AccountSid": "AC" + "0" * 32, "To": PHONE, "ApiVersion": "2010-04-01", **fields}
        headers = {"X-Twilio-Signature": sign(STATUS_URL, form, TEST_TWILIO_TOKEN)}
        return client.post(STATUS_URL, data=form, headers=headers if sign_it else {})

    return post


def _state(sessions):
    with sessions() as session:
        message = session.execute(select(Message).filter_by(twilio_sid=SID)).scalar_one()
        delivery = session.execute(select(Delivery).filter_by(twilio_sid=SID)).scalar_one()
        return (message.delivery_status, message.error_code), (delivery.status, delivery.error_code)


@pytest.mark.parametrize(
    "reports, final",
    [
        (["sending", "sent", "delivered"], "delivered"),
        (["delivered", "sent"], "delivered"),
        (["sent", "queued"], "sent"),
        (["undelivered", "sending", "sent"], "undelivered"),
        (["failed", "delivered"], "failed"),
        (["delivered", "failed"], "delivered"),
        (["delivered", "read"], "read"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, list) else v,
)
def test_statuses_only_move_forward(post_status, sessions, sent_message, reports, final):
    for status in reports:
        assert post_status(MessageSid=SID, MessageStatus=status).status_code == 204
    (message_status, _), (delivery_status, _) = _state(sessions)
    assert message_status == delivery_status == final


def test_an_error_code_is_kept_with_its_status(post_status, sessions, sent_message):
    post_status(MessageSid=SID, MessageStatus="undelivered", ErrorCode="30003")
    post_status(MessageSid=SID, MessageStatus="sent")  # late, ignored
    assert _state(sessions) == (("undelivered", "30003"), ("undelivered", "30003"))


def test_older_field_names_are_understood(post_status, sessions, sent_message):
    assert post_status(SmsSid=SID, SmsStatus="sent").status_code == 204
    assert _state(sessions)[0] == ("sent", None)


def test_error_21610_opts_the_contact_out_once(post_status, post_sms, sessions, sent_message):
    post_status(MessageSid=SID, MessageStatus="failed", ErrorCode="21610")
    post_status(MessageSid=SID, MessageStatus="failed", ErrorCode="21610")  # a retry
    with sessions() as session:
        contact = session.execute(select(Contact)).scalar_one()
        assert contact.opted_out and contact.opt_out_source == "carrier error 21610"
        (event,) = session.execute(select(ConsentEvent)).scalars().all()
        assert (event.kind, event.source, event.channel, event.message_id) == (
            "opt_out",
            "carrier error 21610",
            "sms",
            sent_message,
        )
    response, _ = post_sms("hola", PHONE)  # from then on, nothing is answered
    assert replies_from_twiml(response.text) == []


def test_a_delivery_without_a_logged_message_is_updated_and_opts_out(post_status, sessions):
    with sessions() as session:
        _add_delivery(session, Contact(phone=PHONE))
        session.commit()
    post_status(MessageSid=SID, MessageStatus="undelivered", ErrorCode="21610")
    with sessions() as session:
        delivery = session.execute(select(Delivery)).scalar_one()
        assert (delivery.status, delivery.error_code) == ("undelivered", "21610")
        assert session.execute(select(Contact)).scalar_one().opted_out
        assert session.execute(select(ConsentEvent)).scalar_one().message_id is None


def test_an_unknown_sid_is_acknowledged_and_logged(post_status, sessions, caplog):
    caplog.set_level(logging.INFO, logger="webhooks.twilio_status")
    response = post_status(MessageSid="SM" + "9" * 32, MessageStatus="delivered")
    assert response.status_code == 204
    assert "unknown sid" in caplog.text


def test_a_missing_message_sid_is_a_logged_400(post_status, caplog):
    response = post_status(MessageStatus="delivered")
    assert response.status_code == 400
    assert "without MessageSid" in caplog.text


def test_a_missing_status_changes_nothing(post_status, sessions, sent_message, caplog):
    assert post_status(MessageSid=SID).status_code == 204
    assert _state(sessions)[0] == ("queued", None)
    assert "without MessageStatus" in caplog.text


def test_an_empty_signed_form_is_not_a_500(post_status):
    assert post_status().status_code == 400


def test_an_unsigned_report_is_refused(post_status, sessions, sent_message):
    assert post_status(sign_it=False, MessageSid=SID, MessageStatus="delivered").status_code == 403
    assert _state(sessions)[0] == ("queued", None)
