"""A year of the line's traffic for bench/console_search.py: a new database on the server, seeded,
filled by COPY with contacts, conversations and turns (families and bot, about 60% Spanish,
realistic intents and confidences, ~5% nlu_fallback), then migrated to head so 0004 builds its
indexes on the loaded table as it would on a live one."""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bench.postgres_copy import copy_lines
from bot.db import engine_for, session_factory, session_scope
from bot.directory.seed import seed_database
from bot.migrate import downgrade, upgrade
from bot.models import School

RARE_WORD = "chromebook"
COMMON_WORD = "escuela"
NOW = datetime.now(timezone.utc).replace(microsecond=0)
YEAR = timedelta(days=365)

# (intent, weight, {language: family texts}); {school} is filled in.
FAMILY_TEXTS = [
    (
        "greet",
        14,
        {
            "en": ["hi", "hello good morning", "hey"],
            "es": ["hola", "buenas tardes", "hola buenos dias"],
        },
    ),
    (
        "thank",
        9,
        {"en": ["thanks!", "thank you so much"], "es": ["gracias", "muchas gracias, bendiciones"]},
    ),
    ("goodbye", 4, {"en": ["ok bye"], "es": ["hasta luego", "bye gracias"]}),
    ("affirm", 7, {"en": ["yes please", "yes"], "es": ["si", "sí, claro"]}),
    ("deny", 3, {"en": ["no thanks"], "es": ["no por ahora"]}),
    (
        "ask_school_info",
        12,
        {
            "en": ["what's the address of {school}?", "phone number for {school} please"],
            "es": [
                "¿dónde queda la escuela {school}?",
                "cual es el telefono de la escuela {school}",
            ],
        },
    ),
    (
        "ask_events",
        9,
        {
            "en": ["anything happening saturday at {school}?", "when is the next meeting"],
            "es": ["¿hay juntas para padres en {school}?", "que eventos hay este mes"],
        },
    ),
    (
        "ask_programs",
        7,
        {
            "en": ["do you help with wifi at home?", "is there tutoring at {school}"],
            "es": ["¿tienen clases de arte?", "hay programas de verano en la escuela {school}?"],
        },
    ),
    (
        "ask_parent_college",
        8,
        {
            "en": ["is parent college free?", "when is parent college"],
            "es": ["¿a qué hora es parent college?", "que es parent college"],
        },
    ),
    (
        "register_parent_college",
        5,
        {"en": ["put me down for saturday's class"], "es": ["quiero inscribirme a parent college"]},
    ),
    (
        "inform",
        6,
        {
            "en": ["{school}, 7th grade", "2 adults"],
            "es": ["me llamo Rosa Díaz", "{school}, sexto grado"],
        },
    ),
    ("check_registration", 2, {"en": ["am I signed up?"], "es": ["¿ya quedé registrada?"]}),
    (
        "cancel_registration",
        1,
        {"en": ["I can't make it, cancel my spot"], "es": ["cancele mi inscripción"]},
    ),
    ("talk_to_human", 2, {"en": ["can someone call me?"], "es": ["quiero hablar con una persona"]}),
    ("change_language", 1, {"en": ["English please"], "es": ["en español por favor"]}),
    ("ask_about_partnership", 2, {"en": ["who are you guys?"], "es": ["¿qué es la partnership?"]}),
    ("bot_help", 2, {"en": ["what can I ask?"], "es": ["¿qué puedo preguntar?"]}),
    ("bot_challenge", 1, {"en": ["am I texting a robot?"], "es": ["¿eres una persona?"]}),
    ("out_of_scope", 2, {"en": ["who won the game?"], "es": ["cuéntame un chiste"]}),
]
FALLBACK_TEXTS = {
    "en": ["my kid lost the thing from school", "the bus didnt come today what do i do"],
    "es": ["mi hijo no tiene la forma esa", "no llego el camion hoy que hago"],
}
BOT_TEXTS = {
    "en": ["Here is what I found for you.", "Sure! Anything else?", "Parent College is free."],
    "es": ["Esto es lo que encontré.", "¡Claro! ¿Algo más?", "Parent College es gratis."],
}


@dataclass
class Sizes:
    contacts: int
    messages: int


def _family_text(rng: random.Random, language: str, schools: list[str]) -> tuple[str, str, float]:
    if rng.random() < 0.05:
        return rng.choice(FALLBACK_TEXTS[language]), "nlu_fallback", round(rng.uniform(0.2, 0.6), 3)
    intent, _, texts = rng.choices(FAMILY_TEXTS, weights=[t[1] for t in FAMILY_TEXTS])[0]
    body = rng.choice(texts[language]).format(school=rng.choice(schools))
    confidence = round(min(1.0, max(0.6, rng.gauss(0.88, 0.09))), 3)
    if rng.random() < 0.0001:
        body += f" y la {RARE_WORD} no prende" if language == "es" else f", my {RARE_WORD} broke"
    return body, intent, confidence


def _copy(connection, table: str, columns: str, lines: list[str]) -> None:
    copy_lines(connection.cursor(), table, columns, lines)


def _ts(value: datetime) -> str:
    return value.isoformat()


def load_traffic(url: str, sizes: Sizes, seed: int = 7) -> None:
    """Contacts, one conversation each (a few web chats), and a year of turns, by COPY."""
    rng = random.Random(seed)
    with session_scope(session_factory(engine_for(url))) as session:
        schools = list(session.execute(select(School.id, School.short_name)))
    raw = engine_for(url).raw_connection()
    try:
        turns = sizes.messages // 2
        weights = [rng.paretovariate(1.5) for _ in range(sizes.contacts)]
        counts = [max(1, round(w)) for w in weights]
        scale = turns / sum(counts)
        contacts, conversations, plan = [], [], []
        for cid in range(1, sizes.contacts + 1):
            language = "es" if rng.random() < 0.6 else "en"
            web = rng.random() < 0.05
            school_id = rng.choice(schools)[0] if rng.random() < 0.7 else None
            phone = "\\N" if web else f"+1323{2000000 + cid:07d}"
            web_id = secrets.token_hex(8) if web else "\\N"
            name = f"Parent {cid}" if rng.random() < 0.3 else "\\N"
            school = "\\N" if school_id is None else str(school_id)
            first = NOW - YEAR + timedelta(seconds=rng.uniform(0, YEAR.total_seconds()))
            contacts.append(
                f"{cid}\t{secrets.token_hex(12)}\t{phone}\t{web_id}\tt\t{name}\t{language}\t"
                f"detected\t{school}\tf\t{_ts(first)}\t{_ts(NOW)}\n"
            )
            n = max(1, round(counts[cid - 1] * scale))
            span = (NOW - first).total_seconds()
            times = sorted(first + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))
            conversations.append((cid, "webchat" if web else "sms", first, times[-1], rng))
            plan.extend((when, cid, language) for when in times)
        _copy(
            raw,
            "contact",
            "id, public_id, phone, web_chat_id, phone_valid, name, language, language_source, "
            "school_id, opted_out, created_at, last_seen_at",
            contacts,
        )
        _copy(
            raw, "conversation", _CONVERSATION_COLUMNS, [_conversation(*c) for c in conversations]
        )
        _load_messages(raw, plan, [s[1] for s in schools], {c[0]: c[1] for c in conversations}, rng)
        cursor = raw.cursor()
        for table in ("contact", "conversation"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        raw.commit()
    finally:
        raw.close()


_CONVERSATION_COLUMNS = (
    "id, contact_id, channel, handled_by_staff, handoff_until, handoff_reason, needs_staff, "
    "created_at, last_message_at"
)


def _conversation(cid: int, channel: str, first: datetime, last: datetime, rng) -> str:
    roll = rng.random()
    needs, staff, until, reason = "f", "f", "\\N", "\\N"
    if roll < 0.03:
        needs, reason = "t", rng.choice(["talk_to_human", "two_fallbacks", "bot_unavailable"])
    elif roll < 0.04:
        needs, staff, reason = "t", "t", "talk_to_human"
        until = _ts(NOW + timedelta(hours=rng.choice([2, 24]))) if rng.random() < 0.5 else "\\N"
    return (
        f"{cid}\t{cid}\t{channel}\t{staff}\t{until}\t{reason}\t{needs}\t{_ts(first)}\t{_ts(last)}\n"
    )


def _load_messages(raw, plan, school_names, channels, rng, chunk: int = 100_000) -> None:
    """Two messages a turn (the family's and the bot's answer), in time order like a real log."""
    plan.sort()
    columns = (
        "conversation_id, direction, sender, body, num_media, language, intent, confidence, "
        "channel, delivery_status, created_at, updated_at"
    )
    lines: list[str] = []
    for when, cid, language in plan:
        spoken = language if rng.random() < 0.9 else ("en" if language == "es" else "es")
        body, intent, confidence = _family_text(rng, spoken, school_names)
        channel = channels[cid]
        stamp = _ts(when)
        lines.append(
            f"{cid}\tin\tfamily\t{body}\t0\t{spoken}\t{intent}\t{confidence}\t{channel}\t"
            f"received\t{stamp}\t{stamp}\n"
        )
        answered = _ts(when + timedelta(seconds=2))
        reply = rng.choice(BOT_TEXTS[spoken])
        lines.append(
            f"{cid}\tout\tbot\t{reply}\t0\t{spoken}\t{intent}\t{confidence}\t{channel}\t"
            f"delivered\t{answered}\t{answered}\n"
        )
        if len(lines) >= chunk:
            _copy(raw, "message", columns, lines)
            lines = []
    if lines:
        _copy(raw, "message", columns, lines)


def build_database(url: str, sizes: Sizes) -> None:
    started = time.monotonic()
    # The seed is written for today's schema, so it goes in at head; the traffic is loaded at 0003,
    # before the inbox's indexes, so that 0004 builds them on a full table as it did on live ones.
    upgrade(url)
    with session_scope(session_factory(engine_for(url))) as session:
        seed_database(session)
    downgrade(url, "0003")
    load_traffic(url, sizes)
    loaded = time.monotonic()
    upgrade(url)  # 0004's indexes, built on the loaded table
    indexed = time.monotonic()
    with engine_for(url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    print(
        f"filled in {loaded - started:.0f} s, 0004 indexes in {indexed - loaded:.0f} s, "
        f"vacuum analyze in {time.monotonic() - indexed:.0f} s"
    )


def create_database(admin_url: str) -> str:
    name = "console_bench_" + secrets.token_hex(4)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)
