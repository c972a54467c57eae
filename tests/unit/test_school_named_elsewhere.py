"""Reading a school's name from a sentence when the line does not have that school
(bot/directory/schools.py): the way forward is given at once instead of asking "which school?" for
what was just said."""

import pytest

from bot.directory.schools import school_named_elsewhere


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("mi niño va en la Ritter y amaneció con calentura", "ritter"),
        ("kiero inscribir a mi hijo en la weigand pa kinder", "weigand"),
        ("mi hija no va a ir hoy a la lorena", "lorena"),
        ("my son goes to figueroa elementary and hes sick", "figueroa"),
        ("la escuela Hooper me pide vacunas", "hooper"),
        # Ours, or no school named at all.
        ("mi hijo va en la Markham y esta enfermo", None),
        ("mi hijo no va a ir a la escuela hoy", None),
        ("mi hija esta en la escuela y se enfermo en la mañana", None),
        ("my son goes to school at jordan", None),
        ("how do I enroll my kid in kindergarten", None),
        ("my son is at home sick", None),
    ],
)
def test_a_school_the_line_lacks_is_read_from_the_sentence(sessions, text, named):
    with sessions() as session:
        assert school_named_elsewhere(session, text) == named
