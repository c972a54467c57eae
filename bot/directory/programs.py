"""The Partnership's programs as families ask for them: all of them, or the one they named."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Program
from bot.text.folding import fold_words


def active_programs(session: Session) -> list[Program]:
    """Programs families can be told about, in the order staff entered them."""
    query = select(Program).where(Program.archived.is_(False)).order_by(Program.id)
    return list(session.scalars(query))


def _key(text: str) -> str:
    # Spaces and hyphens dropped too: "wi-fi", "st math" and "achieve 3000" are how families
    # spell "wifi", "stmath" and "achieve3000".
    return fold_words(text).replace(" ", "")


def _keys(program: Program) -> set[str]:
    names = [program.slug, *(program.aliases or []), *(program.name or {}).values()]
    return {_key(name) for name in names if name}


def find_program(session: Session, written: str | None) -> Program | None:
    """The program a family or the NLU means: its slug (the `program` entity's value), one of its
    aliases or its name in either language, spelled loosely ("Colegio de Padres", "wi-fi")."""
    wanted = _key(written or "")
    if not wanted:
        return None
    for program in active_programs(session):
        if wanted in _keys(program):
            return program
    return None
