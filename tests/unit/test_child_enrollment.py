"""Enrolling a child is never read as a Parent College sign-up (bot/reading/child_enrollment.py)."""

import pytest

from bot.reading.child_enrollment import as_enrollment, enrolls_a_child


@pytest.mark.parametrize(
    "text",
    [
        "can you help me sign up my two kids at Weigand",
        "kiero inscribir a mis gemelas en la lorena",
        "i need to register my granddaughter for 6th grade",
        "quisiera apuntar a mi nieto en la escuela",
        "cómo inscribo a mi hijo en la escuela",
        "how do i enroll my son at roosevelt for 9th grade",
    ],
)
def test_a_child_as_the_object_of_signing_up_is_enrolling(text):
    assert enrolls_a_child(text)


@pytest.mark.parametrize(
    "text",
    [
        "quiero inscribirme y llevar a mis hijos",
        "can i sign up and bring my kids",
        "inscribir a mi hijo en parent college",
        "me quiero inscribir, mi hijo va en gompers",
        "apunteme a mi y a mi hija",
        "register my son for the parent class",
        "sign me up for saturday",
    ],
)
def test_the_parent_signing_up_or_parent_college_named_stays_a_sign_up(text):
    assert not enrolls_a_child(text)


def test_only_a_sign_up_reading_is_turned_into_enrollment():
    sign_up = [
        {"name": "nlu_fallback", "confidence": 0.47},
        {"name": "register_parent_college", "confidence": 0.47},
        {"name": "ask_enrollment", "confidence": 0.36},
    ]
    ranking = as_enrollment(sign_up, "puedo anotar a mis niños para agosto")
    assert ranking == [
        {"name": "ask_enrollment", "confidence": 0.47},
        {"name": "register_parent_college", "confidence": 0.47},
    ]
    programs = [{"name": "ask_programs", "confidence": 0.9}]
    assert as_enrollment(programs, "como inscribo a mi hijo en summer school") is None
    assert as_enrollment(sign_up, "quiero inscribirme") is None
