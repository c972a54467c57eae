import pytest
from sqlalchemy import select

from bot.directory.programs import active_programs, find_program
from bot.models import Program


def test_active_programs_in_seed_order(sessions):
    with sessions() as session:
        session.scalars(select(Program).where(Program.slug == "st-math")).one().archived = True
        session.commit()
        slugs = [p.slug for p in active_programs(session)]
    assert slugs == [
        "parent-college",
        "students-connected",
        "achieve3000",
        "arts-education",
        "expanded-learning",
    ]


@pytest.mark.parametrize(
    "written, slug",
    [
        ("st-math", "st-math"),  # the `program` entity's value
        ("ST Math", "st-math"),
        ("stmath", "st-math"),
        ("Colegio de Padres", "parent-college"),
        ("wi-fi", "students-connected"),
        ("Internet en casa", "students-connected"),
        ("Educación artística", "arts-education"),
        ("música", "arts-education"),
        ("achieve 3000", "achieve3000"),
        ("escuela de verano", "expanded-learning"),
    ],
)
def test_programs_by_slug_alias_or_name(sessions, written, slug):
    with sessions() as session:
        program = find_program(session, written)
        assert program is not None and program.slug == slug


@pytest.mark.parametrize("written", [None, "", "chess club", "math"])
def test_unknown_programs(sessions, written):
    with sessions() as session:
        assert find_program(session, written) is None


def test_archived_programs_are_not_found(sessions):
    with sessions() as session:
        session.scalars(select(Program).where(Program.slug == "st-math")).one().archived = True
        session.commit()
        assert find_program(session, "st math") is None
