"""Which language a family wrote in: English or Spanish, nothing else.

Statistical detectors misread short SMS: "ok gracias" or "si" are too short for n-gram statistics,
and proper names ("Parent College", "Roosevelt") pull Spanish texts toward English. So names are
removed first, then words that only one of the two languages uses decide, and only when they do not,
lingua restricted to English and Spanish (deterministic; its models ship inside the package).
bench/langid.py measures this against plain langdetect and plain lingua."""

from __future__ import annotations

import math
import re
import threading

from .folding import fold

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

# Frequent words, SMS spellings and shorthand that belong to one of the two languages only.
# Words both languages use ("no", "me", "son", "a", "come", "once", "red", "plan") are in neither.
SPANISH_WORDS = frozenset(
    """
    hola ola buenas buenos dias dia tardes noches gracias grasias grax porfa porfavor favor
    quiero quisiera kiero necesito nesecito ocupo donde esta estan queda cuando cuanto cuantos
    cual cuales como que q xq pq porque por para pero tambien tmb pues entonces ahorita ahora
    escuela escuelas hijo hija hijos hijas nino nina ninos ninas mis sus tengo tiene tienen
    tenemos hay es el la los las una uno unos unas del al con sin sobre puedo puede pueden
    podemos hablar ayuda ayudar informacion direccion telefono horario hora horas clase
    clases padres madre padre mama papa familia sabado domingo lunes martes miercoles jueves
    viernes manana hoy ayer si claro bueno buena adios luego hasta nos vemos usted ustedes yo
    soy estoy eres sabes saber ya listo mande mandeme oiga oye disculpe perdon voy vas va vamos
    tarde temprano mas menos muy mucho muchas muchos algo nada todo todos esto eso ese esa
    aqui aki alli ahi alguien nadie pasa paso hice hizo hacer hace entendi cerro abre abierto
    cerrado llega llego pide dijo digo dice inscribirme inscribir registrarme registre cancelar
    programa programas eventos evento junta juntas reunion numero gratis ingles espanol calle
    secundaria preparatoria primaria cuesta llamar llame llamen mi tu te le les lo se su
    dale orale simon pa pal sera estara felicidades feliz bendiciones gusto igual
    """.split()
)

ENGLISH_WORDS = frozenset(
    """
    hi hello hey thanks thank thx thnx tnx thnks ty please pls plz pleace want wanna need
    where what whats when which how why who school schools daughter kid kids child children
    my his her their our your you u ur youre im i'm am i is are was were the an of with
    without about can could would should will cant can't dont don't didnt did do does done
    speak talk help information address phone hours time class classes parents parent mother
    father mom dad family saturday sunday monday tuesday wednesday thursday friday tomorrow
    tmrw tmr today yesterday yes yeah yep yup nope sure bye goodbye see know sign up register
    cancel program programs events event meeting meetings number free english spanish street
    middle high elementary much cost just still open closed sent send got get go going
    late early more less very some any anything nothing all this that there here someone
    call email principal teacher sorry wrong good great again already it its
    it's be been have has had at on in for from to too and or but if then they them he she
    we us fine right now later tonight morning afternoon evening night
    """.split()
)

_lock = threading.Lock()
_detector = None


def _lingua():
    """Built once per process (it loads its models); never at import time."""
    global _detector
    with _lock:
        if _detector is None:
            from lingua import Language, LanguageDetectorBuilder

            _detector = LanguageDetectorBuilder.from_languages(
                Language.ENGLISH, Language.SPANISH
            ).build()
        return _detector


def lingua_confidences(text: str) -> dict[str, float]:
    """lingua restricted to English and Spanish: {"en": p, "es": 1 - p}."""
    codes = {"ENGLISH": "en", "SPANISH": "es"}
    return {
        codes[value.language.name]: value.value
        for value in _lingua().compute_language_confidence_values(text)
    }


def _without_names(folded: str) -> str:
    for name in PROPER_NAMES:
        folded = re.sub(rf"\b{re.escape(name)}\b", " ", folded)
    return folded


def _has_spanish_marks(text: str) -> bool:
    return any(ch in text for ch in "ñÑ¿¡áéíóúÁÉÍÓÚü")


def _words(folded: str) -> list[str]:
    return re.findall(r"[a-z']+", folded)


# Tokens that carry no language on their own ("ok", "k", "lol"): a text of only these is undecided.
NEUTRAL = frozenset("ok okay k kk no lol jaja haha hmm mm bye wifi internet".split())
# How much one cue word moves the log-odds, against lingua's own reading (tuned on the dev set).
CUE_WEIGHT = 1.5
MARKS_WEIGHT = 3.0


def spanish_probability(text: str) -> float | None:
    """P(Spanish) for a text, or None when the text shows no language at all."""
    if not text or not text.strip():
        return None
    folded = _without_names(fold(text))
    words = _words(folded)
    meaningful = [w for w in words if w not in NEUTRAL]
    marks = _has_spanish_marks(text)
    if not meaningful and not marks:
        return None
    spanish = sum(w in SPANISH_WORDS for w in meaningful)
    english = sum(w in ENGLISH_WORDS for w in meaningful)
    p_es = lingua_confidences(" ".join(words)).get("es", 0.5) if meaningful else 0.5
    p_es = min(max(p_es, 0.01), 0.99)
    log_odds = math.log(p_es / (1 - p_es))
    log_odds += CUE_WEIGHT * (spanish - english) + MARKS_WEIGHT * marks
    return 1 / (1 + math.exp(-log_odds))


def guess_language(text: str, min_confidence: float = 0.5) -> str | None:
    """ "en" or "es" when the text says so with at least `min_confidence`; None when it does not
    ("ok", "👍", "12", a school's name, or a reading too close to call)."""
    p_es = spanish_probability(text)
    if p_es is None or p_es == 0.5:
        return None
    language, confidence = ("es", p_es) if p_es > 0.5 else ("en", 1 - p_es)
    return language if confidence >= min_confidence else None


def detect_language(text: str, default: str = "en") -> str:
    """The design's interface: always "en" or "es"; `default` when the text does not tell."""
    return guess_language(text) or default
