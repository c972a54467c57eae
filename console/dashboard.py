"""The dashboard: what families texted about over the last 7, 30 or 90 days, how often the bot
did not understand or handed over to staff, Parent College seats and opt-outs, as headline
figures and charts (console/charts.py) with their numbers. Every figure links to the
conversations behind it where the inbox can filter them."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request, url_for

from bot.conversations import dashboard_stats
from bot.families.handoff import REASONS
from bot.text.dates import local
from bot.text.whole_numbers import whole_number
from webhooks.services import services

from . import chart_drawing, charts
from .auth import require_staff

bp = Blueprint("dashboard", __name__, url_prefix="/console/dashboard")
require_staff(bp)

LANGUAGE_SERIES = (
    ("en", "English", chart_drawing.EN_COLOR),
    ("es", "Spanish", chart_drawing.ES_COLOR),
    ("other", "Other or unknown", chart_drawing.OTHER_COLOR),
)
# The reasons in staff's words (bot.families.handoff), plus staff taking a conversation over
# themselves.
HANDOFF_REASONS = {**REASONS, dashboard_stats.TAKEN_OVER: "Taken over by staff"}


def _period_days() -> int:
    days = whole_number(request.args.get("days"))
    return days if days in dashboard_stats.PERIODS else dashboard_stats.DEFAULT_PERIOD


def _day_long(day: date) -> str:
    return f"{day:%a}, {day:%b} {day.day}"


def _day_short(day: date) -> str:
    return f"{day:%b} {day.day}"


def _inbox(period: dashboard_stats.Period, **filters) -> str:
    return url_for(
        "inbox.index",
        date_from=period.first_day.isoformat(),
        date_to=period.last_day.isoformat(),
        **filters,
    )


def messages_chart(stats: dashboard_stats.Dashboard):
    days = list(stats.messages_by_day)
    series = [
        charts.Series(label, [stats.messages_by_day[day][key] for day in days], color)
        for key, label, color in LANGUAGE_SERIES
        # "Other" only when there is some: it would be a legend entry with nothing to show.
        if key != "other" or stats.language_totals.get("other")
    ]
    return charts.column_chart(
        [_day_long(day) for day in days],
        series,
        title="Family messages per day",
        unit="messages",
        ticks=[_day_short(day) for day in days],
        hrefs=[
            url_for("inbox.index", date_from=day.isoformat(), date_to=day.isoformat())
            for day in days
        ],
        empty="No messages in this period",
    )


def intents_chart(stats: dashboard_stats.Dashboard):
    return charts.bar_chart(
        [
            charts.Bar(
                item.intent,
                item.count,
                href=_inbox(stats.period, intent=item.intent),
                note=f"{item.share:.1%}",
            )
            for item in stats.intents
        ],
        title="Top intents of family messages",
        unit="messages",
        label_heading="Intent",
        note_heading="Share",
        empty="No messages in this period",
    )


def handoff_chart(stats: dashboard_stats.Dashboard):
    return charts.bar_chart(
        [
            charts.Bar(HANDOFF_REASONS.get(reason, reason), count)
            for reason, count in stats.handoff_reasons
        ],
        title="Conversations handed to staff, by reason",
        unit="conversations",
        label_heading="Reason",
        color=chart_drawing.BAD_COLOR,
        empty="No conversation was handed to staff in this period",
    )


def sessions_chart(stats: dashboard_stats.Dashboard):
    bars = []
    for seats in stats.sessions:
        starts = local(seats.starts_at)
        note = f"{seats.waitlisted_adults:,} waitlisted" if seats.waitlisted else ""
        bars.append(
            charts.Bar(
                # Every title starts "Parent College: ", which would push the rest out of sight.
                f"{_day_short(starts.date())}: {seats.title.removeprefix('Parent College: ')}",
                seats.registered_adults,
                total=seats.capacity,
                href=url_for("registrations.index"),
                note=note,
            )
        )
    return charts.bar_chart(
        bars,
        title="Adults registered for the next Parent College sessions, against capacity",
        unit="adults",
        label_heading="Session",
        total_heading="Capacity",
        note_heading="Waitlist",
        color=chart_drawing.GOOD_COLOR,
        empty="No upcoming Parent College session",
    )


def consent_chart(stats: dashboard_stats.Dashboard):
    weeks = stats.consent_by_week
    return charts.column_chart(
        [f"Week of {_day_short(week.week_start)}" for week in weeks],
        [
            charts.Series("Opt-outs", [week.opt_outs for week in weeks], chart_drawing.BAD_COLOR),
            charts.Series("Opt-ins", [week.opt_ins for week in weeks], chart_drawing.GOOD_COLOR),
        ],
        title="Opt-outs and opt-ins per week",
        unit="families",
        stacked=False,
        ticks=[_day_short(week.week_start) for week in weeks],
        category_heading="Week",
        empty="No opt-outs or opt-ins in this period",
    )


@bp.route("/")
def index():
    days = _period_days()
    with services().sessions() as db:
        stats = dashboard_stats.dashboard(db, days)
    return render_template(
        "console/dashboard.html",
        stats=stats,
        periods=dashboard_stats.PERIODS,
        first_day=_day_long(stats.period.first_day),
        last_day=_day_long(stats.period.last_day),
        inbox=lambda **filters: _inbox(stats.period, **filters),
        handoff_reasons=HANDOFF_REASONS,
        charts={
            "messages": messages_chart(stats),
            "intents": intents_chart(stats),
            "handoffs": handoff_chart(stats),
            "sessions": sessions_chart(stats),
            "consent": consent_chart(stats),
        },
    )
