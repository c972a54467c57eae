"""Who a broadcast goes to: the audience staff chose, as stored in Broadcast.audience, and the
contacts it reaches.

Everything here is SQL: an audience is thousands of families, so it is selected, counted and
copied inside the database and never loaded into memory (an uploaded list is the one exception:
its numbers are already in the broadcast's JSON, and are sent to the database in chunks)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.models import Contact, Neighborhood, ParentCollegeSession, School
from bot.text.dates import day
from bot.text.languages import LANGUAGES, name_of
from bot.text.phone import to_e164

EVERYONE = "everyone"
SCHOOL = "school"
NEIGHBORHOOD = "neighborhood"
LANGUAGE = "language"
SESSION = "session"
LIST = "list"
KINDS = (EVERYONE, SCHOOL, NEIGHBORHOOD, LANGUAGE, SESSION, LIST)

# How staff label the phone column of a spreadsheet, compared without accents or case.
PHONE_COLUMNS = ("phone", "phone number", "telefono", "number", "numero", "cell", "celular")
# Numbers sent to the database per statement: well under SQLite's bound-parameter limit.
LIST_CHUNK = 1000
CONSENT_STAFF_LIST = "staff list"
# A bad line is quoted back to staff; a pasted essay need not be.
QUOTE_LIMIT = 40


class AudienceError(ValueError):
    """The audience cannot be used as given; the message is for the staff member who chose it."""


@dataclass(frozen=True)
class RejectedLine:
    """A line of an uploaded list that is not a phone number, quoted as staff wrote it."""

    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text!r}"


@dataclass(frozen=True)
class NumberList:
    """An uploaded list, read: the distinct numbers in E.164 (first-seen order), how many lines
    repeated a number already listed, and the lines that were no number at all."""

    numbers: tuple[str, ...]
    duplicates: int = 0
    rejected: tuple[RejectedLine, ...] = ()


@dataclass(frozen=True)
class Audience:
    kind: str
    school: str | None = None
    neighborhood: str | None = None
    language: str | None = None
    session_id: int | None = None
    include_waitlist: bool = False
    numbers: tuple[str, ...] = ()
    duplicates: int = 0
    rejected: tuple[RejectedLine, ...] = ()
    # The school's, neighbourhood's or session's name, looked up when parsed with a session.
    label: str | None = field(default=None, compare=False)

    @classmethod
    def parse(cls, data: Mapping[str, Any] | None, session: Session | None = None) -> Audience:
        """Reads Broadcast.audience. With a session, also checks that the school, neighbourhood
        or session named exists (staff input must be parsed with one) and looks up its name."""
        if not isinstance(data, Mapping) or not data.get("kind"):
            raise AudienceError("Choose who the broadcast goes to.")
        kind = data["kind"]
        if kind not in KINDS:
            raise AudienceError(f"Unknown audience {kind!r}: choose one of {', '.join(KINDS)}.")
        audience = _PARSERS[kind](data)
        if session is not None:
            audience = _with_label(session, audience)
        return audience

    @classmethod
    def from_list(cls, number_list: NumberList) -> Audience:
        if not number_list.numbers:
            raise AudienceError(_no_numbers_message(number_list))
        return cls(
            kind=LIST,
            numbers=number_list.numbers,
            duplicates=number_list.duplicates,
            rejected=number_list.rejected,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.kind == SCHOOL:
            data["school"] = self.school
        elif self.kind == NEIGHBORHOOD:
            data["neighborhood"] = self.neighborhood
        elif self.kind == LANGUAGE:
            data["language"] = self.language
        elif self.kind == SESSION:
            data["session_id"] = self.session_id
            data["include_waitlist"] = self.include_waitlist
        elif self.kind == LIST:
            data["numbers"] = list(self.numbers)
            data["duplicates"] = self.duplicates
            data["rejected"] = [{"line": r.line, "text": r.text} for r in self.rejected]
        return data

    def describe(self) -> str:
        """In staff's words, for the preview and the broadcast history."""
        if self.kind == EVERYONE:
            return "Everyone subscribed"
        if self.kind == SCHOOL:
            return f"Families of {self.label or self.school}"
        if self.kind == NEIGHBORHOOD:
            return f"Families of schools in {self.label or self.neighborhood}"
        if self.kind == LANGUAGE:
            return f"Families who text in {name_of(self.language)}"
        if self.kind == SESSION:
            what = self.label or f"Parent College session #{self.session_id}"
            waitlist = " (waitlist included)" if self.include_waitlist else ""
            return f"Families registered for {what}{waitlist}"
        count = len(self.numbers)
        return f"An uploaded list of {count} number{'s' if count != 1 else ''}"


def _parse_everyone(data: Mapping) -> Audience:
    return Audience(kind=EVERYONE)


def _slug(data: Mapping, key: str, what: str) -> str:
    slug = data.get(key)
    if not isinstance(slug, str) or not slug.strip():
        raise AudienceError(f"Choose the {what}.")
    return slug.strip()


def _parse_school(data: Mapping) -> Audience:
    return Audience(kind=SCHOOL, school=_slug(data, "school", "school"))


def _parse_neighborhood(data: Mapping) -> Audience:
    return Audience(kind=NEIGHBORHOOD, neighborhood=_slug(data, "neighborhood", "neighborhood"))


def _parse_language(data: Mapping) -> Audience:
    language = data.get("language")
    if language not in LANGUAGES:
        raise AudienceError("Choose English or Spanish.")
    return Audience(kind=LANGUAGE, language=language)


def _parse_session(data: Mapping) -> Audience:
    raw = data.get("session_id")
    try:
        if isinstance(raw, bool):
            raise ValueError(raw)
        session_id = int(raw)
    except (TypeError, ValueError):
        raise AudienceError("Choose the Parent College session.") from None
    return Audience(
        kind=SESSION, session_id=session_id, include_waitlist=bool(data.get("include_waitlist"))
    )


def _parse_list(data: Mapping) -> Audience:
    raw = data.get("numbers")
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise AudienceError("Upload or paste the list of phone numbers.")
    # Lines are numbered as staff sent them; numbers already read by parse_numbers come back
    # in E.164 with their earlier duplicates and rejected lines kept alongside.
    number_list = _read_numbers((i, str(n)) for i, n in enumerate(raw, start=1) if n is not None)
    earlier = tuple(
        RejectedLine(int(r["line"]), str(r["text"]))
        for r in data.get("rejected") or ()
        if isinstance(r, Mapping) and "line" in r
    )
    return Audience.from_list(
        NumberList(
            numbers=number_list.numbers,
            duplicates=number_list.duplicates + int(data.get("duplicates") or 0),
            rejected=earlier + number_list.rejected,
        )
    )


_PARSERS = {
    EVERYONE: _parse_everyone,
    SCHOOL: _parse_school,
    NEIGHBORHOOD: _parse_neighborhood,
    LANGUAGE: _parse_language,
    SESSION: _parse_session,
    LIST: _parse_list,
}


def _with_label(session: Session, audience: Audience) -> Audience:
    if audience.kind == SCHOOL:
        name = session.scalar(select(School.name).where(School.slug == audience.school))
        if name is None:
            raise AudienceError(
                f"There is no school {audience.school!r}: choose one from the list."
            )
        return _relabel(audience, name)
    if audience.kind == NEIGHBORHOOD:
        name = session.scalar(
            select(Neighborhood.name).where(Neighborhood.slug == audience.neighborhood)
        )
        if name is None:
            raise AudienceError(
                f"There is no neighborhood {audience.neighborhood!r}: choose one from the list."
            )
        return _relabel(audience, name)
    if audience.kind == SESSION:
        pc_session = session.get(ParentCollegeSession, audience.session_id)
        if pc_session is None:
            raise AudienceError(
                f"There is no Parent College session #{audience.session_id}: "
                "choose one from the list."
            )
        title = (pc_session.title or {}).get("en") or pc_session.slug
        return _relabel(audience, f"{title}, {day(pc_session.starts_at, 'en')}")
    return audience


def _relabel(audience: Audience, label: str) -> Audience:
    return replace(audience, label=label)


# --- Uploaded lists -------------------------------------------------------------------------


def parse_numbers(content: str | bytes) -> NumberList:
    """Reads a pasted list or an uploaded CSV/TXT file: one number per line, or a spreadsheet
    with a column named phone / teléfono / number. Any way of writing a US number works
    ("(323) 555-0100", "323.555.0100", "+1 323 555 0100"). Raises AudienceError when the file is
    not UTF-8 or holds no number at all."""
    text = _decode(content)
    rows = list(csv.reader(io.StringIO(text), delimiter=_separator(text)))
    column, first_data_row = _phone_column(rows)
    entries = (
        (line, row[column] if column < len(row) else "")
        for line, row in enumerate(rows, start=1)
        if line >= first_data_row
    )
    number_list = _read_numbers(entries)
    if not number_list.numbers:
        raise AudienceError(_no_numbers_message(number_list))
    return number_list


def _decode(content: str | bytes) -> str:
    if isinstance(content, str):
        return content
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark.
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AudienceError(
            "The file is not UTF-8 text. In Excel choose Save As > 'CSV UTF-8 (Comma delimited)', "
            "or paste the numbers instead."
        ) from None


def _separator(text: str) -> str:
    # A phone number never holds a tab, semicolon or comma, so the first line that has one
    # tells the separator (European Excel writes semicolons).
    for line in text.splitlines():
        for separator in ("\t", ";", ","):
            if separator in line:
                return separator
    return ","


def _folded(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _phone_column(rows: list[list[str]]) -> tuple[int, int]:
    """(the column holding the numbers, the first line of data)."""
    header = next((row for row in rows if any(cell.strip() for cell in row)), None)
    if header is None:
        return 0, 1
    header_line = rows.index(header) + 1
    names = [_folded(cell) for cell in header]
    for wanted in PHONE_COLUMNS:
        if wanted in names:
            return names.index(wanted), header_line + 1
    if len(header) > 1:
        # No header: the column whose first cell is a number ("Rosa,323 555 0100,Markham").
        for column, cell in enumerate(header):
            if to_e164(cell):
                return column, header_line
        raise AudienceError(
            "Which column holds the phone numbers? Name it 'phone' or 'teléfono' in the first "
            "row, or upload one number per line."
        )
    if not any(ch.isdigit() for ch in "".join(header)):
        # A title line over a single column ("Celulares"): not a bad number.
        return 0, header_line + 1
    return 0, 1


def _read_numbers(entries: Iterable[tuple[int, str]]) -> NumberList:
    seen: dict[str, None] = {}
    duplicates = 0
    rejected = []
    for line, raw in entries:
        if not raw.strip():
            continue
        number = to_e164(raw)
        if number is None:
            rejected.append(RejectedLine(line, _quoted(raw)))
        elif number in seen:
            duplicates += 1
        else:
            seen[number] = None
    return NumberList(tuple(seen), duplicates, tuple(rejected))


def _quoted(raw: str) -> str:
    raw = re.sub(r"\s+", " ", raw.strip())
    return raw if len(raw) <= QUOTE_LIMIT else raw[: QUOTE_LIMIT - 1] + "…"


def _no_numbers_message(number_list: NumberList) -> str:
    if not number_list.rejected:
        return "The list has no phone numbers."
    shown = "; ".join(str(r) for r in number_list.rejected[:3])
    more = len(number_list.rejected) - 3
    if more > 0:
        shown += f" and {more} more"
    return f"None of the lines is a phone number ({shown})."


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_skipping_conflicts(session: Session, table):
    """INSERT that skips rows whose unique key exists already (a concurrent run may have added
    them). Databases without ON CONFLICT get a plain INSERT: callers also check first."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return table.insert()


def contacts_with_phone(session: Session, phones: Sequence[str]) -> int:
    return session.scalar(
        select(func.count()).select_from(Contact).where(Contact.phone.in_(list(phones)))
    )


def ensure_list_contacts(session: Session, numbers: Sequence[str], chunk: int = LIST_CHUNK) -> int:
    """Makes a contact of every listed number that is none yet (consent source "staff list"),
    chunk by chunk; contacts that exist keep everything, opt-outs included. Returns how many
    were added."""
    added = 0
    for part in chunks(numbers, chunk):
        known = set(session.scalars(select(Contact.phone).where(Contact.phone.in_(part))))
        new = [number for number in part if number not in known]
        if not new:
            continue
        session.execute(
            insert_skipping_conflicts(session, Contact.__table__),
            [{"phone": n, "phone_valid": True, "consent_source": CONSENT_STAFF_LIST} for n in new],
        )
        added += contacts_with_phone(session, part) - len(known)
    return added
