"""Family-facing texts the SMS layer sends itself (when the bot cannot answer, or the line acts on
a message itself), side by side per language. The bot's own answers live in domain/, also side by
side. Each fits in two SMS segments."""

from __future__ import annotations

from bot.text.languages import choose

TEXTS: dict[str, dict[str, str]] = {
    # Rasa or the action server did not answer in time; a person will see the message.
    "apology_bot_unavailable": {
        "en": "Sorry, our text line is having trouble right now. We saved your message and "
        "someone from our team will get back to you.",
        "es": "Disculpe, nuestra línea de mensajes tiene problemas en este momento. Guardamos su "
        "mensaje y alguien de nuestro equipo le responderá.",
    },
    # While the family waits for staff, a message the bot cannot answer (bot/families/handoff.py):
    # at most every few hours. {when} is bot.families.office_hours' "mañana después de las 8 a. m.".
    "staff_will_answer": {
        "en": "Got it, our team has your message. Ask me anything meanwhile; a person will text "
        "you back {when}",
        "es": "Recibido, ya lo tiene nuestro equipo. Pregúnteme lo que quiera mientras; una "
        "persona le responderá {when}",
    },
    # A message with no text (a picture alone, or an empty SMS).
    "no_text": {
        "en": "We can only read text messages. Please write your question in words.",
        "es": "Solo podemos leer mensajes de texto. Por favor escriba su pregunta.",
    },
    # Text in another script (Chinese, Arabic, Cyrillic…): the bot only reads English and Spanish.
    "other_script": {
        "en": "Sorry, we can only answer in English or Spanish. Please write to us in one of them.",
        "es": "Disculpe, solo contestamos en inglés o en español. Por favor escriba en uno de los "
        "dos.",
    },
    # The same, to a contact whose language we do not know yet: both languages in one text,
    # the line's default language first.
    "other_script_bilingual": {
        "en": "Sorry, we can only answer in English or Spanish. Please write to us in one of them. "
        "/ Disculpe, solo contestamos en inglés o en español. Por favor escriba en uno de los dos.",
        "es": "Disculpe, solo contestamos en inglés o en español. Por favor escriba en uno de los "
        "dos. / Sorry, we can only answer in English or Spanish. Please write to us in one of "
        "them.",
    },
    # The one confirmation after STOP, BAJA…; families often send "cancelar" meaning their Parent
    # College spot, so it says how to do that instead (the bot only hears them after START).
    "opted_out": {
        "en": "You're unsubscribed and won't get more texts from Partnership for LA Schools. To "
        "come back, text START. Only meant to cancel a Parent College registration? Text START, "
        "then: cancel my registration",
        "es": "Listo, ya no le enviaremos mensajes de Partnership for LA Schools. Para volver, "
        "escriba INICIO. ¿Solo quiere cancelar su registro de Parent College? Escriba INICIO y "
        "luego: cancelar mi registro",
    },
    # After START, INICIO… from a contact who had opted out.
    "opted_in": {
        "en": "Welcome back! You'll get texts from Partnership for LA Schools again. Text STOP "
        "anytime to stop them, or HELP for help.",
        "es": "¡Qué gusto tenerle de vuelta! Le volveremos a enviar mensajes de Partnership for LA "
        "Schools. Para dejar de recibirlos, escriba BAJA. Para ayuda, escriba AYUDA.",
    },
    # HELP, INFO, AYUDA: who we are, how to stop, and that carrier rates may apply (CTIA).
    "help": {
        "en": "Partnership for LA Schools family text line: ask us about schools, events and "
        "Parent College. Text STOP to stop messages. Msg&data rates may apply. partnershipla.org",
        "es": "Servicio de mensajes para familias de Partnership for LA Schools: pregunte por "
        "escuelas, eventos y Parent College. Para no recibir mensajes, escriba BAJA. Pueden "
        "aplicarse tarifas de mensajes y datos. partnershipla.org",
    },
    # HELP from a number that opted out: how to come back instead of how to stop.
    "help_opted_out": {
        "en": "Partnership for LA Schools family text line. You're unsubscribed and get no "
        "messages from us. To get them again, text START. Msg&data rates may apply. "
        "partnershipla.org",
        "es": "Servicio de mensajes para familias de Partnership for LA Schools. Usted se dio de "
        "baja y no le enviamos mensajes. Para volver, escriba INICIO. Pueden aplicarse tarifas "
        "de mensajes y datos. partnershipla.org",
    },
    # The day before a Parent College session, to each family still signed up. How to cancel is
    # written so it is never a lone opt-out keyword: "CANCEL" or "CANCELAR" alone would stop
    # every text, so the words to send are a phrase the bot reads as cancel_registration.
    "session_reminder": {
        "en": "Reminder: Parent College is tomorrow at {session_time} at {place}. See you there! "
        "Can't come? Reply: cancel my spot",
        "es": "Recordatorio: Parent College es mañana {session_time} en {place}. ¡Le esperamos! "
        "¿No puede venir? Responda: cancelar mi registro",
    },
}


def pick(translations: dict[str, str] | None, language: str, fallback: str = "en") -> str:
    """The text in `language`, else in `fallback`, else any; "" when there is none at all."""
    present = [lang for lang, value in (translations or {}).items() if (value or "").strip()]
    chosen = choose(language, present, fallback)
    return translations[chosen] if chosen else ""


def text(key: str, language: str) -> str:
    return pick(TEXTS[key], language)
