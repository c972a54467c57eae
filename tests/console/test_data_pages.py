"""The Data pages: admins add, edit, archive, export and import schools, programs, events and
Parent College sessions; staff cannot reach them."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from sqlalchemy import func, select

from bot.directory import catalog
from bot.models import AuditLog, Contact, ParentCollegeSession, Program, School
from bot.parent_college.registrations import sign_up, upcoming_sessions
from tests.console.conftest import post_form

BEFORE_SEED_SESSIONS = datetime(2026, 12, 1, tzinfo=timezone.utc)

NEW_SESSION = {
    "title_en": "Parent College: Talking with teachers",
    "title_es": "Parent College: Cómo hablar con los maestros",
    "starts_at": "2027-03-06T09:00",
    "ends_at": "2027-03-06T12:00",
    "place": "Jordan High School library",
    "school": "jordan",
    "neighborhood": "watts",
    "capacity": "80",
    "language": "es",
    "notes": "Room 12",
}


def _count(sessions, model) -> int:
    with sessions() as db:
        return db.execute(select(func.count(model.id))).scalar_one()


def _actions(sessions) -> list[str]:
    with sessions() as db:
        return list(db.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def _session_by_slug(sessions, slug):
    with sessions() as db:
        return db.execute(select(ParentCollegeSession).filter_by(slug=slug)).scalar_one()


def _edit_values(sessions, kind, row_id) -> dict:
    with sessions() as db:
        values = catalog.as_values(kind, catalog.find(db, kind, row_id))
    values.pop("archived")
    values.pop("slug")
    return values


def _family(sessions, n, adults, name):
    with sessions() as db:
        pc = _session_by_slug(sessions, "2027-01-watts")
        pc = db.get(ParentCollegeSession, pc.id)
        contact = Contact(phone=f"+1323555{n:04d}")
        db.add(contact)
        db.flush()
        signed = sign_up(db, contact, pc, name, adults=adults, children=0)
        db.commit()
        return signed.registration.id


def test_staff_get_403_on_every_data_page(staff_client, sessions):
    pc = _session_by_slug(sessions, "2027-01-watts")
    for url in (
        "/console/data/",
        "/console/data/sessions/",
        "/console/data/sessions/new",
        f"/console/data/sessions/{pc.id}/edit",
        "/console/data/sessions/export.csv",
        "/console/data/sessions/import",
    ):
        assert staff_client.get(url).status_code == 403, url
    response = post_form(staff_client, f"/console/data/sessions/{pc.id}/archive")
    assert response.status_code == 403
    assert not _session_by_slug(sessions, "2027-01-watts").archived


def test_overview_counts_each_kind_and_links_to_its_list(admin_client, sessions):
    page = admin_client.get("/console/data/").get_data(as_text=True)
    schools = _count(sessions, School)
    assert f'<span class="big-number">{schools}</span> active' in page
    for kind in ("schools", "programs", "events", "sessions"):
        assert f'href="/console/data/{kind}/"' in page
    listing = admin_client.get("/console/data/sessions/").get_data(as_text=True)
    assert "Parent College: Supporting homework" in listing
    assert "2027-01-16 09:00" in listing  # Los Angeles time, as seeded


def test_creating_a_session_stores_utc_and_makes_a_slug(admin_client, sessions):
    response = post_form(admin_client, "/console/data/sessions/new", NEW_SESSION)
    assert response.status_code == 302
    slug = "2027-03-06-parent-college-talking-with-teachers"
    with sessions() as db:
        pc = db.execute(select(ParentCollegeSession).filter_by(slug=slug)).scalar_one()
        # 9:00 in Los Angeles on 6 March 2027 is still standard time (UTC-8).
        assert pc.starts_at == datetime(2027, 3, 6, 17, 0, tzinfo=timezone.utc)
        assert (pc.capacity, pc.language, pc.place) == (80, "es", "Jordan High School library")
        assert pc.title == {"en": NEW_SESSION["title_en"], "es": NEW_SESSION["title_es"]}
        assert pc.school.slug == "jordan" and pc.neighborhood.slug == "watts"
        assert pc.placeholders == [] and not pc.archived
    assert "data.session.create" in _actions(sessions)
    listing = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Added Parent College session" in listing and "2027-03-06 09:00" in listing


def test_invalid_values_are_shown_again_with_their_errors_and_nothing_is_saved(
    admin_client, sessions
):
    before = _count(sessions, ParentCollegeSession)
    bad = {
        **NEW_SESSION,
        "title_es": "",
        "capacity": "lots",
        "starts_at": "next saturday",
        "language": "french",
    }
    response = post_form(admin_client, "/console/data/sessions/new", bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved" in page
    assert "Capacity (adults) must be a whole number from 1 to 2000" in page
    assert "Starts must be a date and time like 2027-01-16 09:00" in page
    assert "Title (Spanish) is required" in page and "both English and Spanish" in page
    assert "Taught in must be one of" in page
    # What the admin typed is still in the form.
    assert 'value="lots"' in page and 'value="next saturday"' in page
    assert f'value="{NEW_SESSION["title_en"]}"' in page
    assert 'value="Jordan High School library"' in page
    assert _count(sessions, ParentCollegeSession) == before
    assert "data.session.create" not in _actions(sessions)


def test_ends_before_starts_is_refused(admin_client, sessions):
    response = post_form(
        admin_client, "/console/data/sessions/new", {**NEW_SESSION, "ends_at": "2027-03-06T08:00"}
    )
    assert response.status_code == 422
    assert "Ends must be after Starts (2027-03-06 09:00)" in response.get_data(as_text=True)


def test_editing_a_session_saves_only_what_changed(admin_client, sessions):
    pc = _session_by_slug(sessions, "2027-01-watts")
    form = admin_client.get(f"/console/data/sessions/{pc.id}/edit").get_data(as_text=True)
    assert 'value="2027-01-16T09:00"' in form and 'value="120"' in form
    values = _edit_values(sessions, "session", pc.id)

    unchanged = post_form(admin_client, f"/console/data/sessions/{pc.id}/edit", values)
    assert unchanged.status_code == 302
    assert _session_by_slug(sessions, "2027-01-watts").updated_at == pc.updated_at
    assert "data.session.update" not in _actions(sessions)

    values.update(place="Markham Middle School, auditorium", starts_at="2027-01-16 10:00")
    values["placeholders"] = "capacity"
    assert (
        post_form(admin_client, f"/console/data/sessions/{pc.id}/edit", values).status_code == 302
    )
    edited = _session_by_slug(sessions, "2027-01-watts")
    assert edited.place == "Markham Middle School, auditorium"
    assert edited.starts_at == datetime(2027, 1, 16, 18, 0, tzinfo=timezone.utc)
    assert edited.placeholders == ["capacity"]
    assert edited.slug == "2027-01-watts"
    with sessions() as db:
        entry = db.scalars(select(AuditLog).where(AuditLog.action == "data.session.update")).one()
        assert set(entry.detail["fields"]) == {"place", "starts_at", "placeholders"}


def test_capacity_cannot_drop_below_the_adults_registered(admin_client, sessions):
    pc = _session_by_slug(sessions, "2027-01-watts")
    _family(sessions, 1, 3, "Rosa Díaz")
    _family(sessions, 2, 2, "Ana Cruz")
    values = {**_edit_values(sessions, "session", pc.id), "capacity": "4"}
    response = post_form(admin_client, f"/console/data/sessions/{pc.id}/edit", values)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cannot be lower than the 5 adults already registered" in page
    assert _session_by_slug(sessions, "2027-01-watts").capacity == 120
    values["capacity"] = "5"
    assert (
        post_form(admin_client, f"/console/data/sessions/{pc.id}/edit", values).status_code == 302
    )
    assert _session_by_slug(sessions, "2027-01-watts").capacity == 5


def test_more_capacity_gives_seats_to_the_waitlist_in_order(admin_client, sessions):
    pc = _session_by_slug(sessions, "2027-01-watts")
    values = {**_edit_values(sessions, "session", pc.id), "capacity": "2"}
    assert (
        post_form(admin_client, f"/console/data/sessions/{pc.id}/edit", values).status_code == 302
    )
    _family(sessions, 1, 2, "Rosa Díaz")
    waiting = _family(sessions, 2, 2, "Ana Cruz")
    still_waiting = _family(sessions, 3, 3, "Luis Gil")
    values["capacity"] = "5"
    response = post_form(admin_client, f"/console/data/sessions/{pc.id}/edit", values)
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 waitlisted family now registered (Ana Cruz)" in page
    from bot.models import Registration

    with sessions() as db:
        assert db.get(Registration, waiting).status == "registered"
        assert db.get(Registration, still_waiting).status == "waitlisted"


def test_archiving_hides_a_session_from_the_bot_and_the_list(admin_client, sessions):
    pc = _session_by_slug(sessions, "2027-01-watts")
    with sessions() as db:
        assert pc.id in [s.id for s in upcoming_sessions(db, now=BEFORE_SEED_SESSIONS)]
    response = post_form(admin_client, f"/console/data/sessions/{pc.id}/archive")
    assert response.status_code == 302
    flashed = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "the bot no longer offers it to families" in flashed
    with sessions() as db:
        assert pc.id not in [s.id for s in upcoming_sessions(db, now=BEFORE_SEED_SESSIONS)]
    listing = admin_client.get("/console/data/sessions/").get_data(as_text=True)
    assert "Supporting homework" not in listing and "Show 1 archived" in listing
    shown = admin_client.get("/console/data/sessions/?archived=1").get_data(as_text=True)
    assert f'<tr class="archived" id="row-{pc.id}">' in shown

    assert post_form(admin_client, f"/console/data/sessions/{pc.id}/unarchive").status_code == 302
    with sessions() as db:
        assert pc.id in [s.id for s in upcoming_sessions(db, now=BEFORE_SEED_SESSIONS)]
    assert _actions(sessions)[-2:] == ["data.session.archive", "data.session.unarchive"]


def test_schools_need_a_dialable_phone_and_programs_both_languages(admin_client, sessions):
    school = {
        "name": "Watts Learning Center",
        "short_name": "Watts LC",
        "level": "elementary",
        "neighborhood": "watts",
        "phone": "323 555 0199",
        "aliases": "Watts LC, watts learning",
    }
    assert post_form(admin_client, "/console/data/schools/new", school).status_code == 302
    with sessions() as db:
        made = db.execute(select(School).filter_by(slug="watts-lc")).scalar_one()
        assert made.phone == "(323) 555-0199"
        assert made.aliases == ["watts lc", "watts learning"]
    bad = post_form(admin_client, "/console/data/schools/new", {**school, "phone": "12"})
    assert "Office phone must be a phone number like (323) 555-1234" in bad.get_data(as_text=True)

    before = _count(sessions, Program)
    response = post_form(
        admin_client,
        "/console/data/programs/new",
        {"name_en": "Tutoring", "name_es": "", "summary_en": "Help", "summary_es": "Ayuda"},
    )
    assert response.status_code == 422
    assert "Name (Spanish) is required" in response.get_data(as_text=True)
    assert _count(sessions, Program) == before


def test_export_downloads_a_bom_csv_and_is_audited(admin_client, sessions):
    response = admin_client.get("/console/data/programs/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "programs.csv" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbfslug,name_en,name_es,")
    assert "Educación artística".encode() in response.data
    assert _actions(sessions)[-1] == "data.program.export"


def _upload(client, kind, data: bytes, filename="data.csv"):
    return post_form(
        client,
        f"/console/data/{kind}/import",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_importing_the_export_changes_nothing_and_says_so(admin_client, sessions):
    exported = admin_client.get("/console/data/sessions/export.csv").data
    response = _upload(admin_client, "sessions", exported)
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 created, 0 updated, 3 unchanged" in page
    assert _actions(sessions)[-1] == "data.session.import"


def test_a_bad_upload_lists_its_problems_and_changes_nothing(admin_client, sessions):
    exported = admin_client.get("/console/data/sessions/export.csv").data.decode("utf-8-sig")
    lines = exported.splitlines()
    lines[1] = lines[1].replace(",120,", ",many,")
    edited_place = lines[2].replace("Roosevelt High School", "Roosevelt HS gym")
    lines[2] = edited_place
    response = _upload(admin_client, "sessions", "\r\n".join(lines).encode("utf-8"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in page
    assert "Row 2, column capacity: Capacity (adults) must be a whole number" in page
    assert "it says &#39;many&#39;" in page
    with sessions() as db:
        places = list(db.scalars(select(ParentCollegeSession.place)))
        assert not any("gym" in place for place in places)

    latin = _upload(admin_client, "sessions", exported.encode("cp1252"))
    assert latin.status_code == 422
    assert "not saved as UTF-8" in latin.get_data(as_text=True)
    assert "CSV UTF-8" in latin.get_data(as_text=True)

    nothing = post_form(
        admin_client, "/console/data/sessions/import", {}, content_type="multipart/form-data"
    )
    assert "Choose a CSV file" in nothing.get_data(as_text=True)
    assert "data.session.import" not in _actions(sessions)


def test_import_page_explains_the_columns(admin_client):
    page = admin_client.get("/console/data/events/import").get_data(as_text=True)
    for column in ("slug", "title_en", "title_es", "starts_at", "archived"):
        assert f"<code>{column}</code>" in page
    assert 'enctype="multipart/form-data"' in page


def test_unknown_kinds_and_rows_are_not_found(admin_client):
    assert admin_client.get("/console/data/families/").status_code == 404
    assert admin_client.get("/console/data/sessions/99999/edit").status_code == 404
