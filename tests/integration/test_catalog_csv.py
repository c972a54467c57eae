"""CSV export and import of schools, programs, events and Parent College sessions, on SQLite and
PostgreSQL: a round trip changes nothing, and a bad file changes nothing and says why."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.directory import catalog, catalog_csv, kinds
from bot.directory.catalog_csv import ImportRefused, export_csv, import_csv
from bot.models import Contact, Event, ParentCollegeSession, Program, School
from bot.parent_college.registrations import sign_up

KINDS = ("school", "program", "event", "session")


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _to_csv(rows: list[dict], bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def _refused(db, kind, data: bytes, filename="data.csv") -> list[str]:
    with pytest.raises(ImportRefused) as refused:
        import_csv(db, kind, data, filename)
    db.rollback()
    return [str(problem) for problem in refused.value.problems]


def _snapshot(db) -> list:
    """Every catalog row's values and updated_at: what 'nothing changed' means."""
    found = []
    for kind in KINDS:
        for row in catalog.rows(db, kind):
            found.append((kind, catalog.as_values(kind, row), catalog.utc(row.updated_at)))
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_export_then_import_changes_nothing(sessions, kind):
    with sessions() as db:
        before = _snapshot(db)
        exported = export_csv(db, kind)
        result = import_csv(db, kind, exported, "export.csv")
        db.commit()
        total = len(catalog.rows(db, kind))
        assert (result.created, result.updated, result.unchanged) == (0, 0, total)
    with sessions() as db:
        assert _snapshot(db) == before
        assert export_csv(db, kind) == exported


def test_the_export_is_what_excel_expects(sessions):
    with sessions() as db:
        data = export_csv(db, "session")
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = _rows(data)
    assert list(rows[0]) == list(kinds.SESSION.columns)
    watts = next(row for row in rows if row["slug"] == "2027-01-watts")
    assert watts["starts_at"] == "2027-01-16 09:00"  # Los Angeles time, not UTC
    assert watts["title_es"] == "Parent College: Cómo apoyar con la tarea"
    assert watts["school"] == "markham" and watts["neighborhood"] == "watts"
    assert watts["archived"] == "no" and watts["capacity"] == "120"
    assert watts["placeholders"] == "starts_at, ends_at, capacity"


def test_edited_rows_update_and_rows_without_a_slug_are_created(sessions):
    with sessions() as db:
        rows = _rows(export_csv(db, "session"))
    rows[0]["place"] = "Markham Middle School, auditorium"
    rows[1]["archived"] = "yes"
    new = dict(
        rows[2], slug="", title_en="Parent College: Graduation", starts_at="2027-05-01 10:00"
    )
    new.update(ends_at="", capacity="60", language="es", archived="no")
    rows.append(new)
    with sessions() as db:
        result = import_csv(db, "session", _to_csv(rows))
        db.commit()
        assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
        made = db.execute(
            select(ParentCollegeSession).filter_by(slug="2027-05-01-parent-college-graduation")
        ).scalar_one()
        assert catalog.utc(made.starts_at) == datetime(2027, 5, 1, 17, 0, tzinfo=timezone.utc)
        assert made.capacity == 60 and made.ends_at is None
        first = db.execute(
            select(ParentCollegeSession).filter_by(slug=rows[0]["slug"])
        ).scalar_one()
        assert first.place == "Markham Middle School, auditorium"
        assert (
            db.execute(select(ParentCollegeSession).filter_by(slug=rows[1]["slug"]))
            .scalar_one()
            .archived
        )


def test_what_excel_does_to_a_file_is_still_read(sessions):
    """Excel re-saves dates as 1/16/2027 9:00 AM, may drop the BOM and capitalise yes/no."""
    with sessions() as db:
        rows = _rows(export_csv(db, "event"))
        for row in rows:
            when = datetime.strptime(row["starts_at"], "%Y-%m-%d %H:%M")
            row["starts_at"] = f"{when.month}/{when.day}/{when.year} {when:%I:%M %p}".lstrip("0")
            row["archived"] = row["archived"].upper()
        result = import_csv(db, "event", _to_csv(rows, bom=False))
        assert result.updated == 0 and result.created == 0


def test_a_bad_row_changes_nothing_and_every_problem_is_listed(sessions):
    with sessions() as db:
        rows = _rows(export_csv(db, "session"))
        before = _snapshot(db)
    rows[0]["place"] = "Somewhere else"  # a good change, which must not be applied either
    rows[1]["capacity"] = "0"
    rows[1]["starts_at"] = "Jan 23"
    rows[2]["title_es"] = ""
    rows[2]["language"] = "fr"
    rows.append(dict(rows[0]))  # the same slug twice
    with sessions() as db:
        problems = _refused(db, "session", _to_csv(rows))
    assert (
        "Row 3, column capacity: Capacity (adults) must be a whole number from 1 to 2000 "
        "(it says '0')"
    ) in problems
    assert any(
        p.startswith("Row 3, column starts_at: Starts must be a date and time like")
        for p in problems
    )
    assert any(
        p.startswith("Row 4, column title_es: Title (Spanish) is required") for p in problems
    )
    assert any(p.startswith("Row 4, column language: Taught in must be one of") for p in problems)
    assert any(p.startswith("Row 5, column slug: '2027-01-watts' appears again") for p in problems)
    with sessions() as db:
        assert _snapshot(db) == before


def test_problems_are_capped(sessions):
    with sessions() as db:
        rows = _rows(export_csv(db, "program"))
        template = dict(rows[0], slug="", name_es="", summary_es="")
        many = [dict(template, name_en=f"Program {n}") for n in range(40)]
        with pytest.raises(ImportRefused) as refused:
            import_csv(db, "program", _to_csv(many))
        assert len(refused.value.problems) == catalog_csv.MAX_PROBLEMS
        assert refused.value.more == 80 - catalog_csv.MAX_PROBLEMS


def test_capacity_below_registered_adults_is_refused_in_a_file_too(sessions):
    with sessions() as db:
        pc = db.execute(select(ParentCollegeSession).filter_by(slug="2027-01-watts")).scalar_one()
        contact = Contact(phone="+13235550101")
        db.add(contact)
        db.flush()
        sign_up(db, contact, pc, "Rosa Díaz", adults=3, children=0)
        db.commit()
        rows = _rows(export_csv(db, "session"))
        next(row for row in rows if row["slug"] == "2027-01-watts")["capacity"] = "2"
        problems = _refused(db, "session", _to_csv(rows))
    assert problems == [
        "Row 2, column capacity: Capacity cannot be lower than the 3 adults already registered "
        "for this session: keep it at 3 or more, or cancel registrations first (it says '2')"
    ]


def test_files_that_cannot_be_read_are_refused_with_a_reason(sessions):
    with sessions() as db:
        good = export_csv(db, "school")
        text = good.decode("utf-8-sig")
        # Excel's plain "CSV (Comma delimited)" on Windows: accents in cp1252.
        spanish = export_csv(db, "program").decode("utf-8-sig")
        cases = {
            "not saved as UTF-8": (spanish.encode("cp1252"), "program"),
            "UTF-16": (text.encode("utf-16"), "school"),
            "Excel workbook (.xlsx)": (b"PK\x03\x04" + b"\x00" * 50, "school"),
            "a PDF": (b"%PDF-1.7\n...", "school"),
            "The file is empty": (b"", "school"),
            "The file is empty.": (b"\xef\xbb\xbf\r\n", "school"),
            "no rows to import": (text.splitlines()[0].encode(), "school"),
            "separated by semicolons": (text.replace(",", ";").encode(), "school"),
            "does not look like a school file": (b"hello there\nthis is a letter\n", "school"),
            "files up to 2.0 MB": (b"a" * (catalog_csv.MAX_BYTES + 1), "school"),
        }
        for expected, (data, kind) in cases.items():
            problems = _refused(db, kind, data)
            assert any(expected in problem for problem in problems), (expected, problems)
        assert any("CSV UTF-8" in p for p in _refused(db, "program", spanish.encode("latin-1")))
        assert any("spreadsheet" in p for p in _refused(db, "school", b"a,b\n", "schools.xlsx"))


def test_missing_unknown_and_doubled_columns_are_named(sessions):
    with sessions() as db:
        rows = _rows(export_csv(db, "event"))
    for row in rows:
        row.pop("place")
        row["colour"] = "red"
    with sessions() as db:
        problems = _refused(db, "event", _to_csv(rows))
        assert "Row 1: Missing columns: place" in problems
        assert "Row 1: Unknown columns: colour" in problems
        assert any(p.startswith("Row 1: The columns must be: slug, title_en") for p in problems)
        header, *rest = export_csv(db, "event").decode("utf-8-sig").split("\r\n")
        doubled = "\r\n".join([header + ",slug", *rest]).encode()
        assert any("appear twice: slug" in p for p in _refused(db, "event", doubled))


def test_a_row_with_too_many_cells_is_refused(sessions):
    with sessions() as db:
        header, first, *rest = export_csv(db, "program").decode("utf-8-sig").split("\r\n")
        data = "\r\n".join([header, first + ",surprise", *rest]).encode()
        problems = _refused(db, "program", data)
    assert problems[0].startswith("Row 2: this row has")


def test_new_rows_get_unique_slugs_even_within_one_file(sessions):
    with sessions() as db:
        row = _rows(export_csv(db, "program"))[0]
        twins = [dict(row, slug=""), dict(row, slug="")]
        result = import_csv(db, "program", _to_csv(twins))
        slugs = sorted(saved.row.slug for saved in result.saved)
        assert slugs == ["parent-college-2", "parent-college-3"]


def test_formula_looking_cells_are_neutralised_for_excel_and_read_back(sessions):
    with sessions() as db:
        program = db.execute(select(Program).filter_by(slug="st-math")).scalar_one()
        program.website = '=HYPERLINK("http://evil")'
        db.flush()
        data = export_csv(db, "program")
        assert b"'=HYPERLINK" in data
        result = import_csv(db, "program", data)
        assert result.updated == 0
        assert program.website == '=HYPERLINK("http://evil")'


def test_school_references_and_campus_round_trip(sessions):
    with sessions() as db:
        rows = _rows(export_csv(db, "school"))
        mstma = next(row for row in rows if row["slug"] == "mstma")
        assert mstma["campus_of"] == "roosevelt"
        mstma["campus_of"] = "nowhere"
        mstma["neighborhood"] = "Boyle Heights"  # the name works as well as the slug
        problems = _refused(db, "school", _to_csv(rows))
        assert len(problems) == 1 and "No school with the slug 'nowhere'" in problems[0]
        assert db.execute(select(func.count(School.id))).scalar_one() == len(rows)
        assert db.execute(select(func.count(Event.id))).scalar_one() >= 1
