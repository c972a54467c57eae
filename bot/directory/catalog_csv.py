"""Schools, programs, events and Parent College sessions as CSV files staff open in Excel.

Export writes UTF-8 with a byte-order mark (without it Excel shows "sábado" as "sÃ¡bado"), one
column per field of bot.directory.catalog's spec plus `slug` and `archived`, times as Los Angeles
"YYYY-MM-DD HH:MM". Import matches rows by slug (update) or creates them (no slug, or a new
one); it checks every row before changing anything, so a file with one bad row changes nothing
and the staff member gets every problem at once, by row and column. Exporting and importing the
same file changes nothing."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.directory import catalog, catalog_checks, kinds
from bot.directory.kinds import Kind

MAX_BYTES = 2 * 1024 * 1024
MAX_PROBLEMS = 50
BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel: a name typed as "=HYPERLINK(...)"
# would run when the file is opened. Written with a leading apostrophe, read back without it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SAVE_AS_UTF8 = (
    "In Excel choose File › Save As, pick the file type 'CSV UTF-8 (Comma delimited) (*.csv)' "
    "and upload that file."
)
NOT_CSV_MAGIC = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zipped file",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF",
}


@dataclass(frozen=True)
class Problem:
    message: str
    row: int | None = None  # as Excel numbers rows: the column names are row 1
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRefused(Exception):
    """Nothing was changed; `problems` say why (at most MAX_PROBLEMS of them)."""

    def __init__(self, problems: list[Problem], more: int = 0):
        super().__init__("; ".join(str(problem) for problem in problems[:3]))
        self.problems = problems
        self.more = more


@dataclass
class Imported:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    saved: list[catalog.Saved] = field(default_factory=list)

    @property
    def promoted(self) -> list:
        return [registration for saved in self.saved for registration in saved.promoted]


def csv_cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _read_cell(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def write_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark and Windows line ends: what Excel reads without asking."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[csv_cell(str(cell)) for cell in row] for row in rows])
    return (BOM + out.getvalue()).encode("utf-8")


def export_csv(session: Session, kind: Kind | str) -> bytes:
    kind = kinds.KINDS[kind] if isinstance(kind, str) else kind
    columns = list(kind.columns)
    values = [catalog.as_values(kind, row) for row in catalog.rows(session, kind)]
    return write_csv(columns, [[row[column] for column in columns] for row in values])


# ---- reading an upload -------------------------------------------------------------------


def _refuse(message: str) -> ImportRefused:
    return ImportRefused([Problem(message)])


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def decode(data: bytes, filename: str | None = None) -> str:
    """The file's text, or ImportRefused saying what the file is instead and how to fix it."""
    if len(data) > MAX_BYTES:
        raise _refuse(
            f"The file is {_megabytes(len(data))}; files up to {_megabytes(MAX_BYTES)} can be "
            "imported. Split it into smaller files."
        )
    if not data.strip() or data.strip() == codecs.BOM_UTF8:
        raise _refuse("The file is empty.")
    for magic, what in NOT_CSV_MAGIC.items():
        if data.startswith(magic):
            raise _refuse(f"This is not a CSV file: it looks like {what}. {SAVE_AS_UTF8}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _refuse(
            "This file is saved as UTF-16 ('Unicode Text'), not as CSV UTF-8. " + SAVE_AS_UTF8
        )
    if b"\x00" in data[:8192]:
        raise _refuse(f"This is not a CSV file (it holds binary data). {SAVE_AS_UTF8}")
    if filename and filename.lower().endswith((".xlsx", ".xls", ".ods", ".numbers")):
        raise _refuse(f"This is a spreadsheet file, not a CSV file. {SAVE_AS_UTF8}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # cp1252 (Excel's "CSV (Comma delimited)" on Windows) and latin-1 put accents in one byte
    # that is never valid UTF-8: read on, "sábado" would come out as garbage.
    raise _refuse(
        "This file is not saved as UTF-8: it looks like Excel's 'CSV (Comma delimited)' or "
        "another Windows or Mac encoding, and its accents (á, é, ñ) would come out garbled. "
        + SAVE_AS_UTF8
    )


def _records(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise _refuse(f"This file could not be read as CSV ({error}). {SAVE_AS_UTF8}") from None


def _check_header(kind: Kind, header: list[str]) -> list[str]:
    columns = [cell.strip().lower() for cell in header]
    expected = list(kind.columns)
    listed = ", ".join(expected)
    if len(columns) == 1 and any(mark in header[0] for mark in (";", "\t")):
        raise _refuse(
            "The columns are separated by semicolons or tabs, not commas. " + SAVE_AS_UTF8
        )
    if not set(columns) & set(expected):
        raise _refuse(
            f"This does not look like a {kind.label} file: its first row should name the "
            f"columns {listed}. Export the current list to get a file in the right shape."
        )
    problems = []
    doubled = sorted({c for c in columns if c and columns.count(c) > 1})
    if doubled:
        problems.append(Problem(f"These columns appear twice: {', '.join(doubled)}", row=1))
    missing = [c for c in expected if c not in columns]
    if missing:
        problems.append(Problem(f"Missing columns: {', '.join(missing)}", row=1))
    unknown = [c or "(a column without a name)" for c in columns if c not in expected]
    unknown = [c for c in dict.fromkeys(unknown)]
    if unknown:
        problems.append(Problem(f"Unknown columns: {', '.join(unknown)}", row=1))
    if problems:
        problems.append(Problem(f"The columns must be: {listed}", row=1))
        raise ImportRefused(problems)
    return columns


def read_rows(kind: Kind, data: bytes, filename: str | None = None) -> list[tuple[int, dict]]:
    """[(row number, {column: text})] of a well-formed file, or ImportRefused."""
    records = _records(decode(data, filename))
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()
    if not records:
        raise _refuse("The file is empty.")
    columns = _check_header(kind, records[0])
    rows, problems = [], []
    for index, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines Excel leaves behind
        if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
            problems.append(
                Problem(
                    f"this row has {len(cells)} cells but there are {len(columns)} columns; "
                    "is a comma missing its quotes?",
                    row=index,
                )
            )
            continue
        cells = cells + [""] * (len(columns) - len(cells))
        rows.append((index, {c: _read_cell(cells[i]) for i, c in enumerate(columns)}))
    if problems:
        raise ImportRefused(problems[:MAX_PROBLEMS], more=max(len(problems) - MAX_PROBLEMS, 0))
    if not rows:
        raise _refuse("The file has its column names but no rows to import.")
    return rows


def _shown(value: str | None) -> str:
    value = (value or "").strip()
    return value if len(value) <= 40 else value[:39] + "…"


def import_csv(
    session: Session, kind: Kind | str, data: bytes, filename: str | None = None
) -> Imported:
    """Applies the file, or raises ImportRefused having changed nothing. Does not commit."""
    kind = kinds.KINDS[kind] if isinstance(kind, str) else kind
    rows = read_rows(kind, data, filename)
    existing = {row.slug: row for row in session.scalars(select(kind.model))}
    problems: list[Problem] = []
    planned: list[tuple[dict, object]] = []
    first_row_of: dict[str, int] = {}
    reserved: set[str] = set()
    for number, values in rows:
        slug = values["slug"].strip().lower()
        if slug and slug in first_row_of:
            problems.append(
                Problem(
                    f"'{slug}' appears again (first on row {first_row_of[slug]})", number, "slug"
                )
            )
            continue
        if slug:
            first_row_of[slug] = number
        row = existing.get(slug) if slug else None
        clean, errors = catalog_checks.validate(
            kind, values, session=session, existing=row, reserved_slugs=reserved
        )
        for column, message in errors.items():
            typed = _shown(values.get(column))
            problems.append(
                Problem(f"{message} (it says '{typed}')" if typed else message, number, column)
            )
        if not errors:
            reserved.add(clean.get("slug") or slug)
            planned.append((clean, row))
    if problems:
        raise ImportRefused(problems[:MAX_PROBLEMS], more=max(len(problems) - MAX_PROBLEMS, 0))
    result = Imported()
    for clean, row in planned:
        saved = catalog.save(session, kind, clean, existing=row)
        result.saved.append(saved)
        if saved.created:
            result.created += 1
        elif saved.changed:
            result.updated += 1
        else:
            result.unchanged += 1
    return result
