"""A hello, a thank-you or a goodbye and nothing else.

Greetings, thanks and goodbyes are a closed set of words, and the model, which weighs every word
and character it was trained on, is least sure of the shortest messages: "buenass", "mil
gracias!!", "bye bye" fell under the fallback threshold. A message made only of those words
(with "ok", "muy", "pues" and the like around them), read unsurely, is the social phrase it is:
a goodbye when it says goodbye, else thanks when it thanks, else a greeting. Pure, so it is
tested without Rasa; bot/rasa/intent_guard_step.py applies it inside the Rasa server's pipeline."""

from __future__ import annotations

from bot.text.folding import fold_spelling, fold_words

GREET, THANK, GOODBYE = "greet", "thank", "goodbye"
# Under this, the model's reading of a message made only of these words gives way to them.
UNSURE = 0.6

_GOODBYE = {
    "adios", "bye", "byebye", "chao", "chau", "bai", "goodbye", "later", "laters", "cya",
    "goodnight", "cuidese", "cuidate", "despido", "bendecida", "bendecido",
}  # fmt: skip
_GOODBYE_PAIRS = (
    {"hasta", "luego"}, {"hasta", "pronto"}, {"hasta", "manana"}, {"nos", "vemos"},
    {"good", "night"}, {"take", "care"}, {"see", "you"}, {"hasta", "proxima"},
    {"nos", "hablamos"}, {"vaya", "bien"}, {"talk", "soon"}, {"buenas", "noches", "gracias"},
)  # fmt: skip
# A wish for the day says goodbye when nothing else says hello ("que tenga buen día", but "qué
# tal, muy buen día tenga" greets).
_WISHES = ({"have", "day"}, {"tenga", "dia"}, {"tenga", "tarde"}, {"tenga", "noche"})
_THANK = {
    "gracias", "grax", "grasias", "thanks", "thank", "thx", "thnx", "ty", "tysm", "appreciate",
    "agradezco", "agradecida", "agradecido", "bendiga", "pague", "amable", "amables",
}  # fmt: skip
_GREET = {
    "hola", "ola", "holi", "holis", "hi", "hello", "hey", "buenas", "buenos", "saludos",
    "quiubo", "quihubo", "hiya", "howdy", "buenass", "wenas",
}  # fmt: skip
_GREET_PAIRS = (
    {"que", "tal"}, {"que", "onda"}, {"good", "morning"}, {"good", "afternoon"},
    {"good", "evening"}, {"que", "hubo"},
)  # fmt: skip
# Words that go around them without asking anything ("ok mil gracias a todos, bendiciones").
_AROUND = {
    "ok", "okay", "oki", "pues", "ps", "muy", "bien", "mil", "muchas", "muchisimas", "much", "so",
    "very", "you", "u", "a", "y", "and", "le", "lo", "se", "dios", "it", "all", "todos", "todas",
    "usted", "ustedes", "senora", "senor", "miss", "again", "de", "nuevo", "for", "por", "todo",
    "everything", "the", "help", "ayuda", "su", "your", "nice", "tenga", "lindo", "bonito",
    "feliz", "great", "good", "too", "tambien", "igualmente", "la", "el", "bendiciones", "dias",
    "dia", "tardes", "noches", "morning", "afternoon", "evening", "night", "buen", "que", "tal",
    "onda", "hasta", "luego", "pronto", "manana", "nos", "vemos", "take", "care", "see", "have",
    "day", "tarde", "noche", "ahi", "me", "proxima", "hablamos", "vaya", "talk", "soon", "hubo",
    "disculpe", "molestia", "es", "son", "atencion", "nuevamente",
}  # fmt: skip
_WORDS = _GOODBYE | _THANK | _GREET | _AROUND


def _says(words: set[str], anchors: set[str], pairs: tuple[set[str], ...]) -> bool:
    return bool(words & anchors) or any(pair <= words for pair in pairs)


def social_phrase(text: str | None) -> str | None:
    """GOODBYE, THANK or GREET when the message is only that; None otherwise."""
    words = {fold_spelling(word) for word in fold_words(text or "").split()}
    if not words or not words <= _WORDS:
        return None
    if _says(words, _GOODBYE, _GOODBYE_PAIRS):
        return GOODBYE
    if words & _THANK:
        return THANK if not _says(words, set(), _WISHES) else GOODBYE
    if _says(words, _GREET, _GREET_PAIRS):
        return GREET
    if _says(words, set(), _WISHES):
        return GOODBYE
    if {"buen", "dia"} <= words:
        return GREET
    return None


def as_social_phrase(ranking: list[dict], text: str | None) -> list[dict] | None:
    """The ranking led by the social phrase when the model read the message unsurely (a
    fallback, or its first reading under UNSURE) and the message is only that; None otherwise."""
    if not ranking:
        return None
    top = ranking[0]
    unsure = top.get("name") == "nlu_fallback" or float(top.get("confidence") or 0.0) < UNSURE
    meant = social_phrase(text) if unsure else None
    if meant is None or top.get("name") == meant:
        return None
    readings = [r for r in ranking if r.get("name") not in (meant, "nlu_fallback")]
    confidence = max(float(top.get("confidence") or 0.0), UNSURE)
    return [{"name": meant, "confidence": confidence}, *readings]
