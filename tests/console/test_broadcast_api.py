"""Broadcasts in the JSON API: any staff token reads them; previewing, creating, pausing,
resuming and cancelling need an admin's token; bad input is a 400 that says why."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.broadcasting import tasks
from bot.models import AuditLog, Broadcast, Contact, Delivery, School
from bot.text.dates import LOCAL_TZ
from webhooks.services import services

TEXTS = {"en": "School is closed Friday.", "es": "La escuela estará cerrada el viernes."}
MARKHAM = {"kind": "school", "school": "markham"}


@pytest.fixture
def families(sessions):
    """Markham: 2 English, 2 Spanish, 1 opted out; Gompers: 1 Spanish."""
    with sessions() as db:
        school_ids = dict(db.execute(select(School.slug, School.id)).all())
        for phone, language, school, opted_out in [
            ("+13235550001", "en", "markham", False),
            ("+13235550002", "en", "markham", False),
            ("+13235550003", "es", "markham", False),
            ("+13235550004", "es", "markham", False),
            ("+13235550005", "es", "markham", True),
            ("+13235550006", "es", "gompers", False),
        ]:
            db.add(
                Contact(
                    phone=phone,
                    language=language,
                    school_id=school_ids[school],
                    opted_out=opted_out,
                )
            )
        db.commit()


@pytest.fixture
def admin(api_token):
    return api_token("admin")


@pytest.fixture
def staff(api_token):
    return api_token("staff")


def _count(sessions, model, *where) -> int:
    with sessions() as db:
        return db.scalar(select(func.count()).select_from(model).where(*where))


def _create(client, headers, **fields):
    body = {"texts": TEXTS, "audience": MARKHAM, "title": "Closed Friday", **fields}
    return client.post("/api/broadcasts/", json=body, headers=headers)


def test_a_preview_counts_each_language_and_the_cost(client, admin, families, sessions, settings):
    response = client.post(
        "/api/broadcasts/preview", json={"texts": TEXTS, "audience": MARKHAM}, headers=admin
    )
    assert response.status_code == 200
    preview = response.json["preview"]
    assert preview["recipients"] == 4
    assert preview["audience"] == "Families of Markham Middle School"
    assert preview["by_language"] == {
        "en": {
            "recipients": 2,
            "characters": 24,
            "segments": 1,
            "encoding": "GSM-7",
            "cost": pytest.approx(2 * settings.segment_price),
        },
        "es": {
            "recipients": 2,
            "characters": 37,
            "segments": 1,
            "encoding": "UCS-2",
            "cost": pytest.approx(2 * settings.segment_price),
        },
    }
    assert preview["excluded"]["opted_out"] == 1
    assert preview["total_cost"] == pytest.approx(4 * settings.segment_price)
    assert _count(sessions, Broadcast) == 0


def test_a_list_is_counted_by_the_server(client, admin, families):
    audience = {
        "kind": "list",
        "numbers": ["323 555 0001", "(323) 555-0001", "not a number", "+13235550077"],
        # A caller's own counts are not used.
        "duplicates": 500,
        "rejected": [{"line": 1, "text": "x"}],
    }
    preview = client.post(
        "/api/broadcasts/preview", json={"texts": TEXTS, "audience": audience}, headers=admin
    ).json["preview"]
    assert preview["recipients"] == 2
    assert preview["excluded"]["duplicates"] == 1
    assert preview["excluded"]["rejected_lines"] == [{"line": 3, "text": "not a number"}]
    assert preview["excluded"]["not_found"] == 1


def test_create_sends_now_and_is_audited(client, admin, families, sessions, app):
    response = _create(client, admin)
    assert response.status_code == 201
    broadcast = response.json["broadcast"]
    assert broadcast["state"] == "sending" and broadcast["recipients"] == 4
    assert broadcast["audience"]["description"] == "Families of Markham Middle School"
    assert _count(sessions, Delivery, Delivery.broadcast_id == broadcast["id"]) == 4
    with app.app_context():
        assert services().huey.pending_count() == tasks.DEFAULT_LANES
    with sessions() as db:
        entry = db.scalar(select(AuditLog).where(AuditLog.action == "broadcast.create"))
        assert entry.target_id == str(broadcast["id"])
        assert entry.detail["via"] == "api" and entry.detail["recipients"] == 4


@pytest.mark.parametrize(
    "scheduled_at",
    ["{local:%Y-%m-%d %H:%M}", "{utc:%Y-%m-%dT%H:%M:%SZ}", "{local_iso}"],
)
def test_create_later_schedules_it(client, admin, families, sessions, scheduled_at):
    local = (datetime.now(LOCAL_TZ) + timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    utc = local.astimezone(timezone.utc)
    sent = scheduled_at.format(local=local, utc=utc, local_iso=local.isoformat())
    response = _create(client, admin, scheduled_at=sent, urgent=True)
    assert response.status_code == 201, response.json
    broadcast = response.json["broadcast"]
    assert broadcast["state"] == "scheduled" and broadcast["urgent"] is True
    assert broadcast["scheduled_at"] == utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert broadcast["recipients"] is None
    assert _count(sessions, Delivery) == 0


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"texts": {"en": "", "es": " "}}, "Write the message in English, Spanish or both."),
        ({"texts": {"fr": "Bonjour"}}, '"texts" takes "en" and "es", not fr.'),
        ({"texts": "hello"}, '"texts" must be an object'),
        ({"audience": {"kind": "planet"}}, "Unknown audience 'planet'"),
        ({"audience": {"kind": "school", "school": "hogwarts"}}, "There is no school"),
        ({"audience": None}, '"audience" must be an object'),
        ({"scheduled_at": "next friday"}, "Give the time to send it like 2026-12-01 09:00"),
        ({"scheduled_at": "2020-01-01 09:00"}, "has passed"),
        ({"urgent": "yes"}, '"urgent" must be true or false.'),
        ({"texts": {"en": "a" * 1601}}, "The English text is 1,601 characters"),
    ],
)
def test_bad_input_is_refused_with_why(client, admin, families, sessions, body, detail):
    response = _create(client, admin, **body)
    assert response.status_code == 400
    assert detail in str(response.json["detail"])
    assert _count(sessions, Broadcast) == 0


def test_a_body_that_is_not_json_is_refused(client, admin):
    response = client.post("/api/broadcasts/", data="texts=hi", headers=admin)
    assert response.status_code == 400 and response.is_json


def test_staff_read_but_cannot_write(client, admin, staff, families, sessions):
    created = _create(client, admin).json["broadcast"]
    second = _create(client, admin, title="Second").json["broadcast"]
    listing = client.get("/api/broadcasts", headers=staff)
    assert listing.status_code == 200
    assert [b["id"] for b in listing.json["broadcasts"]] == [second["id"], created["id"]]
    page = client.get("/api/broadcasts/?limit=1", headers=staff).json
    assert [b["id"] for b in page["broadcasts"]] == [second["id"]]
    older = client.get(f"/api/broadcasts/?limit=1&before={page['next']}", headers=staff).json
    assert [b["id"] for b in older["broadcasts"]] == [created["id"]] and older["next"] is None
    assert client.get("/api/broadcasts/?limit=0", headers=staff).status_code == 400

    status = client.get(f"/api/broadcasts/{created['id']}", headers=staff)
    assert status.status_code == 200
    assert status.json["progress"]["buckets"]["queued"] == {"count": 4, "percent": 100.0}
    assert status.json["broadcast"]["texts"] == TEXTS

    pause = f"/api/broadcasts/{created['id']}/pause"
    writes = ("/api/broadcasts/", "/api/broadcasts/preview", pause)
    for path in writes:
        response = client.post(path, json={"texts": TEXTS, "audience": MARKHAM}, headers=staff)
        assert response.status_code == 403, path
    assert _count(sessions, Broadcast) == 2
    assert client.get("/api/broadcasts/999", headers=staff).status_code == 404


def test_pause_resume_and_cancel(client, admin, families, sessions):
    broadcast_id = _create(client, admin).json["broadcast"]["id"]
    base = f"/api/broadcasts/{broadcast_id}"
    paused = client.post(f"{base}/pause", headers=admin)
    assert paused.status_code == 200 and paused.json["broadcast"]["state"] == "paused"
    again = client.post(f"{base}/pause", headers=admin)
    assert again.status_code == 409
    assert again.json["detail"] == f"Broadcast {broadcast_id} is paused: it cannot be paused."
    assert client.post(f"{base}/resume", headers=admin).json["broadcast"]["state"] == "sending"
    cancelled = client.post(f"{base}/cancel", headers=admin)
    assert cancelled.json["broadcast"]["state"] == "cancelled"
    assert _count(sessions, Delivery, Delivery.status == "cancelled") == 4
    assert client.post(f"{base}/resume", headers=admin).status_code == 409
    with sessions() as db:
        actions = db.scalars(
            select(AuditLog.action).where(AuditLog.action.like("broadcast.%")).order_by(AuditLog.id)
        ).all()
    assert actions == [f"broadcast.{a}" for a in ("create", "pause", "resume", "cancel")]


def test_no_token_no_broadcasts(client):
    for method, path in (("GET", "/api/broadcasts/"), ("POST", "/api/broadcasts/preview")):
        response = client.open(path, method=method)
        assert response.status_code == 401 and response.is_json
