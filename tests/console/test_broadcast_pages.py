"""The broadcast pages (admins only): composing with a preview of who gets it and what it costs,
sending now or later, an uploaded list, following the progress, pause, resume and cancel."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.broadcasting import tasks
from bot.broadcasting.audience import Audience
from bot.broadcasting.compose import create
from bot.models import AuditLog, Broadcast, Contact, Delivery, School
from bot.text.dates import LOCAL_TZ
from tests.console.conftest import post_form
from webhooks.services import services

NEW = "/console/broadcasts/new"
CLOSED = {"en": "School is closed Friday.", "es": "La escuela estará cerrada el viernes."}
# 108 characters: one GSM-7 segment, but the á of "sábado" makes it UCS-2 and two segments.
SATURDAY_ES = (
    "Recuerde: Parent College es este sábado 10 de enero a las 9 a. m. en la escuela Markham. "
    "Traiga a sus hijos."
)


@pytest.fixture
def queued(app):
    """How many tasks wait in the app's Huey queue."""

    def count() -> int:
        with app.app_context():
            return services().huey.pending_count()

    return count


@pytest.fixture
def markham(sessions):
    """Markham's families: 2 read English, 3 Spanish, 1 has no language yet (the line's default,
    Spanish), 1 opted out, 1 with a number Twilio rejected; and a Gompers family."""
    with sessions() as db:
        school_ids = dict(db.execute(select(School.slug, School.id)).all())
        families = [
            ("+13235550001", "en", "markham", False, True),
            ("+13235550002", "en", "markham", False, True),
            ("+13235550003", "es", "markham", False, True),
            ("+13235550004", "es", "markham", False, True),
            ("+13235550005", "es", "markham", False, True),
            ("+13235550006", None, "markham", False, True),
            ("+13235550007", "es", "markham", True, True),
            ("+13235550008", "en", "markham", False, False),
            ("+13235550009", "es", "gompers", False, True),
        ]
        for phone, language, school, opted_out, valid in families:
            db.add(
                Contact(
                    phone=phone,
                    language=language,
                    school_id=school_ids[school],
                    opted_out=opted_out,
                    phone_valid=valid,
                )
            )
        db.commit()
    return families


def _form(**changes) -> dict:
    form = {
        "title": "Markham closed Friday",
        "text_en": CLOSED["en"],
        "text_es": CLOSED["es"],
        "audience": "school",
        "school": "markham",
        "when": "now",
    }
    form.update(changes)
    return form


def _fingerprint(page: str) -> str:
    found = re.search(r'name="previewed" value="([0-9a-f]+)"', page)
    assert found, "the preview offers no Send button"
    return found.group(1)


def _figures(page: str, language: str) -> list[str]:
    row = re.search(rf'<tr data-language="{language}">(.*?)</tr>', page, re.S)
    assert row, f"no {language} row in the preview"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", cell).split("(")[0].strip() for cell in cells]


def _count(sessions, model, *where) -> int:
    with sessions() as db:
        return db.scalar(select(func.count()).select_from(model).where(*where))


def _actions(sessions) -> list[tuple[str, str, dict]]:
    with sessions() as db:
        rows = db.scalars(select(AuditLog).where(AuditLog.action.like("broadcast.%")))
        return [(a.action, a.target_id, a.detail) for a in rows]


def _send(client, **changes):
    """Previews, then presses "Send to N families" as a browser would."""
    preview = post_form(client, NEW, _form(**changes))
    assert preview.status_code == 200, preview.get_data(as_text=True)
    fingerprint = _fingerprint(preview.get_data(as_text=True))
    return post_form(client, NEW, _form(**changes, confirm="1", previewed=fingerprint))


def _sending_broadcast(sessions, settings) -> int:
    with sessions() as db:
        created = create(db, CLOSED, Audience.parse({"kind": "everyone"}), settings, title="Hi")
        db.commit()
        return created.broadcast.id


def _state(sessions, broadcast_id) -> str:
    with sessions() as db:
        return db.get(Broadcast, broadcast_id).state


# --- who may ----------------------------------------------------------------------------------


def test_broadcasts_are_for_admins_only(app, staff_client, admin_client, sessions, settings):
    broadcast_id = _sending_broadcast(sessions, settings)
    for url in ("/console/broadcasts/", NEW, f"/console/broadcasts/{broadcast_id}"):
        assert staff_client.get(url).status_code == 403, url
        assert admin_client.get(url).status_code == 200, url
    assert staff_client.get(f"/console/broadcasts/{broadcast_id}/progress").status_code == 403
    assert post_form(staff_client, NEW, _form()).status_code == 403
    assert post_form(staff_client, f"/console/broadcasts/{broadcast_id}/pause").status_code == 403
    assert _state(sessions, broadcast_id) == Broadcast.STATE_SENDING
    stranger = app.test_client().get(NEW)
    assert stranger.status_code == 302 and stranger.headers["Location"].startswith("/console/login")


# --- composing and the preview ----------------------------------------------------------------


def test_the_compose_form_offers_every_audience(admin_client):
    page = admin_client.get(NEW).get_data(as_text=True)
    for kind in ("everyone", "school", "neighborhood", "language", "session", "list"):
        assert f'name="audience" value="{kind}"' in page
    assert '<option value="markham" >Markham Middle School</option>' in page
    assert '<option value="boyle-heights" >Boyle Heights</option>' in page
    assert "Parent College: Supporting homework, Sat Jan 16, 2027, 9:00 AM" in page
    assert 'name="include_waitlist"' in page and 'type="file" name="numbers_file"' in page
    assert "21:00–8:00" in page  # why urgent matters
    assert 'data-counter="count-en"' in page and 'data-counter="count-es"' in page
    assert "<script>" not in page and "style=" not in page  # the CSP allows neither


def test_the_preview_counts_a_school_in_each_language(admin_client, markham, sessions, settings):
    response = post_form(admin_client, NEW, _form())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    price = settings.segment_price
    # English: 2; Spanish: 3 and the family with no language yet (the line's default).
    assert _figures(page, "en") == ["English", "2", "24", "1", "GSM-7", f"${2 * price:,.2f}"]
    # The á of "estará" makes it UCS-2, but it stays one segment.
    assert _figures(page, "es") == ["Spanish", "4", "37", "1", "UCS-2", f"${4 * price:,.2f}"]
    assert "To: Families of Markham Middle School: <strong>6 families</strong>" in page
    assert '<span class="num">1</span> opted out' in page
    assert '<span class="num">1</span> invalid numbers' in page
    assert "Send to 6 families" in page
    # The form comes back as it was, for changes before sending.
    assert '<option value="markham" selected>' in page
    assert "Markham closed Friday" in page
    assert _count(sessions, Broadcast) == 0 and _count(sessions, Delivery) == 0


def test_the_preview_names_the_accent_that_doubles_the_cost(admin_client, markham):
    page = post_form(admin_client, NEW, _form(text_es=SATURDAY_ES)).get_data(as_text=True)
    assert _figures(page, "es")[3:5] == ["2", "UCS-2"]
    warning = (
        '<li class="flash flash-warning">One accented letter doubles the cost of the Spanish '
        "text: á in &#39;sábado&#39; makes it UCS-2, 2 segments instead of 1.</li>"
    )
    assert warning in page


def test_one_language_alone_goes_to_everyone(admin_client, markham):
    page = post_form(admin_client, NEW, _form(text_en="")).get_data(as_text=True)
    assert _figures(page, "es")[:2] == ["Spanish", "6"]
    assert 'data-language="en"' not in page
    assert "English families (2) will get the Spanish text" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text_en": " ", "text_es": ""}, "Write the message in English, Spanish or both."),
        ({"audience": "planet"}, "Unknown audience &#39;planet&#39;"),
        ({"school": ""}, "Choose the school."),
        ({"school": "hogwarts"}, "There is no school &#39;hogwarts&#39;"),
        ({"text_es": "a" * 1601}, "The Spanish text is 1,601 characters; a text can have at most"),
        ({"when": "later", "at": ""}, "Choose the day and time to send it"),
        ({"when": "later", "at": "2020-01-01T09:00"}, "has passed"),
        ({"audience": "list"}, "Upload a file of phone numbers, or paste them in the box."),
    ],
)
def test_a_form_that_cannot_be_sent_comes_back_with_why(
    admin_client, markham, sessions, changes, message
):
    for confirm in ({}, {"confirm": "1"}):
        response = post_form(admin_client, NEW, _form(**changes, **confirm))
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert message in page
        assert "Nothing was sent." in page
    assert _count(sessions, Broadcast) == 0


# --- sending ----------------------------------------------------------------------------------


def test_send_makes_one_delivery_per_family_and_starts_the_workers(
    admin_client, markham, sessions, queued, settings
):
    response = _send(admin_client)
    assert response.status_code == 302
    broadcast_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with sessions() as db:
        broadcast = db.get(Broadcast, broadcast_id)
        assert broadcast.state == Broadcast.STATE_SENDING
        assert (broadcast.title, broadcast.recipients, broadcast.texts) == (
            "Markham closed Friday",
            6,
            CLOSED,
        )
        assert broadcast.estimated_cost == pytest.approx(6 * settings.segment_price)
        assert broadcast.created_by_id is not None
        rows = db.execute(
            select(Delivery.phone, Delivery.language, Delivery.status).where(
                Delivery.broadcast_id == broadcast_id
            )
        ).all()
    assert sorted(rows) == [
        ("+13235550001", "en", "pending"),
        ("+13235550002", "en", "pending"),
        ("+13235550003", "es", "pending"),
        ("+13235550004", "es", "pending"),
        ("+13235550005", "es", "pending"),
        ("+13235550006", "es", "pending"),
    ]
    assert queued() == tasks.DEFAULT_LANES
    [(action, target, detail)] = _actions(sessions)
    assert (action, target) == ("broadcast.create", str(broadcast_id))
    assert detail["recipients"] == 6
    assert detail["estimated_cost"] == pytest.approx(6 * settings.segment_price)
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sending to 6 families." in page
    assert "Families of Markham Middle School" in page
    assert 'data-poll="yes"' in page


def test_a_form_changed_after_the_preview_is_previewed_again(admin_client, markham, sessions):
    preview = post_form(admin_client, NEW, _form()).get_data(as_text=True)
    fingerprint = _fingerprint(preview)
    changed = _form(school="gompers", confirm="1", previewed=fingerprint)
    page = post_form(admin_client, NEW, changed).get_data(as_text=True)
    assert "The form changed since the preview" in page
    assert "Send to 1 family" in page
    assert _count(sessions, Broadcast) == 0


def test_a_later_time_schedules_it_without_deliveries(admin_client, markham, sessions, queued):
    at = (datetime.now(LOCAL_TZ) + timedelta(days=3)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    response = _send(admin_client, when="later", at=at.strftime("%Y-%m-%dT%H:%M"), urgent="1")
    assert response.status_code == 302
    broadcast_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with sessions() as db:
        broadcast = db.get(Broadcast, broadcast_id)
        assert broadcast.state == Broadcast.STATE_SCHEDULED
        assert broadcast.urgent is True
        assert broadcast.recipients is None
        assert broadcast.scheduled_at == at.astimezone(timezone.utc)
    assert _count(sessions, Delivery) == 0
    assert queued() == 0  # the worker's clock starts it when its time comes
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Scheduled for {at:%a %b} {at.day}, {at.year}, 9:30 AM" in page
    [(_, _, detail)] = _actions(sessions)
    assert detail["scheduled_at"] == at.astimezone(timezone.utc).isoformat()
    assert detail["urgent"] is True


# --- an uploaded list -------------------------------------------------------------------------


def _upload(client, content: bytes, **changes):
    form = _form(audience="list", **changes)
    form["numbers_file"] = (io.BytesIO(content), "families.csv")
    return post_form(client, NEW, form, content_type="multipart/form-data")


def test_an_uploaded_list_leaves_out_a_bad_line_and_a_repeat(admin_client, markham, sessions):
    content = (
        "Name,Teléfono\n"
        "Rosa,(323) 555-0001\n"
        "Rosa again,323.555.0001\n"
        "Luis,call me\n"
        "Ana,+1 323 555 0100\n"
        "Opted out,323-555-0007\n"
    ).encode()
    page = _upload(admin_client, content).get_data(as_text=True)
    # Rosa (a contact reading English) and Ana (no contact yet: Spanish, the default).
    assert "<strong>2 families</strong>" in page
    assert _figures(page, "en")[:2] == ["English", "1"]
    assert _figures(page, "es")[:2] == ["Spanish", "1"]
    assert '<span class="num">1</span> repeated numbers' in page
    assert '<span class="num">1</span> opted out' in page
    assert "Line 4: <code>call me</code>" in page
    assert "1 number is not yet in the line's contacts" in page
    # The numbers read stay in the form: the file need not be uploaded again to send.
    listed = re.search(r'<textarea name="listed"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert listed.split() == ["+13235550001", "+13235550100", "+13235550007"]
    assert "read from families.csv" in page

    fingerprint = _fingerprint(page)
    confirm = _form(
        audience="list",
        listed=listed,
        listed_from="families.csv",
        confirm="1",
        previewed=fingerprint,
    )
    response = post_form(admin_client, NEW, confirm)
    assert response.status_code == 302
    with sessions() as db:
        phones = db.scalars(select(Delivery.phone).order_by(Delivery.phone)).all()
        ana = db.scalar(select(Contact).where(Contact.phone == "+13235550100"))
        assert ana is not None and ana.consent_source == "staff list"
    assert phones == ["+13235550001", "+13235550100"]


def test_pasted_numbers_are_read_on_every_post(admin_client, markham):
    pasted = "3235550001\n3235550002\n3235550002\nnope\n"
    page = post_form(admin_client, NEW, _form(audience="list", pasted=pasted)).get_data(
        as_text=True
    )
    assert "<strong>2 families</strong>" in page
    assert '<span class="num">1</span> repeated numbers' in page
    assert "Line 4: <code>nope</code>" in page
    # A count sent by the form is never used: there is no such field to send.
    assert 'name="duplicates"' not in page and 'name="recipients"' not in page


def test_a_file_that_is_not_utf8_is_refused(admin_client, markham, sessions):
    content = "Teléfono\n323 555 0001\n".encode("latin-1")
    response = _upload(admin_client, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The file is not UTF-8 text" in page and "CSV UTF-8" in page
    assert _count(sessions, Broadcast) == 0


# --- following one, and changing its state ------------------------------------------------------


def test_the_progress_shows_each_kind_of_outcome(admin_client, markham, sessions, settings):
    broadcast_id = _sending_broadcast(sessions, settings)
    with sessions() as db:
        rows = db.scalars(
            select(Delivery).where(Delivery.broadcast_id == broadcast_id).order_by(Delivery.phone)
        ).all()
        assert len(rows) == 7
        outcomes = [
            ("delivered", None),
            ("delivered", None),
            ("sent", None),
            ("undelivered", "30006"),
            ("failed", "30006"),
            ("opted_out", "21610"),
        ]
        for row, (status, code) in zip(rows, outcomes, strict=False):
            row.status, row.error_code = status, code
        db.commit()
    progress = admin_client.get(f"/console/broadcasts/{broadcast_id}/progress")
    assert progress.status_code == 200 and progress.is_json
    body = progress.json
    assert body["state"] == "sending" and body["total"] == 7
    assert {name: b["count"] for name, b in body["buckets"].items()} == {
        "queued": 1,
        "sent": 1,
        "delivered": 2,
        "failed": 2,
        "opted_out": 1,
        "cancelled": 0,
    }
    assert body["buckets"]["delivered"]["percent"] == 28.6
    [landline] = body["failures_by_code"]
    assert (landline["code"], landline["count"]) == ("30006", 2)
    assert "Landline" in landline["meaning"]

    page = admin_client.get(f"/console/broadcasts/{broadcast_id}").get_data(as_text=True)
    assert '<td class="num" data-count="delivered">2</td>' in page
    assert '<td class="num" data-percent="failed">28.6%</td>' in page
    assert "Landline: the number cannot receive texts." in page
    assert 'data-bucket="delivered" x="286" y="0" width="286"' in page  # after sent (143)
    assert "School is closed Friday." in page and "Everyone subscribed" in page


def test_pause_resume_and_cancel_follow_the_state(
    admin_client, markham, sessions, settings, queued
):
    broadcast_id = _sending_broadcast(sessions, settings)
    base = f"/console/broadcasts/{broadcast_id}"
    page = admin_client.get(base).get_data(as_text=True)
    assert f'action="{base}/pause"' in page and f'action="{base}/resume"' not in page

    response = post_form(admin_client, f"{base}/pause", follow_redirects=True)
    assert response.status_code == 200
    assert "Broadcast paused." in response.get_data(as_text=True)
    assert _state(sessions, broadcast_id) == Broadcast.STATE_PAUSED
    page = response.get_data(as_text=True)
    assert f'action="{base}/resume"' in page and f'action="{base}/pause"' not in page

    again = post_form(admin_client, f"{base}/pause", follow_redirects=True)
    assert again.status_code == 200
    assert "This broadcast is paused: it cannot be paused." in again.get_data(as_text=True)

    before = queued()
    post_form(admin_client, f"{base}/resume")
    assert _state(sessions, broadcast_id) == Broadcast.STATE_SENDING
    assert queued() == before + tasks.DEFAULT_LANES

    done = post_form(admin_client, f"{base}/cancel", follow_redirects=True)
    assert "Broadcast cancelled. 7 families will not get it." in done.get_data(as_text=True)
    assert _state(sessions, broadcast_id) == Broadcast.STATE_CANCELLED
    assert _count(sessions, Delivery, Delivery.status == "cancelled") == 7

    refused = post_form(admin_client, f"{base}/resume", follow_redirects=True)
    assert refused.status_code == 200
    assert "This broadcast is cancelled: it cannot be resumed." in refused.get_data(as_text=True)
    assert [(a, t) for a, t, _ in _actions(sessions)] == [
        ("broadcast.pause", str(broadcast_id)),
        ("broadcast.resume", str(broadcast_id)),
        ("broadcast.cancel", str(broadcast_id)),
    ]
    assert _actions(sessions)[2][2]["deliveries_cancelled"] == 7


def test_a_missing_broadcast_is_not_found(admin_client):
    assert admin_client.get("/console/broadcasts/999").status_code == 404
    assert post_form(admin_client, "/console/broadcasts/999/cancel").status_code == 404


def test_the_history_lists_the_newest_first(admin_client, markham, sessions, settings):
    first = _sending_broadcast(sessions, settings)
    with sessions() as db:
        db.add(
            Broadcast(
                kind=Broadcast.KIND_REMINDER,
                texts={"es": "Mañana: Parent College"},
                audience={"kind": "school", "school": "markham"},
                state=Broadcast.STATE_DONE,
            )
        )
        db.commit()
    page = admin_client.get("/console/broadcasts/").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("<tr>")[1:]
    assert len(rows) == 2
    assert "Mañana: Parent College" in rows[0] and "reminder" in rows[0]
    assert "the line (automatic)" in rows[0]
    assert "Families of Markham Middle School" in rows[0]
    assert f'href="/console/broadcasts/{first}"' in rows[1]
    assert "Everyone subscribed" in rows[1] and "sending" in rows[1] and "announcement" in rows[1]
    assert '<td class="num">7</td>' in rows[1]
    assert "0%" in rows[1]  # nothing sent yet


def test_a_queue_that_does_not_answer_leaves_it_to_the_clock(
    admin_client, markham, sessions, monkeypatch
):
    def unreachable(huey, broadcast_id, lanes=2):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks, "enqueue_lanes", unreachable)
    response = _send(admin_client)
    assert response.status_code == 302
    broadcast_id = int(response.headers["Location"].rsplit("/", 1)[1])
    # Committed as sending: the worker's minute clock starts the lanes it finds missing.
    assert _state(sessions, broadcast_id) == Broadcast.STATE_SENDING
    assert _count(sessions, Delivery) == 6
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The send queue did not answer" in page
