"""The staff inbox on a year of traffic: how long each filter and search takes on PostgreSQL.

    .venv/bin/python -m bench.console_search [--messages 1000000] [--contacts 30000] [--runs 30]
                                             [--admin-url postgresql://postgres@127.0.0.1:5432/test]
                                             [--keep]

Makes a new database on that server, migrates it to 0003, seeds it, loads a year of conversations
with COPY (families and bot, about 60% Spanish, realistic intents and confidences, ~5%
nlu_fallback, some waiting for staff), then migrates to head so 0004 builds its indexes on the
loaded table as it would on a live one, and runs ANALYZE. Each inbox query
(bot.conversations.inbox.inbox_page, exactly what the page runs) is timed --runs times after 2
warm-ups; the table gives p50 and p95 per query against the 300 ms p95 target. The database is
dropped afterwards unless --keep.

On a shared 2-core machine the figures are indicative: other work on it adds to them."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.conversations.dashboard_stats import dashboard
from bot.conversations.inbox import inbox_page
from bot.conversations.inbox_filters import InboxFilters
from bot.db import engine_for, session_factory, session_scope
from bot.models import School
from bot.text.dates import local
from tests.support.databases import POSTGRES_ADMIN_URL, drop_database

from .inbox_traffic import COMMON_WORD, NOW, RARE_WORD, Sizes, build_database, create_database

TARGET_P95_MS = 300.0
WARMUPS = 2


def cases(url: str) -> list[tuple[str, InboxFilters, str | None]]:
    with session_scope(session_factory(engine_for(url))) as session:
        school_id = session.execute(select(School.id).order_by(School.id)).scalars().first()
        first = inbox_page(session, InboxFilters())
    week_start = (NOW - timedelta(days=120)).date()
    today = local(NOW).date()
    return [
        ("first page", InboxFilters(), None),
        ("second page", InboxFilters(), first.older),
        ("language es", InboxFilters(language="es"), None),
        ("language en", InboxFilters(language="en"), None),
        ("intent ask_events", InboxFilters(intent="ask_events"), None),
        ("intent cancel_registration", InboxFilters(intent="cancel_registration"), None),
        ("confidence < 0.5", InboxFilters(max_confidence=0.5), None),
        ("fallbacks", InboxFilters(fallbacks=True), None),
        ("waiting for staff", InboxFilters(waiting=True), None),
        ("school", InboxFilters(school_id=school_id), None),
        (
            "dates: one week, 4 months ago",
            InboxFilters(date_from=week_start, date_to=week_start + timedelta(days=6)),
            None,
        ),
        ("dates: today", InboxFilters(date_from=today, date_to=today), None),
        (f"search common '{COMMON_WORD}'", InboxFilters(q=COMMON_WORD), None),
        (f"search rare '{RARE_WORD}'", InboxFilters(q=RARE_WORD), None),
        ("search less common 'camion'", InboxFilters(q="camion"), None),
        ("search absent word", InboxFilters(q="xylophone"), None),
        (
            "es + fallbacks + week",
            InboxFilters(
                language="es",
                fallbacks=True,
                date_from=week_start,
                date_to=week_start + timedelta(days=6),
            ),
            None,
        ),
        ("search + school", InboxFilters(q="parent college", school_id=school_id), None),
    ]


def measure(url: str, runs: int) -> list[tuple[str, int, float, float]]:
    factory = session_factory(engine_for(url))
    results = []
    for name, filters, before in cases(url):
        timings = []
        for attempt in range(WARMUPS + runs):
            with factory() as session:
                started = time.perf_counter()
                page = inbox_page(session, filters, before=before)
                elapsed = (time.perf_counter() - started) * 1000
            if attempt >= WARMUPS:
                timings.append(elapsed)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        results.append((name, len(page.rows), statistics.median(timings), p95))
    return results


def print_table(results, sizes: Sizes, counts: dict[str, int]) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nload average (1, 5, 15 min) after the runs: {load} on {os.cpu_count()} CPUs")
    print(
        f"{counts['message']:,} messages, {counts['conversation']:,} conversations, "
        f"{counts['contact']:,} contacts; p95 target {TARGET_P95_MS:.0f} ms"
    )
    print(f"{'query':<34} {'rows':>5} {'p50 ms':>8} {'p95 ms':>8}  target")
    for name, rows, p50, p95 in results:
        verdict = "ok" if p95 < TARGET_P95_MS else "MISSED"
        print(f"{name:<34} {rows:>5} {p50:>8.1f} {p95:>8.1f}  {verdict}")


DASHBOARD_RUNS = 5


def print_dashboard(url: str) -> None:
    """The dashboard's whole set of figures per period: no target, but staff open it daily."""
    factory = session_factory(engine_for(url))
    print(f"\n{'dashboard (all figures)':<34} {'p50 ms':>14} {'max ms':>8}")
    for days in (7, 30, 90):
        timings = []
        for _ in range(DASHBOARD_RUNS + 1):
            with factory() as session:
                started = time.perf_counter()
                dashboard(session, days, NOW)
                timings.append((time.perf_counter() - started) * 1000)
        timings = sorted(timings[1:])  # the first run warms the cache
        print(f"{f'last {days} days':<34} {statistics.median(timings):>14.1f} {timings[-1]:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--keep", action="store_true", help="leave the database for EXPLAIN")
    args = parser.parse_args()
    sizes = Sizes(contacts=args.contacts, messages=args.messages)
    url = create_database(args.admin_url)
    try:
        print(f"database {url}")
        build_database(url, sizes)
        with engine_for(url).connect() as connection:
            counts = {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("message", "conversation", "contact")
            }
        print_table(measure(url, args.runs), sizes, counts)
        print_dashboard(url)
    finally:
        engine_for(url).dispose()
        if args.keep:
            print(f"kept: {url}")
        else:
            drop_database(make_url(url).database, args.admin_url)


if __name__ == "__main__":
    main()
