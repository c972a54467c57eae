"""Loading many rows into PostgreSQL fast, for the benchmarks that need a big table."""

from __future__ import annotations


def copy_lines(cursor, table: str, columns: str, lines: list[str]) -> None:
    """COPY tab-separated `lines` (each ending in a newline) into `table`, through psycopg 3's
    COPY on `cursor` (a raw DB-API cursor)."""
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write("".join(lines))
