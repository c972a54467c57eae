"""Checking what staff typed for a kind (bot/directory/kinds.py): `validate` turns the text of
a form or a CSV row, keyed by column name, into model attributes, or into one message per column
that tells a staff member what to write instead. Nothing here commits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.directory.kinds import CAPACITY_MAX, KINDS, SESSION, Field, Kind
from bot.directory.typed_values import (
    SLUG_MAX,
    SLUG_PATTERN,
    format_local,
    parse_local,
    parse_yes_no,
    slugify,
    split_list,
)
from bot.models import Neighborhood, ParentCollegeSession, Registration, School
from bot.text.dates import local
from bot.text.folding import fold
from bot.text.phone import for_display, to_e164


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
        value = for_display(e164)
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
            Registration.status.in_(Registration.HOLDING_A_SEAT),
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
