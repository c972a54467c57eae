"""The staff console in a real browser (the system's Chromium through Playwright): a staff
member logs in, finds a family's conversation by search, replies, takes it over and releases it,
corrects what the bot understood, creates a Parent College session and checks a family in at
the door on a phone. Every step is what a person clicks; the database is checked after.

Screenshots of the main pages go to $SCREENSHOT_DIR when it is set (`make screenshots` writes
docs/screenshots/), to the test's temporary directory otherwise."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.models import Contact, ParentCollegeSession, Registration, StaffUser
from bot.models import Message as LoggedMessage
from bot.models import NluCorrection as Correction
from bot.staff.accounts import create_user

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
ADMIN = ("ana@partnership.test", "a long admin password")


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def admin(sessions):
    with session_scope(sessions) as session:
        create_user(session, ADMIN[0], ADMIN[1], StaffUser.ROLE_ADMIN, "Ana Admin")


def _context(browser, viewport, **options):
    return browser.new_context(viewport=viewport, locale="en-US", **options)


def _log_in(page, live_url: str) -> None:
    page.goto(live_url + "/console/")
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.get_by_label("Email").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways: {scroll}px wide"


def test_find_reply_take_over_release_and_correct(
    browser, live_url, admin, post_sms, sessions, shots
):
    post_sms("hola, a que hora es el parent college del sabado?", "+13235550100")
    post_sms("what's the address of Jordan?", "+13235550101")
    post_sms("<b>hola</b><script>window.hacked = 1</script>", "+13235550102")
    context = _context(browser, LAPTOP)
    page = context.new_page()
    page.goto(live_url + "/console/login")
    shots(page, "login")
    _log_in(page, live_url)
    expect(page.locator("a.open")).to_have_count(3)
    shots(page, "inbox")

    page.get_by_label("Search messages from families").fill("parent college")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("a.open")).to_have_count(1)
    page.locator("a.open").click()

    family_message = page.locator(".msg-in", has_text="a que hora es el parent college")
    expect(family_message).to_be_visible()
    expect(family_message).to_contain_text("greet")  # what the fake Rasa said it was
    page.get_by_label(re.compile("Text message to the family")).fill(
        "Hola, soy Ana de la Partnership. Es a las 9 de la mañana en Markham."
    )
    page.get_by_role("button", name="Send text").click()
    expect(page.get_by_text("Reply sent.")).to_be_visible()
    expect(page.locator(".msg", has_text="soy Ana de la Partnership")).to_be_visible()

    page.get_by_role("button", name="Release to the bot").click()
    expect(page.get_by_text("Released: the bot answers this family again.")).to_be_visible()
    page.get_by_role("button", name="Take over").click()
    expect(page.get_by_text("You have this conversation")).to_be_visible()

    family_message = page.locator(".msg-in", has_text="a que hora es el parent college")
    family_message.get_by_text("Correct what the bot understood").click()
    family_message.locator("select[name=intent]").select_option("ask_parent_college")
    family_message.locator("select[name=language]").select_option("es")
    family_message.get_by_role("button", name="Save correction").click()
    expect(page.get_by_text("Saved: this message is ask_parent_college (Spanish).")).to_be_visible()
    shots(page, "thread")

    with sessions() as session:
        staff_reply = session.execute(select(LoggedMessage).filter_by(sender="staff")).scalar_one()
        assert staff_reply.delivery_status == "sent"
        correction = session.execute(select(Correction)).scalar_one()
        assert (correction.intent, correction.language) == ("ask_parent_college", "es")

    # A family's HTML shows as text and its script never runs.
    page.goto(live_url + "/console/conversations/?q=script")
    page.locator("a.open").click()
    expect(page.locator(".msg-in .msg-body")).to_have_text(
        "<b>hola</b><script>window.hacked = 1</script>"
    )
    assert page.evaluate("window.hacked") is None

    for path, name in (
        ("/console/dashboard/", "dashboard"),
        ("/console/staff/", "staff"),
        ("/console/audit/", "audit-log"),
        ("/console/data/", "data"),
    ):
        page.goto(live_url + path)
        expect(page.locator("h1")).to_be_visible()
        shots(page, name)
    context.close()


def test_create_a_session_then_check_a_family_in_on_a_phone(
    browser, live_url, admin, sessions, shots
):
    context = _context(browser, LAPTOP)
    page = context.new_page()
    _log_in(page, live_url)
    page.get_by_role("link", name="Data").click()
    page.get_by_role("link", name="New Parent College session").click()
    page.locator("#f-title_en").fill("Parent College: reading with your child")
    page.locator("#f-title_es").fill("Parent College: leer con sus hijos")
    page.locator("#f-starts_at").fill("2031-01-18T09:00")
    page.locator("#f-ends_at").fill("2031-01-18T12:00")
    page.locator("#f-place").fill("Markham Middle School auditorium")
    page.locator("#f-capacity").fill("0")
    page.locator("#f-language").select_option(index=1)
    page.get_by_role("button", name="Add Parent College session").click()
    # Refused with the reason, and what was typed is still there.
    expect(page.get_by_text(re.compile("Capacity \\(adults\\) must be"))).to_be_visible()
    expect(page.locator("#f-title_es")).to_have_value("Parent College: leer con sus hijos")
    page.locator("#f-capacity").fill("40")
    shots(page, "session-form")
    page.get_by_role("button", name="Add Parent College session").click()
    expect(page.get_by_text("reading with your child").first).to_be_visible()

    with session_scope(sessions) as session:
        pc_session = session.execute(
            select(ParentCollegeSession).filter(ParentCollegeSession.place.like("%auditorium"))
        ).scalar_one()
        assert pc_session.capacity == 40 and pc_session.starts_at.hour == 17  # 9 a.m. in LA
        for number, name in ((140, "Rosa Díaz"), (141, "María López")):
            contact = Contact(phone=f"+1323555{number:04d}", language="es")
            session.add(Registration(contact=contact, session=pc_session, name=name, adults=2))
        session_id = pc_session.id
    context.close()

    phone = _context(browser, PHONE, is_mobile=True, has_touch=True)
    door = phone.new_page()
    _log_in(door, live_url)
    door.goto(f"{live_url}/console/registrations/{session_id}")
    door.get_by_label("Find a family").fill("rosa")
    door.get_by_role("button", name="Find").click()
    door.get_by_role("button", name="Check in").click()
    expect(door.get_by_text("Checked in: Rosa Díaz (2 adults).")).to_be_visible()
    expect(door.get_by_label("Find a family")).to_have_value("rosa")
    _fits(door, PHONE["width"])
    shots(door, "door-check-in-phone")
    door.goto(live_url + "/console/conversations/")
    _fits(door, PHONE["width"])
    shots(door, "inbox-phone")
    # Every main page is usable on a phone: nothing wider than the screen (wide tables and
    # charts scroll inside their own boxes).
    for path in (
        "/console/dashboard/",
        "/console/registrations/",
        "/console/data/",
        "/console/data/sessions/",
        f"/console/data/sessions/{session_id}/edit",
        "/console/staff/",
        "/console/audit/",
        "/console/account/",
    ):
        door.goto(live_url + path)
        expect(door.locator("h1")).to_be_visible()
        _fits(door, PHONE["width"])
    phone.close()

    with sessions() as session:
        statuses = dict(
            session.execute(
                select(Registration.name, Registration.status).filter_by(session_id=session_id)
            ).all()
        )
    assert statuses == {"Rosa Díaz": "attended", "María López": "registered"}


def test_an_admin_previews_and_sends_a_bilingual_broadcast_to_a_school(
    browser, live_url, admin, sessions, shots
):
    with session_scope(sessions) as session:
        from bot.models import School

        markham = session.execute(select(School.id).filter_by(slug="markham")).scalar_one()
        for number, language in (("+13235550190", "en"), ("+13235550191", "es")):
            session.add(Contact(phone=number, language=language, school_id=markham))
    context = _context(browser, LAPTOP)
    page = context.new_page()
    _log_in(page, live_url)
    page.get_by_role("link", name="Broadcasts").click()
    page.goto(live_url + "/console/broadcasts/new")
    page.locator("#b-title").fill("Markham closed Friday")
    page.locator("#b-text_en").fill("Markham is closed Friday for a teacher training day.")
    page.locator("#b-text_es").fill("Markham estará cerrada el viernes por capacitación.")
    page.get_by_label("The families of a school").check()
    page.locator("select[name=school]").select_option("markham")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("cell", name=re.compile("UCS-2"))).to_be_visible()
    shots(page, "broadcast-preview")
    page.get_by_role("button", name="Send to 2 families").click()
    expect(page.locator("h1")).to_contain_text("Markham closed Friday")
    shots(page, "broadcast-progress")
    with sessions() as session:
        from bot.models import Delivery

        phones = session.execute(select(Delivery.phone, Delivery.language)).all()
    assert sorted(phones) == [("+13235550190", "en"), ("+13235550191", "es")]
    context.close()


def test_an_admin_trains_compares_and_uses_a_model(
    browser, live_url, admin, post_sms, sessions, settings, fake_rasa, shots
):
    """The review loop as an admin clicks it (docs/review-loop.md). The worker is not running
    here, so the training stays queued; a finished one is put in the database as the worker
    leaves it, with figures compared on a few messages (bot/nlu/review_figures.py)."""
    from bot.models import NluTraining, utcnow
    from bot.nlu.review_figures import compare

    post_sms("oiga y lo de los sabados pa los papas cuando es", "+13235550100")
    post_sms("llamen al 323 555 0199 xfa", "+13235550101")
    with sessions() as session:
        for body, intent in (("sabados pa los papas", "ask_parent_college"),
                             ("323 555 0199", "talk_to_human")):  # fmt: skip
            message = session.execute(
                select(LoggedMessage).where(
                    LoggedMessage.direction == "in", LoggedMessage.body.contains(body)
                )
            ).scalar_one()
            session.add(Correction(message=message, intent=intent, language="es"))
        session.commit()

    context = _context(browser, LAPTOP)
    page = context.new_page()
    _log_in(page, live_url)
    page.get_by_role("link", name="Training").click()
    waiting = page.locator("#waiting")
    expect(waiting.get_by_role("cell", name="ask_parent_college")).to_be_visible()
    expect(waiting).to_contain_text("contains a phone number or email address")
    page.get_by_role("button", name="Train a new model").click()
    expect(page.get_by_role("heading", name="Training #1: queued")).to_be_visible()
    expect(page.locator("progress")).to_be_visible()
    page.get_by_role("link", name="← Training").click()
    expect(page.get_by_role("button", name="Train a new model")).to_be_disabled()
    shots(page, "training")

    live = {"written": {
        "es": [["cuando son las clases de papas", "ask_parent_college", "nlu_fallback"],
               ["a que hora sale el bus", "ask_bus", "ask_bus"],
               ["mi hijo esta enfermo", "report_absence", "report_absence"]],
        "en": [["when is the saturday class", "ask_parent_college", "ask_parent_college"],
               ["bus times?", "ask_bus", "nlu_fallback"]],
    }}  # fmt: skip
    new = {"written": {
        "es": [["cuando son las clases de papas", "ask_parent_college", "ask_parent_college"],
               ["a que hora sale el bus", "ask_bus", "ask_bus"],
               ["mi hijo esta enfermo", "report_absence", "report_absence"]],
        "en": [["when is the saturday class", "ask_parent_college", "ask_parent_college"],
               ["bus times?", "ask_bus", "nlu_fallback"]],
    }}  # fmt: skip
    model = settings.reviewed_models_dir / "reviewed-2.tar.gz"
    model.parent.mkdir(parents=True, exist_ok=True)
    model.write_bytes(b"a model")
    with sessions() as session:
        session.get(NluTraining, 1).status = "failed"  # no worker here to finish it
        session.add(NluTraining(
            status="ready", progress=1.0, model_file=model.name, finished_at=utcnow(),
            corrections={"added": {"es": {"ask_parent_college": 1}}, "kept_out": [{}]},
            figures={"live_model": "family-line-3f2a.tar.gz", **compare(live, new)},
        ))  # fmt: skip
        session.commit()
    page.goto(live_url + "/console/training/2")
    figures = page.locator("#figures")
    expect(figures).to_contain_text("1 test message is read differently: 1 now right")
    expect(figures.get_by_role("cell", name="cuando son las clases de papas")).to_be_visible()
    shots(page, "training-ready")
    page.get_by_role("button", name="Use this model").click()
    expect(page.get_by_text("now answered by the model of training #2")).to_be_visible()
    assert fake_rasa.loaded == [str(model)]
    expect(page.get_by_role("button", name="Go back to the model before it")).to_be_visible()
    _fits(page, LAPTOP["width"])
    context.close()
