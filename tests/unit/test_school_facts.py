"""Which fact a message asks about a school (bot/reading/school_facts.py): the office's hours and
the bell times are different questions."""

import pytest

from bot.reading.school_facts import facts_asked


@pytest.mark.parametrize(
    "text, facts",
    [
        ("a que hora entran los niños en markham", ["bell_times"]),
        ("what time does school start at jordan", ["bell_times"]),
        ("a que hora salen los martes", ["bell_times"]),
        ("a q hora sale mi hijo los miercoles", ["bell_times"]),
        ("a que hora entra mi hija", ["bell_times"]),
        ("a que hora abre la oficina", ["hours"]),
        ("what time does the office close", ["hours"]),
        ("cual es el horario de jordan", ["hours"]),
        ("quien es el director de jordan", ["principal"]),
        ("direccion y telefono de la jordan", ["address", "phone"]),
        ("info de jordan", []),
    ],
)
def test_the_fact_asked(text, facts):
    assert facts_asked(text) == facts
