"""Staff editing what the bot knows: schools, programs, events and Parent College sessions.

What staff type is checked by bot/directory/catalog_checks.py against the kinds of
bot/directory/kinds.py; here it is saved, archived, and read back for the console's tables and
the CSV export. Times are typed and shown on Los Angeles wall-clock time and stored in UTC.
Nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.directory.kinds import KINDS, SCHOOL, SESSION, Field, Kind
from bot.directory.typed_values import format_local
from bot.models import Neighborhood, ParentCollegeSession, Registration, School
from bot.parent_college.registrations import _promote_from_waitlist
from bot.text.dates import utc

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
