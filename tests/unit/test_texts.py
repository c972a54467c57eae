"""Every family-facing text exists in both languages and fits in two SMS segments."""

import string

import pytest

from bot.rasa.project import load_domain
from bot.text.segments import count_segments
from bot.texts import catalogue, pick, text, translations

DOMAIN = load_domain()
# Realistically long values for the placeholders responses are filled with.
FILL = {
    "school": "la escuela secundaria de mi hijo",
    "school_name": "Math, Science and Technology Magnet Academy at Roosevelt High",
    "address": "1541 Wilshire Blvd, Suite 200, Los Angeles, CA 90017",
    "phone": "(213) 555-0100",
    "hours": "lunes a viernes, 7:30 a. m. a 4 p. m.",
    "principal": "Dra. Guadalupe Hernández-Ramírez",
    "fact": "el nombre del director(a)",
    "short_name": "Grape Street",
    "examples": "Jordan, Markham, Roosevelt",
    # Events and programs lists come already cut to fit (actions/replies.py); these are their
    # longest realistic values once cut.
    "events": "Parent College: El camino a la universidad - sábado 23 de enero, 9 a. m.",
    "where": "Boyle Heights",
    "title": "Noche de universidad y carreras",
    "website": "partnershipla.org/parent-college",
    "programs": "Parent College, Students Connected, ST Math, Achieve3000",
    "program_name": "Verano y aprendizaje extendido",
    "summary": "Programas de verano y horario después de clases...",
    "person_name": "Guadalupe Ramírez",
    "when": "el miércoles después de las 8 a. m.",
    "options": "1) dirección de una escuela\n2) los próximos eventos\n3) nuestros programas",
    "session": "16 de enero, 9 a. m. en Roosevelt",
    # Parent College's next sessions, as actions/parent_college.py cuts them to three segments.
    "sessions": "sábado 16 de enero, 9 a. m. a 12 p. m., Markham, 1650 E 104th St\n"
    "23 de enero, 9 a. m. en Roosevelt",
    "about": "gratis, en inglés y español",
    "details": "2 adultos, cuidado para 2 niños",
    "adults": "6 adultos",
    "position": "12",
    "registrations": "16 de enero, 9 a. m. en Roosevelt (2 adultos, sin cuidado de niños)",
    # A reminder's session: its time, and the longest place a session has (or its school).
    "session_time": "a las 10:30 a. m.",
    "place": "Boyle Heights Technology Youth Center",
    # A school's everyday facts at the console's length limits' realistic ends
    # (bot/directory/catalog.py).
    "attendance_phone": "(323) 555-0111",
    "bell_times": "de 8:00 a. m. a 3:03 p. m.; los martes salen a la 1:33 p. m.",
    "enrollment_contact": "la oficina principal, salón 101, entre semana de 8 a. m. a 3 p. m.",
    "days_off": "vacaciones de invierno del 21 de dic. al 8 de ene.; 18 de ene. (Día de Martin "
    "Luther King Jr.); 15 de feb. (Día de los Presidentes)",
    "topic": "el contacto con maestros y consejeros",
}


ENGLISH, SPANISH = catalogue("en"), catalogue("es")
# The chat page's words are read on a screen, not sent as an SMS.
SMS_KEYS = sorted(key for key in ENGLISH if not key.startswith(("chat.", "chat_error.")))


def _placeholders(phrase: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(phrase) if field}


def test_both_catalogues_say_the_same_things():
    assert set(SPANISH) == set(ENGLISH)
    for key in ENGLISH:
        assert ENGLISH[key].strip() and SPANISH[key].strip(), key
        assert _placeholders(SPANISH[key]) == _placeholders(ENGLISH[key]), key


@pytest.mark.parametrize("key", SMS_KEYS)
def test_every_text_fits_in_two_sms_segments(key):
    fill = {**FILL, "n": 8, "opens": "8 a. m.", "closes": "5 p. m.", "day": "miércoles"}
    for language in ("en", "es"):
        filled = text(key, language, **fill)
        assert count_segments(filled).segments <= 2, filled


def test_a_text_for_a_reader_of_unknown_language_has_both():
    both = translations("chat_error.too_long", most="1,600")
    assert both["en"].startswith("Your message is too long (at most 1,600")
    assert both["es"].startswith("Su mensaje es demasiado largo (máximo 1,600")


# Responses allowed a third segment: the fact asked with its date, hours and street
# (actions/parent_college.py cuts the list to three); a school's days off as staff wrote them
# (at most 200 characters: bot/directory/catalog.py).
THREE_SEGMENTS = {
    "utter_parent_college_next",
    "utter_parent_college_next_in_form",
    "utter_matter_days_off",
}


@pytest.mark.parametrize("name", sorted(DOMAIN["responses"]))
def test_every_bot_response_has_a_spanish_and_an_english_variant(name):
    variants = DOMAIN["responses"][name]
    spanish = [
        v
        for v in variants
        if v.get("condition") == [{"type": "slot", "name": "language", "value": "es"}]
    ]
    default = [v for v in variants if not v.get("condition")]
    assert len(spanish) == 1 and len(default) == 1, "one es variant and one unconditional (en)"
    for variant in spanish + default:
        filled = variant["text"].format(**FILL)
        assert count_segments(filled).segments <= (3 if name in THREE_SEGMENTS else 2), filled


def test_pick_falls_back_to_the_other_language():
    assert pick({"en": "Hi", "es": "Hola"}, "es") == "Hola"
    assert pick({"en": "Hi"}, "es") == "Hi"
    assert pick({"es": "Hola"}, "en") == "Hola"
    assert pick({}, "en") == ""
    assert pick(None, "es") == ""


def test_text_by_key():
    assert text("no_text", "es").startswith("Solo podemos")
