"""Staff editing what the bot knows: schools, programs, events and Parent College sessions.

One field spec per kind drives the console's forms and the CSV import and export, so a value is
checked the same way however it arrives. Values come in as the text a person typed (a form field
or a CSV cell, keyed by column name) and `validate` turns them into model attributes or into one
message per column that tells a staff member what to write instead. Times are typed and shown on
Los Angeles wall-clock time and stored in UTC. Nothing here commits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Event, Neighborhood, ParentCollegeSession, Program, Registration, School
from bot.parent_college.registrations import _promote_from_waitlist
from bot.text.dates import LOCAL_TZ, local, utc
from bot.text.folding import fold
from bot.text.phone import to_e164

TEXT_LIMIT = 2000
CAPACITY_MAX = 2000
SLUG_MAX = 64
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIME_FORMAT = "%Y-%m-%d %H:%M"
# What people type, and what Excel turns "2027-01-16 09:00" into when it re-saves a CSV.
TIME_FORMATS_READ = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%y %H:%M",
    "%m/%d/%y %I:%M %p",
)
YES = {"yes", "y", "true", "1", "si", "sí", "x"}
NO = {"no", "n", "false", "0", ""}
# Adults in these statuses are in the room (or will be): capacity may not drop below them.
HOLDING_A_SEAT = (Registration.STATUS_REGISTERED, Registration.STATUS_ATTENDED)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str  # text, long, phone, translated, int, datetime, choice, school, neighborhood,
    #            aliases, placeholders
    required: bool = False
    max_length: int = TEXT_LIMIT
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        if self.type == "translated":
            return (f"{self.name}_en", f"{self.name}_es")
        return (self.name,)

    @property
    def attribute(self) -> str:
        # A reference is typed as the other row's slug and stored as its id.
        return f"{self.name}_id" if self.type in ("school", "neighborhood") else self.name

    @property
    def long(self) -> bool:
        return self.type == "long" or self.name in ("summary", "description")


@dataclass(frozen=True)
class Kind:
    name: str  # "session": audit actions are data.<name>.create and so on
    url: str  # "sessions": /console/data/sessions/
    label: str
    plural: str
    model: type
    fields: tuple[Field, ...]
    slug_from: str
    dated: bool = False  # slugs start with the date, like the seed's

    @property
    def field_columns(self) -> tuple[str, ...]:
        return tuple(column for f in self.fields for column in f.columns)

    @property
    def columns(self) -> tuple[str, ...]:
        """The CSV's columns, in order."""
        return ("slug", *self.field_columns, "archived")

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _placeholders(*names: str) -> Field:
    return Field(
        "placeholders",
        "Still to confirm",
        "placeholders",
        choices=tuple((name, name) for name in names),
        hint="Facts not confirmed yet. The bot never makes them up: it tells families it "
        "does not have that detail yet.",
    )


LANGUAGE_CHOICES = (("both", "English and Spanish"), ("en", "English"), ("es", "Spanish"))
WHEN_HINT = "Los Angeles time, like 2027-01-16 09:00"

SCHOOL = Kind(
    name="school",
    url="schools",
    label="school",
    plural="Schools",
    model=School,
    slug_from="short_name",
    fields=(
        Field("name", "Name", "text", required=True, max_length=200),
        Field("short_name", "Short name", "text", required=True, max_length=100,
              hint="What families call it, like Markham."),
        Field("level", "Level", "choice", required=True,
              choices=tuple((level, level.capitalize()) for level in School.LEVELS)),
        Field("neighborhood", "Neighborhood", "neighborhood", required=True),
        Field("campus_of", "Shares the campus of", "school",
              hint="For a magnet or academy hosted by another school."),
        Field("address", "Address", "text", max_length=300),
        Field("phone", "Office phone", "phone", max_length=32),
        Field("attendance_phone", "Attendance line", "phone", max_length=32,
              hint="Where families report an absence. Empty: the bot gives the office phone."),
        Field("hours", "Office hours", "translated", max_length=300,
              hint="Families read these in their language: give both, or leave both empty."),
        Field("bell_times", "Bell times", "translated", max_length=300,
              hint="When classes start and end, like: 8:00 a.m. to 3:03 p.m.; Tuesdays 1:33 p.m."),
        Field("enrollment_contact", "Enrolling a child", "translated", max_length=300,
              hint="Who enrolls new students and when, like: the main office, Room 101, "
              "weekdays 8 a.m. to 3 p.m."),
        Field("days_off", "Days off", "translated", max_length=200,
              hint="The next holidays and breaks with no school, short: families get them "
              "by text."),
        Field("principal", "Principal", "text", max_length=200),
        Field("website", "Website", "text", max_length=200),
        Field("aliases", "Other names", "aliases",
              hint="How families write the name, separated by commas (markham, markham ms)."),
        _placeholders("address", "phone", "attendance_phone", "hours", "bell_times",
                      "enrollment_contact", "days_off", "principal", "website"),
    ),
)  # fmt: skip

PROGRAM = Kind(
    name="program",
    url="programs",
    label="program",
    plural="Programs",
    model=Program,
    slug_from="name",
    fields=(
        Field("name", "Name", "translated", required=True, max_length=200),
        Field("summary", "Summary", "translated", required=True, max_length=600,
              hint="Sent by text message: keep it to two or three sentences."),
        Field("aliases", "Other names", "aliases",
              hint="How families write it, separated by commas (internet, wifi)."),
        Field("website", "Website", "text", max_length=200),
        _placeholders("summary", "website"),
    ),
)  # fmt: skip

EVENT = Kind(
    name="event",
    url="events",
    label="event",
    plural="Events",
    model=Event,
    slug_from="title",
    dated=True,
    fields=(
        Field("title", "Title", "translated", required=True, max_length=200),
        Field("description", "Description", "translated", max_length=600,
              hint="Families read it in their language: give both, or leave both empty."),
        Field("starts_at", "Starts", "datetime", required=True, hint=WHEN_HINT),
        Field("ends_at", "Ends", "datetime", hint=WHEN_HINT),
        Field("place", "Place", "text", max_length=300),
        Field("school", "School", "school",
              hint="Leave empty for an event for every school."),
        Field("neighborhood", "Neighborhood", "neighborhood",
              hint="Leave empty for an event for every neighborhood."),
        _placeholders("description", "starts_at", "ends_at", "place"),
    ),
)  # fmt: skip

SESSION = Kind(
    name="session",
    url="sessions",
    label="Parent College session",
    plural="Parent College sessions",
    model=ParentCollegeSession,
    slug_from="title",
    dated=True,
    fields=(
        Field("title", "Title", "translated", required=True, max_length=200),
        Field("starts_at", "Starts", "datetime", required=True, hint=WHEN_HINT),
        Field("ends_at", "Ends", "datetime", hint=WHEN_HINT),
        Field("place", "Place", "text", required=True, max_length=300),
        Field("school", "Host school", "school"),
        Field("neighborhood", "Neighborhood", "neighborhood",
              hint="Families of every school in it are offered this session."),
        Field("capacity", "Capacity (adults)", "int", required=True,
              hint="Seats count adults, not families."),
        Field("language", "Taught in", "choice", required=True, choices=LANGUAGE_CHOICES),
        Field("notes", "Notes for staff", "long", max_length=TEXT_LIMIT),
        _placeholders("starts_at", "ends_at", "place", "capacity"),
    ),
)  # fmt: skip

KINDS: dict[str, Kind] = {kind.name: kind for kind in (SCHOOL, PROGRAM, EVENT, SESSION)}
KINDS_BY_URL: dict[str, Kind] = {kind.url: kind for kind in KINDS.values()}


# ---- reading what people type ------------------------------------------------------------


def format_local(dt: datetime | None) -> str:
    return local(dt).strftime(TIME_FORMAT) if dt is not None else ""


def parse_local(text: str) -> datetime | None:
    """A wall-clock time in Los Angeles as aware UTC, or None when it cannot be read."""
    cleaned = " ".join(text.replace(".", "").split()).upper()
    for pattern in TIME_FORMATS_READ:
        try:
            wall = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        return wall.replace(tzinfo=LOCAL_TZ).astimezone(timezone.utc)
    return None


def parse_yes_no(text: str) -> bool | None:
    word = fold(text.strip())
    if word in YES:
        return True
    if word in NO:
        return False
    return None


def split_list(text: str) -> list[str]:
    seen: list[str] = []
    for item in text.split(","):
        item = " ".join(item.split())
        if item and item not in seen:
            seen.append(item)
    return seen


def phone_for_display(e164: str) -> str:
    import phonenumbers

    number = phonenumbers.parse(e164)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    if len(slug) > SLUG_MAX - 4:  # room for a "-2" suffix
        slug = slug[: SLUG_MAX - 4].rsplit("-", 1)[0] or slug[: SLUG_MAX - 4]
    return slug


# ---- validation --------------------------------------------------------------------------


@dataclass
class _Check:
    """One validation run: the raw values, what came out clean, and what went wrong."""

    kind: Kind
    values: Mapping[str, str | None]
    session: Session
    existing: object | None
    clean: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def raw(self, column: str) -> str:
        value = self.values.get(column)
        return "" if value is None else str(value).strip()

    def fail(self, column: str, message: str) -> None:
        self.errors.setdefault(column, message)


def _text(check: _Check, f: Field) -> None:
    value = check.raw(f.name)
    if not value:
        if f.required:
            check.fail(f.name, f"{f.label} is required")
        check.clean[f.attribute] = None
        return
    if len(value) > f.max_length:
        check.fail(
            f.name, f"{f.label} can be at most {f.max_length} characters (it has {len(value)})"
        )
        return
    if f.type == "phone":
        e164 = to_e164(value)
        if e164 is None:
            check.fail(f.name, f"{f.label} must be a phone number like (323) 555-1234")
            return
        value = phone_for_display(e164)
    check.clean[f.attribute] = value


def _translated(check: _Check, f: Field) -> None:
    en_column, es_column = f.columns
    texts = {"en": check.raw(en_column), "es": check.raw(es_column)}
    missing = [column for column, lang in ((en_column, "en"), (es_column, "es")) if not texts[lang]]
    if len(missing) == 2 and not f.required:
        check.clean[f.attribute] = None
        return
    for column in missing:
        language = "English" if column.endswith("_en") else "Spanish"
        if f.required:
            message = (
                f"{f.label} ({language}) is required: families read it in their language, "
                "so give it in both English and Spanish"
            )
        else:
            message = (
                f"{f.label} ({language}) is missing: families read it in their language, so "
                "give it in both English and Spanish, or leave both empty"
            )
        check.fail(column, message)
    for column, lang in ((en_column, "en"), (es_column, "es")):
        if len(texts[lang]) > f.max_length:
            check.fail(
                column, f"{f.label} can be at most {f.max_length} characters "
                f"(it has {len(texts[lang])})"
            )  # fmt: skip
    if not missing:
        check.clean[f.attribute] = texts


def _int(check: _Check, f: Field) -> None:
    value = check.raw(f.name)
    message = f"{f.label} must be a whole number from 1 to {CAPACITY_MAX}"
    if not value:
        if f.required:
            check.fail(f.name, message)
        check.clean[f.attribute] = None
        return
    if not re.fullmatch(r"\d+", value.replace(",", "")) or not (
        1 <= int(value.replace(",", "")) <= CAPACITY_MAX
    ):
        check.fail(f.name, message)
        return
    check.clean[f.attribute] = int(value.replace(",", ""))


def _datetime(check: _Check, f: Field) -> None:
    value = check.raw(f.name)
    if not value:
        if f.required:
            check.fail(f.name, f"{f.label} is required: a date and time like 2027-01-16 09:00")
        check.clean[f.attribute] = None
        return
    when = parse_local(value)
    if when is None:
        check.fail(f.name, f"{f.label} must be a date and time like 2027-01-16 09:00")
        return
    check.clean[f.attribute] = when


def _choice(check: _Check, f: Field) -> None:
    value = check.raw(f.name)
    if not value:
        if f.required:
            check.fail(f.name, f"{f.label} is required: choose one")
        check.clean[f.attribute] = None
        return
    for key, label in f.choices:
        if fold(value) in (key, fold(label)):
            check.clean[f.attribute] = key
            return
    options = ", ".join(
        key if fold(label) == key else f"{key} ({label})" for key, label in f.choices
    )
    check.fail(f.name, f"{f.label} must be one of: {options}")


def _names(row) -> set[str]:
    return {fold(name) for name in (row.name, getattr(row, "short_name", None)) if name}


def _reference(check: _Check, f: Field) -> None:
    value = check.raw(f.name)
    if not value:
        if f.required:
            check.fail(f.name, f"{f.label} is required")
        check.clean[f.attribute] = None
        return
    model = School if f.type == "school" else Neighborhood
    wanted = value.lower()
    row = check.session.execute(select(model).filter_by(slug=wanted)).scalar_one_or_none()
    if row is None:
        # A name works too: people copy what they see on the page.
        named = [r for r in check.session.scalars(select(model)) if fold(value) in _names(r)]
        row = named[0] if len(named) == 1 else None
    if row is None:
        if model is Neighborhood:
            known = ", ".join(
                check.session.scalars(select(Neighborhood.slug).order_by(Neighborhood.id))
            )
            check.fail(f.name, f"{f.label} must be one of: {known}")
        else:
            check.fail(
                f.name,
                f"No school with the slug '{value}': use a slug from the Schools page, "
                "like markham",
            )
        return
    if f.name == "campus_of" and check.existing is not None and row.id == check.existing.id:
        check.fail(f.name, "A school cannot share its own campus; leave this empty")
        return
    check.clean[f.attribute] = row.id


def _aliases(check: _Check, f: Field) -> None:
    aliases = split_list(check.raw(f.name).lower())
    too_long = [alias for alias in aliases if len(alias) > 100]
    if too_long:
        check.fail(
            f.name, f"{f.label}: '{too_long[0][:40]}…' is too long; separate names with commas"
        )
        return
    check.clean[f.attribute] = aliases


def _placeholder_list(check: _Check, f: Field) -> None:
    allowed = [key for key, _ in f.choices]
    named = split_list(check.raw(f.name).lower())
    unknown = [name for name in named if name not in allowed]
    if unknown:
        check.fail(
            f.name,
            f"{f.label} lists '{unknown[0]}', which is not one of: {', '.join(allowed)}",
        )
        return
    check.clean[f.attribute] = [name for name in allowed if name in named]


READERS = {
    "text": _text,
    "long": _text,
    "phone": _text,
    "translated": _translated,
    "int": _int,
    "datetime": _datetime,
    "choice": _choice,
    "school": _reference,
    "neighborhood": _reference,
    "aliases": _aliases,
    "placeholders": _placeholder_list,
}


def registered_adults(session: Session, pc_session: ParentCollegeSession) -> int:
    """Adults holding a seat, counting those already checked in at the door."""
    if pc_session.id is None:
        return 0
    taken = session.execute(
        select(func.coalesce(func.sum(Registration.adults), 0)).where(
            Registration.session_id == pc_session.id,
            Registration.status.in_(HOLDING_A_SEAT),
        )
    ).scalar_one()
    return int(taken)


def _slug_taken(session: Session, kind: Kind, slug: str, reserved: Iterable[str]) -> bool:
    if slug in reserved:
        return True
    found = session.execute(select(kind.model.id).filter_by(slug=slug)).first()
    return found is not None


def _slug(check: _Check, reserved: set[str]) -> None:
    if check.existing is not None:
        return
    kind, given = check.kind, check.raw("slug").lower()
    if given:
        if len(given) > SLUG_MAX or not SLUG_PATTERN.match(given):
            check.fail(
                "slug",
                f"Slug may only use lowercase letters, digits and single hyphens, at most "
                f"{SLUG_MAX} characters (like 2027-01-watts)",
            )
        elif _slug_taken(check.session, kind, given, reserved):
            check.fail("slug", f"Another {kind.label} already has the slug '{given}'")
        else:
            check.clean["slug"] = given
        return
    source = check.clean.get(kind.field(kind.slug_from).attribute)
    if not source:
        return  # the name itself is missing, and that error is already reported
    base = slugify(source["en"] if isinstance(source, dict) else source)
    starts = check.clean.get("starts_at")
    if kind.dated and starts is not None:
        base = f"{local(starts):%Y-%m-%d}-{base}".strip("-")
    base = base or kind.name
    slug, n = base, 1
    while _slug_taken(check.session, kind, slug, reserved):
        n += 1
        slug = f"{base}-{n}"
    check.clean["slug"] = slug


def _cross_checks(check: _Check) -> None:
    starts, ends = check.clean.get("starts_at"), check.clean.get("ends_at")
    if starts is not None and ends is not None and ends <= starts:
        check.fail("ends_at", f"Ends must be after Starts ({format_local(starts)})")
    capacity = check.clean.get("capacity")
    if check.kind is SESSION and check.existing is not None and capacity is not None:
        taken = registered_adults(check.session, check.existing)
        if capacity < taken:
            check.fail(
                "capacity",
                f"Capacity cannot be lower than the {taken} adults already registered for this "
                f"session: keep it at {taken} or more, or cancel registrations first",
            )


def validate(
    kind: Kind | str,
    values: Mapping[str, str | None],
    *,
    session: Session,
    existing: object | None = None,
    reserved_slugs: set[str] | None = None,
) -> tuple[dict, dict[str, str]]:
    """(clean attributes, {column: message}). `values` are typed text keyed by column name
    (title_en, starts_at, school...); `archived` is read only when present (the CSV has it, the
    form does not). `reserved_slugs` are slugs other rows of the same upload will take."""
    kind = KINDS[kind] if isinstance(kind, str) else kind
    check = _Check(kind, values, session, existing)
    for f in kind.fields:
        READERS[f.type](check, f)
    if "archived" in values:
        archived = parse_yes_no(check.raw("archived"))
        if archived is None:
            check.fail("archived", "Archived must be yes or no")
        else:
            check.clean["archived"] = archived
    _cross_checks(check)
    _slug(check, reserved_slugs or set())
    return (check.clean if not check.errors else {}), check.errors


# ---- saving ------------------------------------------------------------------------------


def _same(attribute: str, old, new) -> bool:
    if isinstance(old, datetime) or isinstance(new, datetime):
        return utc(old) == utc(new)
    if attribute == "placeholders":
        return set(old or []) == set(new or [])
    return old == new


@dataclass
class Saved:
    row: object
    created: bool
    changed: list[str]
    # Waitlisted registrations that got a seat because capacity went up.
    promoted: list[Registration] = field(default_factory=list)


def save(session: Session, kind: Kind | str, clean: dict, existing=None) -> Saved:
    """Creates or updates a row from `validate`'s clean values; only changed attributes are
    written, so saving the same values again leaves the row (and its updated_at) alone."""
    kind = KINDS[kind] if isinstance(kind, str) else kind
    row = existing if existing is not None else kind.model()
    changed = []
    old_capacity = getattr(existing, "capacity", None)
    for attribute, value in clean.items():
        if attribute == "slug" and existing is not None:
            continue  # the slug is what the seed files and the CSV match rows on: it stays
        if existing is None or not _same(attribute, getattr(row, attribute), value):
            setattr(row, attribute, value)
            changed.append(attribute)
    if existing is None:
        session.add(row)
    session.flush()
    saved = Saved(row, created=existing is None, changed=changed)
    if kind is SESSION and old_capacity is not None and row.capacity > old_capacity:
        saved.promoted = fill_from_waitlist(session, row)
    return saved


def fill_from_waitlist(session: Session, pc_session: ParentCollegeSession) -> list[Registration]:
    """Gives freed or added seats to waitlisted families, first come first served."""
    promoted = []
    while (registration := _promote_from_waitlist(session, pc_session)) is not None:
        promoted.append(registration)
    return promoted


def set_archived(session: Session, row, archived: bool) -> bool:
    """Archived rows stay in the database (registrations point at them) but the bot no longer
    offers them. Returns whether anything changed."""
    if bool(row.archived) == archived:
        return False
    row.archived = archived
    session.flush()
    return True


def archive(session: Session, row) -> bool:
    return set_archived(session, row, True)


def unarchive(session: Session, row) -> bool:
    return set_archived(session, row, False)


# ---- reading rows back -------------------------------------------------------------------


def _slug_of(row) -> str:
    return row.slug if row is not None else ""


def as_values(kind: Kind | str, row) -> dict[str, str]:
    """The row as text keyed by column, the way `validate` reads it (and the CSV writes it)."""
    kind = KINDS[kind] if isinstance(kind, str) else kind
    values = {"slug": row.slug}
    for f in kind.fields:
        value = getattr(row, f.attribute)
        if f.type == "translated":
            value = value or {}
            values[f"{f.name}_en"] = value.get("en") or ""
            values[f"{f.name}_es"] = value.get("es") or ""
        elif f.type == "datetime":
            values[f.name] = format_local(value)
        elif f.type in ("school", "neighborhood"):
            values[f.name] = _slug_of(getattr(row, f.name))
        elif f.type in ("aliases", "placeholders"):
            values[f.name] = ", ".join(value or [])
        else:
            values[f.name] = "" if value is None else str(value)
    values["archived"] = "yes" if row.archived else "no"
    return values


def _order(kind: Kind):
    model = kind.model
    if kind.dated:
        return (model.starts_at, model.id)
    if kind is SCHOOL:
        return (model.name, model.id)
    return (model.id,)


def rows(session: Session, kind: Kind | str, include_archived: bool = True) -> list:
    """Active rows first, then archived ones; sessions and events by date."""
    kind = KINDS[kind] if isinstance(kind, str) else kind
    query = select(kind.model).order_by(kind.model.archived, *_order(kind))
    if not include_archived:
        query = query.where(kind.model.archived.is_(False))
    return list(session.scalars(query))


def find(session: Session, kind: Kind | str, row_id: int):
    kind = KINDS[kind] if isinstance(kind, str) else kind
    return session.get(kind.model, row_id)


def counts(session: Session) -> dict[str, tuple[int, int]]:
    """{kind name: (active, archived)}."""
    found = {}
    for kind in KINDS.values():
        by_state = dict(
            session.execute(
                select(kind.model.archived, func.count(kind.model.id)).group_by(kind.model.archived)
            ).all()
        )
        found[kind.name] = (by_state.get(False, 0), by_state.get(True, 0))
    return found


def reference_choices(session: Session, f: Field) -> list[tuple[str, str]]:
    """(slug, name) options for a school or neighborhood field."""
    if f.type == "school":
        query = select(School.slug, School.name).order_by(School.archived, School.name)
    else:
        query = select(Neighborhood.slug, Neighborhood.name).order_by(Neighborhood.id)
    return [(slug, name) for slug, name in session.execute(query).all()]
