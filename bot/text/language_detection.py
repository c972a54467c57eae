"""Which language a family wrote in: English or Spanish, nothing else.

Statistical detectors misread short SMS: "ok gracias" or "si" are too short for n-gram statistics,
and proper names ("Parent College", "Roosevelt") pull Spanish texts toward English. So names are
removed first and SMS elongations folded ("holaaa", "hiii", "thankss"), then words that only one of
the two languages uses decide (bot.text.language_words), and only when they do not, lingua
restricted to English and Spanish (deterministic; its models ship inside the package), whose
reading of a single word counts half.
bench/langid.py measures this against plain langdetect and plain lingua."""

from __future__ import annotations

import math
import re
import threading

from bot.text.folding import fold
from bot.text.language_words import (
    ENGLISH_WORDS,
    NEUTRAL,
    PERSON_NAMES,
    PROPER_NAMES,
    SPANISH_WORDS,
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


# A school's name with the kind of school after it ("Markham Middle School", "Jordan High") is
# still a name: the words after it are the school's, not the family's language.
_NAMES = re.compile(
    r"\b(?:"
    + "|".join(re.escape(name) for name in PROPER_NAMES)
    + r")(?:\s+(?:(?:middle|high|elementary|senior|junior)(?:\s+school)?|school|academy|ms|hs))?\b"
)


def _without_names(folded: str) -> str:
    return _NAMES.sub(" ", folded)


def _has_spanish_marks(text: str) -> bool:
    return any(ch in text for ch in "ñÑ¿¡áéíóúÁÉÍÓÚü")


def _words(folded: str) -> list[str]:
    return re.findall(r"[a-z']+", folded)


_KNOWN = SPANISH_WORDS | ENGLISH_WORDS | NEUTRAL
_RUN = re.compile(r"([a-z])\1{2,}")  # a letter typed three or more times: "holaaa", "okkk"
_VOWEL_PAIR = re.compile(r"([aeiou])\1+")  # "adioos", "graciias": Spanish hardly doubles vowels
_LAUGH = re.compile(r"(?:j[aeiou]){2,}j?|(?:h[aeiou]){2,}h?")
# Real words that end in a doubled letter and must not lose it ("miss" is not "mis").
_DOUBLED_WORDS = frozenset("miss loss mass lass dell tee lee".split())


def unstretch(word: str) -> str:
    """The word behind an SMS elongation, for a folded word: "holaaaa" -> "hola", "hiii" -> "hi",
    "graciaaas" -> "gracias", "thankss" -> "thanks", "holaa" -> "hola"; "jajaja" -> "jaja".
    A letter run of three or more becomes two, then one, then doubled vowels become one; a final
    doubled letter becomes one; the first form that is a known word wins ("seee" -> "see", not
    "se"; "adioos" -> "adios"). Unknown words only lose their runs of three or more ("cooool" ->
    "cool")."""
    if word in _KNOWN:
        return word
    if _LAUGH.fullmatch(word):
        return "jaja" if word[0] == "j" else "haha"
    double = _RUN.sub(r"\1\1", word)
    for candidate in (double, _RUN.sub(r"\1", word), _VOWEL_PAIR.sub(r"\1", word)):
        if candidate in _KNOWN:
            return candidate
        if (
            len(candidate) > 2
            and candidate[-1] == candidate[-2]
            and candidate not in _DOUBLED_WORDS
            and candidate[:-1] in _KNOWN
        ):
            return candidate[:-1]
    return double


_APOSTROPHE = re.compile(r"[a-z]'[a-z]")  # "son's", "i'd", "ma'am": Spanish has no such words

# How much one cue word moves the log-odds, against lingua's own reading (tuned on the dev set).
CUE_WEIGHT = 1.5
MARKS_WEIGHT = 3.0
# lingua's reading of a single word is weak ("grax" reads English, "agent" Spanish): it counts half.
LINGUA_FULL_WEIGHT_WORDS = 2
# A text that is only a stretched neutral word ("nooo", "okkk") leans the way lingua reads it,
# but never far enough to move a family to the other language (bot.families.contacts needs 80%).
STRETCHED_NEUTRAL_CAP = 0.7


def only_a_name(text: str) -> bool:
    """ "Ana Ruiz", "maria guadalupe ramos": a person's name and nothing else. Every word is a
    known name, or every word is capitalised and none is a word of either language."""
    words = text.split()
    if not 1 <= len(words) <= 5:
        return False
    folded = [fold(w).strip(".,") for w in words]
    if not all(re.fullmatch(r"[a-z]+(?:[-'][a-z]+)?", w) for w in folded):
        return False
    if all(w in PERSON_NAMES for w in folded):
        return True
    capitalised = all(w[:1].isupper() for w in words)
    cue_words = SPANISH_WORDS | ENGLISH_WORDS
    return (
        capitalised
        and len(words) >= 2
        and not any(w in cue_words and w not in PERSON_NAMES for w in folded)
    )


def spanish_probability(text: str) -> float | None:
    """P(Spanish) for a text, or None when the text shows no language at all (a person's name
    included: a name is not a language)."""
    if not text or not text.strip() or only_a_name(text):
        return None
    raw = _words(_without_names(fold(text)))
    words = [unstretch(w) for w in raw]
    meaningful = [w for w in words if w not in NEUTRAL]
    marks = _has_spanish_marks(text)
    stretched = any(w != r for w, r in zip(words, raw, strict=True))
    if not meaningful and not marks and not stretched:
        return None
    spanish = sum(w in SPANISH_WORDS for w in meaningful)
    english = sum(
        w in ENGLISH_WORDS or (w not in SPANISH_WORDS and bool(_APOSTROPHE.search(w)))
        for w in meaningful
    )
    p_es = lingua_confidences(" ".join(words)).get("es", 0.5) if meaningful or stretched else 0.5
    p_es = min(max(p_es, 0.01), 0.99)
    lingua_weight = min(1.0, max(len(meaningful), 1) / LINGUA_FULL_WEIGHT_WORDS)
    log_odds = lingua_weight * math.log(p_es / (1 - p_es))
    log_odds += CUE_WEIGHT * (spanish - english) + MARKS_WEIGHT * marks
    p_es = 1 / (1 + math.exp(-log_odds))
    if not meaningful and not marks:
        p_es = min(max(p_es, 1 - STRETCHED_NEUTRAL_CAP), STRETCHED_NEUTRAL_CAP)
    return p_es


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
