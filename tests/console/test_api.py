"""The JSON API: token auth, roles, data and registrations, audit entries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import (
    AuditLog,
    Conversation,
    Message,
    NluCorrection,
    ParentCollegeSession,
    School,
    StaffUser,
)
from bot.staff.accounts import revoke_api_token


def test_a_token_reads_the_schools_as_json(client, api_token, sessions):
    headers = api_token("staff")
    response = client.get("/api/schools", headers=headers)
    assert response.status_code == 200
    with sessions() as session:
        names = session.execute(
            select(School.name).filter_by(archived=False).order_by(School.name)
        ).scalars()
        assert [school["name"] for school in response.json["schools"]] == list(names)
    assert response.headers["Cache-Control"] == "no-store"


def test_programs_events_and_sessions_are_listed(client, api_token, sessions):
    headers = api_token("staff")
    for path, key in (("/api/programs", "programs"), ("/api/events", "events")):
        response = client.get(path, headers=headers)
        assert response.status_code == 200 and isinstance(response.json[key], list)
    sessions_json = client.get("/api/sessions", headers=headers).json["sessions"]
    with sessions() as session:
        count = len(session.execute(select(ParentCollegeSession).filter_by(archived=False)).all())
    assert len(sessions_json) == count
    for pc_session in sessions_json:
        assert pc_session["seats_left"] == pc_session["capacity"] - pc_session["adults_registered"]


def test_a_revoked_or_switched_off_token_stops_working(client, api_token, sessions):
    headers = api_token("staff")
    with sessions() as session:
        user = session.execute(select(StaffUser)).scalar_one()
        revoke_api_token(user)
        session.commit()
    assert client.get("/api/schools", headers=headers).status_code == 401
    other = api_token("admin")
    with sessions() as session:
        session.execute(select(StaffUser).filter_by(role="admin")).scalar_one().active = False
        session.commit()
    assert client.get("/api/schools", headers=other).status_code == 401


def test_a_console_login_cookie_is_not_an_api_token(staff_client):
    response = staff_client.get("/api/schools")
    assert response.status_code == 401
    assert "Bearer" in response.json["detail"]


def test_reading_a_sessions_registrations_is_audited(client, api_token, sessions):
    headers = api_token("staff")
    with sessions() as session:
        pc_session = session.execute(select(ParentCollegeSession)).scalars().first()
    response = client.get(f"/api/sessions/{pc_session.id}/registrations", headers=headers)
    assert response.status_code == 200
    assert response.json["session"]["slug"] == pc_session.slug
    with sessions() as session:
        viewed = select(AuditLog).filter_by(action="registrations.view")
        entry = session.execute(viewed).scalar_one()
        assert entry.detail == {"via": "api"} and entry.target_id == str(pc_session.id)
    assert client.get("/api/sessions/999999/registrations", headers=headers).status_code == 404


def _sms_conversation(post_sms, sessions, body="hola, cuando es parent college?"):
    post_sms(body, "+13235550142")
    with sessions() as session:
        conversation = session.execute(select(Conversation)).scalar_one()
        family = session.execute(select(Message).filter_by(direction="in")).scalar_one()
        return conversation.id, family.id


def test_a_conversation_reads_with_its_messages_and_the_read_is_audited(
    client, api_token, post_sms, sessions
):
    conversation_id, family_id = _sms_conversation(post_sms, sessions)
    headers = api_token("staff")
    response = client.get(f"/api/conversations/{conversation_id}", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert body["conversation"]["contact"]["phone"] == "+13235550142"
    assert [m["sender"] for m in body["messages"]] == ["family", "bot"]
    assert body["messages"][0]["body"] == "hola, cuando es parent college?"
    with sessions() as session:
        entry = session.execute(select(AuditLog).filter_by(action="conversation.view")).scalar_one()
        assert entry.target_id == str(conversation_id) and entry.detail["via"] == "api"
    assert client.get("/api/conversations/999999", headers=headers).status_code == 404


def test_reply_take_over_release_and_correct_through_the_api(client, api_token, post_sms, sessions):
    conversation_id, family_id = _sms_conversation(post_sms, sessions)
    headers = api_token("staff")
    sent = client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"body": "Hola, soy Rosa de la Partnership. Parent College es el sábado."},
        headers=headers,
    )
    assert sent.status_code == 201, sent.json
    assert sent.json["message"]["sender"] == "staff"
    assert sent.json["message"]["delivery_status"] == "sent"  # the console transport
    with sessions() as session:
        assert session.get(Conversation, conversation_id).handled_by_staff
    released = client.post(f"/api/conversations/{conversation_id}/release", headers=headers)
    assert released.json["conversation"]["handled_by_staff"] is False
    taken = client.post(f"/api/conversations/{conversation_id}/take-over", headers=headers)
    assert taken.json["conversation"]["handled_by_staff"] is True

    corrected = client.put(
        f"/api/messages/{family_id}/correction",
        json={"intent": "ask_parent_college", "language": "es"},
        headers=headers,
    )
    assert corrected.status_code == 200
    assert corrected.json["message"]["correction"] == {
        "intent": "ask_parent_college",
        "language": "es",
    }
    with sessions() as session:
        assert session.execute(select(NluCorrection.intent)).scalar_one() == "ask_parent_college"


@pytest.mark.parametrize(
    "payload, expected",
    [
        ({"body": ""}, "Write a message"),
        ({"body": 5}, '"body" must be'),
        ({"body": "x" * 1601}, "at most 1,600"),
    ],
)
def test_a_bad_reply_is_a_400_with_the_reason(
    client, api_token, post_sms, sessions, payload, expected
):
    conversation_id, _ = _sms_conversation(post_sms, sessions)
    response = client.post(
        f"/api/conversations/{conversation_id}/messages", json=payload, headers=api_token()
    )
    assert response.status_code == 400
    assert expected in response.json["detail"]
    with sessions() as session:
        assert session.execute(select(Message).filter_by(sender="staff")).first() is None


def test_a_correction_with_an_unknown_intent_or_no_json_is_refused(
    client, api_token, post_sms, sessions
):
    _, family_id = _sms_conversation(post_sms, sessions)
    headers = api_token()
    url = f"/api/messages/{family_id}/correction"
    wrong = client.put(url, json={"intent": "order_pizza", "language": "es"}, headers=headers)
    assert wrong.status_code == 400 and "order_pizza" in wrong.json["detail"]
    not_json = client.put(url, data="intent=greet", headers=headers)
    assert not_json.status_code == 400 and "JSON" in not_json.json["detail"]


def test_the_conversation_list_takes_the_inbox_filters(client, api_token, post_sms, sessions):
    post_sms("hola, cuando es parent college?", "+13235550142")
    post_sms("what is the address of markham", "+13235550143")
    headers = api_token()
    everyone = client.get("/api/conversations", headers=headers).json
    assert len(everyone["conversations"]) == 2 and everyone["next"] is None
    found = client.get("/api/conversations?q=markham", headers=headers).json["conversations"]
    assert [row["contact"]["phone"] for row in found] == ["(323) 555-0143"]
    one = client.get("/api/conversations?limit=1", headers=headers).json
    older = client.get(f"/api/conversations?limit=1&before={one['next']}", headers=headers).json
    assert {one["conversations"][0]["id"], older["conversations"][0]["id"]} == {
        row["id"] for row in everyone["conversations"]
    }
    with sessions() as session:
        searched = session.execute(select(AuditLog).filter_by(action="conversations.search"))
        assert searched.scalar_one().detail == {"q": "markham", "via": "api"}


@pytest.mark.parametrize(
    "query", ["language=fr", "limit=0", "limit=500", "before=garbage", "date_from=yesterday"]
)
def test_bad_list_parameters_are_a_400_that_says_why(client, api_token, query):
    response = client.get(f"/api/conversations?{query}", headers=api_token())
    assert response.status_code == 400
    assert response.json["detail"]


def test_a_family_is_checked_in_through_the_api(client, api_token, sessions):
    from bot.models import Contact, Registration

    with sessions() as session:
        pc_session = session.execute(select(ParentCollegeSession)).scalars().first()
        contact = Contact(phone="+13235550150", language="es")
        registration = Registration(contact=contact, session=pc_session, name="Rosa", adults=2)
        session.add_all([contact, registration])
        session.commit()
        registration_id = registration.id
    headers = api_token()
    first = client.post(f"/api/registrations/{registration_id}/check-in", headers=headers)
    assert first.status_code == 200
    assert first.json["registration"]["status"] == "attended" and first.json["already"] is False
    again = client.post(f"/api/registrations/{registration_id}/check-in", headers=headers)
    assert again.json["already"] is True
    with sessions() as session:
        entries = session.execute(select(AuditLog).filter_by(target_type="registration")).all()
        assert len(entries) == 1
    assert client.post("/api/registrations/999999/check-in", headers=headers).status_code == 404


NEW_SESSION = {
    "title_en": "Parent College: math at home",
    "title_es": "Parent College: matemáticas en casa",
    "starts_at": "2031-02-01 09:00",
    "place": "Jordan High School library",
    "capacity": 30,
    "language": "both",
}


def test_an_admin_creates_and_changes_a_session_through_the_api(client, api_token, sessions):
    headers = api_token("admin")
    created = client.post("/api/data/sessions", json=NEW_SESSION, headers=headers)
    assert created.status_code == 201, created.json
    session_json = created.json["session"]
    assert session_json["capacity"] == "30" and session_json["starts_at"] == "2031-02-01 09:00"
    changed = client.patch(
        f"/api/data/sessions/{session_json['id']}", json={"capacity": 45}, headers=headers
    )
    assert changed.status_code == 200 and changed.json["session"]["capacity"] == "45"
    with sessions() as session:
        row = session.get(ParentCollegeSession, session_json["id"])
        assert (row.capacity, row.place) == (45, "Jordan High School library")
        actions = session.execute(select(AuditLog.action).filter_by(target_type="session"))
        assert list(actions.scalars()) == ["data.session.create", "data.session.update"]


def test_bad_data_is_a_400_per_field_and_staff_tokens_cannot_write(client, api_token, sessions):
    admin = api_token("admin")
    bad = client.post("/api/data/sessions", json={**NEW_SESSION, "capacity": 0}, headers=admin)
    assert bad.status_code == 400 and "capacity" in bad.json["detail"]
    unknown = client.post("/api/data/sessions", json={**NEW_SESSION, "color": 1}, headers=admin)
    assert unknown.status_code == 400 and "color" in unknown.json["detail"]
    assert client.post("/api/data/trophies", json={}, headers=admin).status_code == 404
    staff = api_token("staff")
    refused = client.post("/api/data/sessions", json=NEW_SESSION, headers=staff)
    assert refused.status_code == 403
    with sessions() as session:
        titles = session.execute(select(ParentCollegeSession.place)).scalars().all()
        assert "Jordan High School library" not in titles
