"""The compose form of the console's Broadcasts page as staff filled it in (a Draft): read back
into an audience, a send time and a fingerprint of what was previewed, so Send sends exactly what
the preview showed; and the choices the form offers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.broadcasting.audience import EVERYONE, LIST, Audience, AudienceError, parse_numbers
from bot.broadcasting.compose import (
    ComposeError,
    parse_when,
)
from bot.models import (
    Neighborhood,
    ParentCollegeSession,
    School,
    utcnow,
)
from bot.text.staff_time import staff_time


@dataclass
class Draft:
    """The compose form as staff filled it in; re-rendered as it was on every preview."""

    title: str = ""
    text_en: str = ""
    text_es: str = ""
    audience: str = EVERYONE
    school: str = ""
    neighborhood: str = ""
    language: str = ""
    session_id: str = ""
    include_waitlist: bool = False
    # Numbers pasted in the box, as typed.
    pasted: str = ""
    # Numbers read from a file at the last preview (a hidden box: a file input cannot be
    # filled again), one E.164 number a line, and the file's name.
    listed: str = ""
    listed_from: str = ""
    when: str = "now"
    at: str = ""
    urgent: bool = False

    @classmethod
    def from_form(cls, form: Mapping) -> Draft:
        text = {name: (form.get(name) or "") for name in TEXT_FIELDS}
        return cls(
            **text,
            include_waitlist=form.get("include_waitlist") == "1",
            urgent=form.get("urgent") == "1",
        )

    @property
    def texts(self) -> dict[str, str]:
        return {"en": self.text_en, "es": self.text_es}


TEXT_FIELDS = (
    "title",
    "text_en",
    "text_es",
    "audience",
    "school",
    "neighborhood",
    "language",
    "session_id",
    "pasted",
    "listed",
    "listed_from",
    "when",
    "at",
)


def list_audience(draft: Draft, upload) -> tuple[Audience, Draft]:
    """The uploaded or pasted list, read on the server every time (counts are never taken from
    the form). A new file wins, then the box; else the numbers of the last file."""
    if upload is not None and upload.filename:
        number_list = parse_numbers(upload.read())
        numbers = "\n".join(number_list.numbers)
        draft = replace(draft, listed=numbers, listed_from=upload.filename[:100], pasted="")
    elif draft.pasted.strip():
        number_list = parse_numbers(draft.pasted)
        draft = replace(draft, listed="", listed_from="")
    elif draft.listed.strip():
        number_list = parse_numbers(draft.listed)
    else:
        raise AudienceError("Upload a file of phone numbers, or paste them in the box.")
    return Audience.from_list(number_list), draft


def audience_of(db: Session, draft: Draft, upload) -> tuple[Audience, Draft]:
    if draft.audience == LIST:
        return list_audience(draft, upload)
    data = {
        "kind": draft.audience,
        "school": draft.school,
        "neighborhood": draft.neighborhood,
        "language": draft.language,
        "session_id": draft.session_id or None,
        "include_waitlist": draft.include_waitlist,
    }
    return Audience.parse(data, session=db), draft


def scheduled_at(draft: Draft) -> datetime | None:
    if draft.when != "later":
        return None
    if not draft.at.strip():
        raise ComposeError("Choose the day and time to send it, or choose Send now.")
    return parse_when(draft.at)


def preview_fingerprint(
    texts: dict, audience: Audience, when: datetime | None, urgent: bool
) -> str:
    """What the preview showed, so a send after a change to the form is previewed again first."""
    # Who gets it, not how the list was written: its repeats and bad lines are left out of the
    # numbers kept in the form, so they are not there again when it is sent.
    who = {k: v for k, v in audience.to_json().items() if k not in ("duplicates", "rejected")}
    what = {
        "texts": texts,
        "audience": who,
        "when": when.isoformat() if when else None,
        "urgent": urgent,
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:32]


def choices(db: Session) -> dict:
    schools = db.execute(
        select(School.slug, School.name).where(School.archived.is_(False)).order_by(School.name)
    ).all()
    neighborhoods = db.execute(
        select(Neighborhood.slug, Neighborhood.name).order_by(Neighborhood.name)
    ).all()
    upcoming = db.execute(
        select(ParentCollegeSession)
        .where(
            ParentCollegeSession.archived.is_(False),
            ParentCollegeSession.starts_at >= utcnow() - timedelta(days=1),
        )
        .order_by(ParentCollegeSession.starts_at)
    ).scalars()
    pc_sessions = [
        (str(s.id), f"{(s.title or {}).get('en') or s.slug}, {staff_time(s.starts_at)}")
        for s in upcoming
    ]
    return {"schools": schools, "neighborhoods": neighborhoods, "pc_sessions": pc_sessions}
