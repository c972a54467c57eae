"""Reading compliance keywords the way Twilio does, a little more forgivingly."""

import pytest

from bot.families.compliance import HELP, KEYWORDS, OPT_IN, OPT_OUT, keyword_for, read_keyword
from bot.models import Contact

REQUIRED = {
    OPT_OUT: "STOP STOPALL UNSUBSCRIBE CANCEL END QUIT REVOKE OPTOUT "
    "PARAR ALTO BAJA CANCELAR DETENER",
    OPT_IN: "START YES UNSTOP INICIO SI",
    HELP: "HELP INFO AYUDA",
}


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_every_required_keyword_is_listed(kind):
    assert {w for w, (k, _) in KEYWORDS.items() if k == kind} == set(REQUIRED[kind].split())


@pytest.mark.parametrize(
    "body, word",
    [
        ("STOP", "STOP"),
        (" stop\n", "STOP"),
        ("Stop.", "STOP"),
        ("STOP!!", "STOP"),
        ("¡Alto!", "ALTO"),
        ("Baja", "BAJA"),
        ("sí", "SI"),
        ("SÍ", "SI"),
        ("Sí.", "SI"),
        ("¿Ayuda?", "AYUDA"),
        ("Inicio", "INICIO"),
        ('"cancelar"', "CANCELAR"),
    ],
)
def test_one_word_in_any_case_accent_and_punctuation_is_a_keyword(body, word):
    assert read_keyword(body).word == word


@pytest.mark.parametrize(
    "body",
    ["", None, "   ", "...", "stop it", "STOP STOP", "please stop", "bajar", "si claro", "stops",
     "opt out", "cancelar mi registro", "👍"],
)  # fmt: skip
def test_anything_else_is_not(body):
    assert read_keyword(body) is None


def test_keywords_know_their_language():
    assert read_keyword("STOP").language == "en"
    assert read_keyword("baja").language == "es"
    assert read_keyword("info").language is None


@pytest.mark.parametrize("body", ["yes", "sí", "START", "inicio", "unstop"])
def test_opt_in_words_only_count_after_an_opt_out(body):
    assert keyword_for(Contact(opted_out=False), body) is None
    assert keyword_for(Contact(opted_out=True), body).kind == OPT_IN


@pytest.mark.parametrize("body, kind", [("STOP", OPT_OUT), ("HELP", HELP)])
def test_opt_out_and_help_count_for_everyone(body, kind):
    for opted_out in (False, True):
        assert keyword_for(Contact(opted_out=opted_out), body).kind == kind
