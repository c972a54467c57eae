"""A worry about a child's safety goes to a person whatever the model guessed
(bot/reading/safety_concern.py); the everyday politeness that shares its words does not."""

import pytest

from bot.reading.safety_concern import as_safety_concern, is_safety_concern


@pytest.mark.parametrize(
    "text",
    [
        "a mi hija la estan molestando en el recreo, que puedo hacer",
        "le pegaron a mi hijo a la salida",
        "unos niños amenazaron a mi niño",
        "mi hijo sufre bullying en la secundaria",
        "my son is being bullied at school",
        "some boys keep hitting my daughter",
        "a kid threatened my son on the bus",
    ],
)
def test_a_safety_worry_is_read(text):
    assert is_safety_concern(text)


@pytest.mark.parametrize(
    "text",
    [
        "disculpe la molestia, a que hora abre la oficina",
        "perdon que le moleste, cuando es parent college",
        "buen dia, aqui molestando otra vez",
        "my son hit his head and is at the nurse",  # hurt, not hurt by someone
        "a que hora pega el sol en la tarde",
    ],
)
def test_politeness_and_other_uses_of_the_words_are_not(text):
    assert not is_safety_concern(text)


def test_the_ranking_puts_a_person_first_unless_one_is_already_reached():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "report_absence", "confidence": 0.38},
        {"name": "talk_to_human", "confidence": 0.2},
    ]
    reread = as_safety_concern(ranking, "le estan pegando a mi hijo en la escuela")
    assert [r["name"] for r in reread] == ["talk_to_human", "report_absence"]
    assert reread[0]["confidence"] == 1.0
    teacher = [{"name": "contact_teacher", "confidence": 0.8}]
    assert as_safety_concern(teacher, "I want the teacher to know he is bullied") is None
    assert as_safety_concern(ranking, "a que hora abre la escuela") is None
