"""Wrong passwords are counted in the database before any is checked, per email typed and per
client address (issue 15, point 1): parallel guesses cannot get past the limit, an unknown email
locks exactly as a real one does, and admins see and lift the locks."""

from __future__ import annotations

import threading

import pytest

import bot.staff.accounts as accounts
from bot.staff.accounts import MAX_FAILED_LOGINS, authenticate
from bot.staff.login_throttle import LIMITS
from tests.console.conftest import PASSWORD, login, post_form

REAL = "rosa@partnership.test"


@pytest.fixture
def checked(monkeypatch):
    """How many passwords were actually checked against a hash."""
    calls = []
    real_check = accounts.check_password_hash

    def counting(hashed, password):
        calls.append(password)
        return real_check(hashed, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    return calls


def _guess_in_parallel(sessions, email, n, address=None):
    outcomes = []
    start = threading.Barrier(n)

    def guess(i):
        start.wait()
        with sessions() as session:
            result = authenticate(session, email, f"guess {i}", address=address)
            session.commit()
            outcomes.append(result.outcome)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_guesses_check_no_more_passwords_than_the_limit(make_staff, sessions, checked):
    make_staff("staff", REAL)
    outcomes = _guess_in_parallel(sessions, REAL, 24)
    assert len(outcomes) == 24
    assert len(checked) <= MAX_FAILED_LOGINS
    assert outcomes.count("locked") >= 24 - MAX_FAILED_LOGINS
    with sessions() as session:
        assert authenticate(session, REAL, PASSWORD).outcome == "locked"


def test_an_unknown_email_answers_and_locks_exactly_as_a_real_one(app, make_staff):
    make_staff("staff", REAL)
    pages = {}
    for email in (REAL, "nobody@partnership.test"):
        client = app.test_client()
        pages[email] = [login(client, email, "guess").data for _ in range(MAX_FAILED_LOGINS + 1)]
    real, unknown = pages.values()
    strip = [page.replace(b"nobody", b"rosa") for page in unknown]
    assert strip == real
    assert b"locked for 15 more minutes" in real[-1]


def test_one_address_guessing_many_emails_is_locked_other_addresses_are_not(make_staff, sessions):
    make_staff("staff", REAL)
    with sessions() as session:
        for i in range(LIMITS["address"]):
            authenticate(session, f"guess{i}@partnership.test", "x", address="203.0.113.9")
            session.commit()
        assert authenticate(session, REAL, PASSWORD, address="203.0.113.9").outcome == "locked"
        assert authenticate(session, REAL, PASSWORD, address="198.51.100.7").outcome == "ok"


def test_right_passwords_from_one_office_never_add_up_to_a_lock(make_staff, sessions):
    make_staff("staff", REAL)
    with sessions() as session:
        for _ in range(LIMITS["address"] + 5):
            assert authenticate(session, REAL, PASSWORD, address="203.0.113.9").outcome == "ok"
            session.commit()


def test_admins_see_every_lock_and_can_lift_one(app, admin_client, make_staff, sessions):
    make_staff("staff", REAL)
    guesser = app.test_client()
    for email in (REAL, "ceo@partnership.test"):
        for _ in range(MAX_FAILED_LOGINS):
            login(guesser, email, "guess")
    page = admin_client.get("/console/staff/").data.decode()
    assert "Locked out now" in page
    assert "ceo@partnership.test" in page and REAL in page
    from bot.models import LoginThrottle

    with sessions() as session:
        lock_id = session.query(LoginThrottle.id).filter_by(subject="ceo@partnership.test").scalar()
    post_form(admin_client, f"/console/staff/locks/{lock_id}/unlock")
    admin_client.get("/console/staff/")  # the page that shows the "Unlocked" message
    page = admin_client.get("/console/staff/").data.decode()
    locks = page[page.index("Locked out now") : page.index("New account</h2>")]
    assert "ceo@partnership.test" not in locks and REAL in locks
    assert login(app.test_client(), REAL).status_code == 401


def test_counts_of_days_ago_are_forgotten_by_the_daily_run(make_staff, sessions, settings):
    from datetime import timedelta

    from bot.models import LoginThrottle, utcnow
    from bot.privacy.retention import scheduled_purge

    make_staff("staff", REAL)
    with sessions() as session:
        authenticate(session, "typo@partnership.test", "guess", address="203.0.113.9")
        session.commit()
        for _ in range(MAX_FAILED_LOGINS):
            authenticate(session, REAL, "guess")
        session.commit()
    scheduled_purge(settings, now=utcnow() + timedelta(minutes=5))
    with sessions() as session:  # minutes later: every count and the lock are kept
        assert session.query(LoginThrottle).count() == 3
    scheduled_purge(settings.with_overrides(retention_days=0), now=utcnow() + timedelta(days=1))
    with sessions() as session:
        assert session.query(LoginThrottle).count() == 0


def test_an_email_with_a_nul_is_refused_like_any_wrong_one(app):
    response = login(app.test_client(), "rosa\x00@partnership.test", "guess")
    assert response.status_code == 401
