import pytest

from bot.directory.schools import example_names, find_school


@pytest.mark.parametrize(
    "written, slug",
    [
        ("Markham", "markham"),
        ("markham ms", "markham"),
        ("MARKHAM MIDDLE SCHOOL", "markham"),
        ("la jordan", "jordan"),
        ("Jordan High School", "jordan"),
        ("roosevelt high", "roosevelt"),
        ("la escuela Roosevelt", "roosevelt"),
        ("mstma", "mstma"),
        ("Math, Science and Technology Magnet Academy at Roosevelt High", "mstma"),
        ("Méndez", "mendez"),
        ("grape st", "grape-street"),
        ("99th street", "99th-street"),
        ("mi hijo va a la jordan", "jordan"),
        ("my daughter goes to roosevelt high school", "roosevelt"),
    ],
)
def test_schools_are_found_the_way_families_write_them(sessions, written, slug):
    with sessions() as session:
        school = find_school(session, written)
        assert school is not None and school.slug == slug


@pytest.mark.parametrize(
    "written", [None, "", "pokemon", "the school", "escuela", "high", "la escuela pikachu"]
)
def test_unknown_or_empty_names_find_nothing(sessions, written):
    with sessions() as session:
        assert find_school(session, written) is None


def test_examples_offer_well_known_schools(sessions):
    with sessions() as session:
        assert example_names(session) == ["Jordan", "Markham", "Roosevelt"]
