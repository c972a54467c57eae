"""Loads seed/*.yaml into the database. Idempotent: rows are matched by slug and updated in place.

Errors name the file, the record and the field, because the people editing these files are staff,
not programmers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Event, Neighborhood, Organization, ParentCollegeSession, Program, School
from bot.text.languages import LANGUAGES

LOCAL_TZ = ZoneInfo("America/Los_Angeles")
SEED_DIR = Path(__file__).resolve().parents[2] / "seed"


class SeedError(ValueError):
    pass


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, was_new: bool) -> None:
        bucket = self.created if was_new else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        return ", ".join(
            f"{kind}: {self.created.get(kind, 0)} new, {self.updated.get(kind, 0)} updated"
            for kind in kinds
        )


class _Loader:
    def __init__(self, session: Session, seed_dir: Path):
        self.session = session
        self.seed_dir = seed_dir
        self.report = SeedReport()

    def read(self, name: str, key: str) -> list[dict] | dict:
        path = self.seed_dir / name
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise SeedError(f"{path}: file not found") from None
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise SeedError(f"{path}: not valid YAML: {error}") from None
        if key not in document:
            raise SeedError(f"{path}: expected a top-level '{key}:' section")
        return document[key]

    def upsert(self, model, kind: str, record: dict, where: str) -> Any:
        slug = record.get("slug")
        if not slug:
            raise SeedError(f"{where}: every record needs a 'slug'")
        row = self.session.execute(select(model).filter_by(slug=slug)).scalar_one_or_none()
        was_new = row is None
        if was_new:
            row = model(slug=slug)
            self.session.add(row)
        for name, value in record.items():
            if name == "slug":
                continue
            if not hasattr(model, name):
                raise SeedError(f"{where} ({slug}): unknown field '{name}'")
            setattr(row, name, value)
        self.session.flush()
        self.report.count(kind, was_new)
        return row

    def by_slug(self, model, slug: str | None, where: str):
        if slug is None:
            return None
        row = self.session.execute(select(model).filter_by(slug=slug)).scalar_one_or_none()
        if row is None:
            raise SeedError(f"{where}: no {model.__tablename__} with slug '{slug}'")
        return row


def _check_placeholders(record: dict, where: str) -> None:
    for name in record.get("placeholders") or []:
        if name not in record:
            raise SeedError(f"{where}: placeholder '{name}' is not a field of this record")


def _check_translated(record: dict, where: str, required=(), optional=()) -> None:
    """Translated fields need an English and a Spanish text; optional ones may be left out."""
    placeholders = record.get("placeholders") or []
    for name in (*required, *optional):
        value = record.get(name)
        if value is None and (name in optional or name in placeholders):
            continue
        if not isinstance(value, dict) or any(not value.get(lang) for lang in LANGUAGES):
            raise SeedError(f"{where}: '{name}' needs both an 'en' and an 'es' text")


def _local_time(value, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.strptime(value, "%Y-%m-%d %H:%M")
        except ValueError:
            raise SeedError(f"{where}: dates are written YYYY-MM-DD HH:MM, got {value!r}") from None
    if not isinstance(value, datetime):
        raise SeedError(f"{where}: dates are written YYYY-MM-DD HH:MM, got {value!r}")
    local = value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value
    # Stored in UTC: SQLite keeps no zone, so every reader can assume UTC.
    return local.astimezone(timezone.utc)


def _with_places(loader: _Loader, record: dict, where: str) -> dict:
    record = dict(record)
    record["school_id"] = getattr(
        loader.by_slug(School, record.pop("school", None), where), "id", None
    )
    record["neighborhood_id"] = getattr(
        loader.by_slug(Neighborhood, record.pop("neighborhood", None), where), "id", None
    )
    for name in ("starts_at", "ends_at"):
        if name in record:
            record[name] = _local_time(record[name], f"{where} {name}")
    return record


def seed_database(session: Session, seed_dir: Path = SEED_DIR) -> SeedReport:
    loader = _Loader(session, seed_dir)

    organization = dict(loader.read("partnership.yaml", "organization"))
    _check_placeholders(organization, "partnership.yaml organization")
    _check_translated(organization, "partnership.yaml organization", optional=("about",))
    loader.upsert(Organization, "organization", organization, "partnership.yaml organization")
    for i, record in enumerate(loader.read("partnership.yaml", "neighborhoods")):
        loader.upsert(Neighborhood, "neighborhood", record, f"partnership.yaml neighborhoods[{i}]")

    schools = loader.read("schools.yaml", "schools")
    for i, raw in enumerate(schools):
        where = f"schools.yaml schools[{i}]"
        _check_placeholders(raw, where)
        record = dict(raw)
        if record.get("level") not in School.LEVELS:
            raise SeedError(f"{where}: 'level' must be one of {', '.join(School.LEVELS)}")
        record["neighborhood_id"] = loader.by_slug(
            Neighborhood, record.pop("neighborhood", None), where
        ).id
        record.pop("campus_of", None)  # linked below, once every school exists
        record["aliases"] = [str(alias).lower() for alias in record.get("aliases") or []]
        loader.upsert(School, "school", record, where)
    for i, raw in enumerate(schools):
        if raw.get("campus_of"):
            where = f"schools.yaml schools[{i}]"
            school = loader.by_slug(School, raw["slug"], where)
            school.campus_of_id = loader.by_slug(School, raw["campus_of"], where).id

    for i, raw in enumerate(loader.read("programs.yaml", "programs")):
        where = f"programs.yaml programs[{i}]"
        _check_placeholders(raw, where)
        _check_translated(raw, where, required=("name", "summary"))
        loader.upsert(Program, "program", raw, where)

    for i, raw in enumerate(loader.read("parent_college_sessions.yaml", "sessions")):
        where = f"parent_college_sessions.yaml sessions[{i}]"
        _check_placeholders(raw, where)
        _check_translated(raw, where, required=("title",))
        record = _with_places(loader, raw, where)
        if record.get("language") not in ("en", "es", "both"):
            raise SeedError(f"{where}: 'language' must be en, es or both")
        loader.upsert(ParentCollegeSession, "parent college session", record, where)

    for i, raw in enumerate(loader.read("events.yaml", "events")):
        where = f"events.yaml events[{i}]"
        _check_placeholders(raw, where)
        _check_translated(raw, where, required=("title",), optional=("description",))
        loader.upsert(Event, "event", _with_places(loader, raw, where), where)

    return loader.report
