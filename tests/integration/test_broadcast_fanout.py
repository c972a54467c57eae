"""Delivery rows for a broadcast, on SQLite and PostgreSQL: one per recipient in the language of
the text it gets, made in the database in one statement, and never twice."""

from __future__ import annotations

import time

from sqlalchemy import delete, func, insert, select

from bot.broadcasting.fanout import create_deliveries
from bot.models import Broadcast, Contact, Delivery

TEXTS = {"en": "School is closed Friday.", "es": "La escuela estará cerrada el viernes."}
FAMILIES = 20_000


def _bulk_contacts(session, count):
    """`count` contacts in one executemany: every 10th opted out, every 25th an invalid number,
    every 7th with no language yet; plus a few web chat visitors. Returns the textable ones'
    expected languages as {phone: language} for a default of "es"."""
    rows, expected = [], {}
    for n in range(count):
        phone = f"+1213{n:07d}"
        language = None if n % 7 == 0 else ("en" if n % 2 else "es")
        opted_out, valid = n % 10 == 0, n % 25 != 1
        rows.append(
            {"phone": phone, "language": language, "opted_out": opted_out, "phone_valid": valid}
        )
        if valid and not opted_out:
            expected[phone] = language or "es"
    session.execute(insert(Contact), rows)
    session.execute(
        insert(Contact),
        [{"web_chat_id": f"browser-{n}", "phone_valid": False} for n in range(50)],
    )
    return expected


def _broadcast(session, texts=TEXTS, audience=None):
    broadcast = Broadcast(
        title="Closed Friday", texts=texts, audience=audience or {"kind": "everyone"}
    )
    session.add(broadcast)
    session.flush()
    return broadcast


def _deliveries(session, broadcast):
    return {
        phone: language
        for phone, language in session.execute(
            select(Delivery.phone, Delivery.language).where(Delivery.broadcast_id == broadcast.id)
        )
    }


def test_every_recipient_gets_one_pending_row_and_a_second_run_adds_none(sessions):
    with sessions() as session:
        expected = _bulk_contacts(session, FAMILIES)
        broadcast = _broadcast(session)
        session.commit()

        started = time.perf_counter()
        added = create_deliveries(session, broadcast, "es")
        session.commit()
        elapsed = time.perf_counter() - started
        print(f"\n{FAMILIES} contacts -> {added} deliveries in {elapsed:.2f} s")

        assert added == len(expected) == broadcast.recipients
        assert _deliveries(session, broadcast) == expected
        statuses = session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.broadcast_id == broadcast.id)
            .group_by(Delivery.status)
        ).all()
        assert statuses == [("pending", len(expected))]
        doubled = session.execute(
            select(Delivery.contact_id)
            .where(Delivery.broadcast_id == broadcast.id)
            .group_by(Delivery.contact_id)
            .having(func.count() > 1)
        ).all()
        assert doubled == []

        assert create_deliveries(session, broadcast, "es") == 0
        assert broadcast.recipients == len(expected)
        assert session.scalar(select(func.count()).select_from(Delivery)) == len(expected)


def test_a_run_cut_short_is_completed_by_the_next_one(sessions):
    with sessions() as session:
        expected = _bulk_contacts(session, 300)
        broadcast = _broadcast(session)
        create_deliveries(session, broadcast, "es")
        # As if the first run had stopped after some rows: the rerun adds exactly the rest.
        session.execute(delete(Delivery).where(Delivery.phone.in_(sorted(expected)[:100])))
        assert create_deliveries(session, broadcast, "es") == 100
        assert _deliveries(session, broadcast) == expected


def test_deliveries_are_per_broadcast(sessions):
    with sessions() as session:
        expected = _bulk_contacts(session, 100)
        first, second = _broadcast(session), _broadcast(session)
        assert create_deliveries(session, first, "es") == len(expected)
        assert create_deliveries(session, second, "es") == len(expected)


def test_a_missing_text_falls_back_to_the_other_language(sessions):
    with sessions() as session:
        expected = _bulk_contacts(session, 200)
        spanish_only = _broadcast(session, texts={"en": "", "es": TEXTS["es"]})
        create_deliveries(session, spanish_only, "en")
        assert set(_deliveries(session, spanish_only).values()) == {"es"}
        english_only = _broadcast(session, texts={"en": TEXTS["en"]})
        create_deliveries(session, english_only, "es")
        assert _deliveries(session, english_only) == dict.fromkeys(expected, "en")


def test_the_default_language_is_the_one_given(sessions):
    with sessions() as session:
        session.add(Contact(phone="+13235550101"))
        broadcast = _broadcast(session)
        create_deliveries(session, broadcast, "en")
        assert _deliveries(session, broadcast) == {"+13235550101": "en"}


def test_a_list_becomes_contacts_then_deliveries_chunk_by_chunk(sessions):
    with sessions() as session:
        session.add(Contact(phone="+13235550101", language="en"))
        session.add(Contact(phone="+13235550102", language="en", opted_out=True))
        numbers = ["(323) 555-0101", "323.555.0102", "+1 323 555 0103", "3235550104", "3235550105"]
        broadcast = _broadcast(session, audience={"kind": "list", "numbers": numbers})

        assert create_deliveries(session, broadcast, "es", chunk=2) == 4
        assert _deliveries(session, broadcast) == {
            "+13235550101": "en",
            "+13235550103": "es",
            "+13235550104": "es",
            "+13235550105": "es",
        }
        listed = session.scalars(
            select(Contact.consent_source).where(
                Contact.phone.in_(["+13235550103", "+13235550105"])
            )
        ).all()
        assert listed == ["staff list", "staff list"]
        assert create_deliveries(session, broadcast, "es", chunk=2) == 0
        assert session.scalar(select(func.count()).select_from(Contact)) == 5
