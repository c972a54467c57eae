"""Which language a family wrote in: English or Spanish, nothing else.

Statistical detectors misread short SMS: "hola" or "ok gracias" are too short for n-gram statistics,
and proper names ("Parent College", "Roosevelt") pull Spanish texts toward English. So names are
removed first, then words that only one of the two languages uses decide, and only when they do not,
langdetect restricted to en/es (seeded, so the same text always gets the same answer)."""

from __future__ import annotations

import re
import threading
import unicodedata

LANGUAGES = ("en", "es")

# Names say nothing about the language they appear in.
PROPER_NAMES = (
    "parent college",
    "partnership for la schools",
    "partnership for los angeles schools",
    "partnership",
    "students connected",
    "st math",
    "achieve3000",
    "achieve 3000",
    "markham",
    "gompers",
    "stevenson",
    "mendez",
    "jordan",
    "roosevelt",
    "hollenbeck",
    "mstma",
    "grape street",
    "sunrise",
    "boyle heights",
    "south la",
    "los angeles",
    "watts",
    "lausd",
)

SPANISH_WORDS = frozenset(
    """
    hola buenas buenos dias tardes noches gracias grax porfa porfavor favor quiero quisiera kiero
    necesito donde esta queda cuando cual cuales como que q xq porque por para pero tambien
    escuela escuelas hijo hija hijos hijas mi mis su sus tengo tiene tienen hay es son el la los
    las una uno unos del al con sin sobre puedo puede pueden hablar ayuda informacion direccion
    telefono horario hora horas clases clase padres madre padre familia sabado domingo manana hoy
    si claro bueno adios luego hasta nos vemos usted ustedes yo soy estoy eres sabes saber
    inscribirme inscribir registrarme cancelar programa programas eventos evento junta juntas
    numero gratis ninos nino ingles espanol calle secundaria preparatoria primaria cuanto cuesta
    """.split()
)

ENGLISH_WORDS = frozenset(
    """
    hi hello hey thanks thank thx ty please pls plz want need where what when which how why
    school schools son daughter kids child children my his her their have has is are the a an
    of with without about can could speak talk help information address phone hours time class
    classes parents mother father family saturday sunday tomorrow today yes yeah yep sure bye
    goodbye see you i im i'm am your know sign up register cancel program programs events event
    meeting meetings number free english spanish street middle high elementary much cost does do
    """.split()
)

_lock = threading.Lock()
_factory = None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _without_names(folded: str) -> str:
    for name in PROPER_NAMES:
        folded = re.sub(rf"\b{re.escape(name)}\b", " ", folded)
    return folded


def _has_spanish_marks(text: str) -> bool:
    return any(ch in text for ch in "ñÑ¿¡áéíóúÁÉÍÓÚü")


def _words(folded: str) -> list[str]:
    return re.findall(r"[a-z']+", folded)


def _langdetect_probabilities(text: str) -> dict[str, float]:
    global _factory
    from langdetect.detector_factory import DetectorFactory, init_factory
    from langdetect.lang_detect_exception import LangDetectException

    with _lock:
        if _factory is None:
            DetectorFactory.seed = 0
            init_factory()
            from langdetect import detector_factory

            _factory = detector_factory._factory
        detector = _factory.create()
    # Priors of zero for every other language restrict the answer to these two.
    detector.set_prior_map({"en": 0.5, "es": 0.5})
    detector.append(text)
    try:
        return {lang.lang: lang.prob for lang in detector.get_probabilities()}
    except LangDetectException:
        return {}


def guess_language(text: str, min_confidence: float = 0.9) -> str | None:
    """ "en" or "es" when the text says so, None when it does not ("ok", "👍", "12", a name)."""
    if not text or not text.strip():
        return None
    folded = _without_names(_fold(text))
    words = _words(folded)
    if not words:
        return "es" if _has_spanish_marks(text) else None
    spanish = sum(word in SPANISH_WORDS for word in words) + 2 * _has_spanish_marks(text)
    english = sum(word in ENGLISH_WORDS for word in words)
    if spanish != english and max(spanish, english) >= 1:
        # Cue words decide when one side clearly leads; "my son is enfermo" leads neither way
        # (1 to 1 + 1), which is left to the statistics below.
        if spanish >= 2 * english or english >= 2 * spanish:
            return "es" if spanish > english else "en"
    if len(" ".join(words)) < 3:
        return None
    probabilities = _langdetect_probabilities(" ".join(words))
    best = max(LANGUAGES, key=lambda lang: probabilities.get(lang, 0.0))
    if probabilities.get(best, 0.0) >= min_confidence:
        return best
    if spanish != english:
        return "es" if spanish > english else "en"
    return None


def detect_language(text: str, default: str = "en") -> str:
    """The design's interface: always "en" or "es"; `default` when the text does not tell."""
    return guess_language(text) or default
