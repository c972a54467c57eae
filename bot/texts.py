"""Family-facing texts the SMS layer sends itself (when the bot cannot answer), side by side
per language. The bot's own answers live in domain.yml, also side by side.
Each fits in two SMS segments."""

from __future__ import annotations

from .config import LANGUAGES

TEXTS: dict[str, dict[str, str]] = {
    # Rasa or the action server did not answer in time; a person will see the message.
    "apology_bot_unavailable": {
        "en": "Sorry, our text line is having trouble right now. We saved your message and "
        "someone from our team will get back to you.",
        "es": "Disculpe, nuestra línea de mensajes tiene problemas en este momento. Guardamos su "
        "mensaje y alguien de nuestro equipo le responderá.",
    },
    # A message with no text (a picture alone, or an empty SMS).
    "no_text": {
        "en": "We can only read text messages. Please write your question in words.",
        "es": "Solo podemos leer mensajes de texto. Por favor escriba su pregunta.",
    },
}


def pick(translations: dict[str, str] | None, language: str, fallback: str = "en") -> str:
    """The text in `language`, else in `fallback`, else any; "" when there is none at all."""
    if not translations:
        return ""
    for lang in (language, fallback, *LANGUAGES):
        if translations.get(lang):
            return translations[lang]
    return next(iter(translations.values()), "")


def text(key: str, language: str) -> str:
    return pick(TEXTS[key], language)
