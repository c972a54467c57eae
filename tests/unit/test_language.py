import pytest

from bot.text.language_detection import detect_language, guess_language, unstretch

SPANISH = [
    "hola",
    "buenas tardes",
    "ok gracias",
    "a q hora es el parent college?",
    "kiero inscribirme",
    "donde queda markham",
    "cual es la direccion de la escuela jordan",
    "necesito ayuda con el internet porfa",
    "¿Dónde queda Roosevelt?",
    "mi hijo va a la Jordan",
]
ENGLISH = [
    "hi",
    "thanks!",
    "what is the address of markham",
    "where is roosevelt high",
    "I need help with wifi",
    "when is parent college",
    "can someone call me",
    "is Students Connected free",
]
AMBIGUOUS = ["ok", "👍", "12", "Roosevelt", "Parent College", "", "   ", "Markham Jordan"]


@pytest.mark.parametrize("text", SPANISH)
def test_spanish_texts_are_spanish(text):
    assert guess_language(text) == "es"


@pytest.mark.parametrize("text", ENGLISH)
def test_english_texts_are_english(text):
    assert guess_language(text) == "en"


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_texts_that_say_nothing_about_language_give_no_guess(text):
    assert guess_language(text) is None


def test_detect_language_always_answers_one_of_the_two():
    assert detect_language("hola") == "es"
    assert detect_language("👍") == "en"
    assert detect_language("👍", default="es") == "es"


def test_same_text_same_answer():
    # langdetect is random unless seeded; the line must not flip a family's language at random.
    text = "quiero saber sobre las clases"
    assert {guess_language(text) for _ in range(20)} == {"es"}


@pytest.mark.parametrize(
    ("stretched", "word"),
    [
        ("holaaaaa", "hola"),
        ("holaa", "hola"),
        ("hellooo", "hello"),
        ("hii", "hi"),
        ("yesss", "yes"),
        ("pleasee", "please"),
        ("graciiias", "gracias"),
        ("buenoo", "bueno"),
        ("adioos", "adios"),
        ("seeee", "see"),
        ("jajajaja", "jaja"),
        ("hahahah", "haha"),
    ],
)
def test_elongations_fold_to_the_word_behind_them(stretched, word):
    assert unstretch(stretched) == word


@pytest.mark.parametrize("word", ["address", "class", "miss", "too", "all", "calle", "hola"])
def test_real_words_with_double_letters_stay_as_they_are(word):
    assert unstretch(word) == word


@pytest.mark.parametrize(
    "text",
    [
        "holiii",
        "siiii porfa",
        "muchas graciiias",
        "chaito",
        "nel gracias",
        "porfas",
        "xfavor",
        "cuidense",
        "uniforme?",
        "horarios",
        "okey pues",
        "sale pues gracias",
    ],
)
def test_informal_and_one_word_spanish_is_spanish(text):
    assert guess_language(text) == "es"


@pytest.mark.parametrize(
    "text",
    [
        "helloooo",
        "heyy there",
        "thanksss",
        "helppp",
        "operator",
        "representative?",
        "homework",
        "calendar?",
        "grade",
        "uniform pls",
        "a real person please",
        "lunch time?",
        "nvm thx",
    ],
)
def test_informal_and_one_word_english_is_english(text):
    assert guess_language(text) == "en"


def test_a_stretched_neutral_word_leans_but_never_switches_a_family():
    # "nooooo" or "okkkk" say a little about the language, never enough for the 80% switch.
    for text in ("nooooo", "okkkk"):
        assert guess_language(text) in ("en", "es")
        assert guess_language(text, min_confidence=0.8) is None
    assert guess_language("no") is None


@pytest.mark.parametrize(
    "name", ["Ana Ruiz", "maria guadalupe ramos", "Jose Luis Hernandez", "Yesenia Castro"]
)
def test_a_name_alone_shows_no_language(name):
    # The answer to "What is your full name?" must not move an English-speaking family to
    # Spanish because its name is Spanish.
    assert guess_language(name) is None


@pytest.mark.parametrize("text", ["Hola Buenas Tardes", "Yes Please", "hola soy ana ruiz"])
def test_capitalised_words_of_a_language_still_show_it(text):
    assert guess_language(text) is not None


@pytest.mark.parametrize(
    "school",
    ["Markham Middle School", "Jordan High", "Roosevelt High School", "Grape Street Elementary"],
)
def test_a_school_named_with_its_kind_shows_no_language(school):
    # The answer to "¿A qué escuela va su hijo?" must not move a Spanish-speaking family to
    # English because the school's name ends in "Middle School".
    assert guess_language(school) is None
    assert guess_language(f"mi hijo va en {school}") == "es"


def test_every_school_of_the_line_is_a_name_not_a_language():
    """ "Rosa Elena Martinez de 99th street elementary" switched a Spanish-speaking family to
    English: a school's name is no evidence of the family's language, whichever school it is."""
    from pathlib import Path

    import yaml

    from bot.text.folding import fold
    from bot.text.language_words import PROPER_NAMES

    seed = Path(__file__).resolve().parents[2] / "seed" / "schools.yaml"
    schools = yaml.safe_load(seed.read_text(encoding="utf-8"))["schools"]
    missing = [s["short_name"] for s in schools if fold(s["short_name"]) not in PROPER_NAMES]
    assert missing == []
    from bot.families.contacts import SWITCH_CONFIDENCE

    for school in schools:
        text = f"soy Ana Lopez, mi hijo va en {school['name']}"
        assert guess_language(text, min_confidence=SWITCH_CONFIDENCE) != "en", text
