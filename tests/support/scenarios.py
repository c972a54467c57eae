"""Judging a family's conversation turn by turn (tests/scenarios/README.md): what one turn's
replies must hold, and the checks every turn gets without asking. Pure: the e2e runner
(tests/e2e/test_scenarios_e2e.py) texts the stack and reads the database and the tracker."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.text.folding import fold
from bot.text.language_detection import guess_language
from bot.text.segments import count_segments

MOST_SEGMENTS = 3
# Shorter messages ("markham", "si porfa") may be named back in a good answer.
ECHO_FROM = 12
# Replies this short ("Jordan High School: 555-0110") say too little to tell their language.
LANGUAGE_FROM_WORDS = 6


@dataclass
class TurnState:
    """What the runner saw after a turn, besides the replies."""

    seats: int  # Parent College seats the family holds
    signing_up: bool  # the sign-up form is under way
    handed_off: bool  # the conversation waits for staff


@dataclass
class Outcome:
    scenario: str
    language: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def fill(value: str, placeholders: dict[str, str]) -> str:
    """ "{pc1.day}" -> "19"; an unknown placeholder is left as written, so the check fails."""
    return re.sub(r"\{([a-z0-9_.]+)\}", lambda m: placeholders.get(m.group(1), m.group(0)), value)


def _has(replies: str, wanted: str) -> bool:
    return fold(wanted) in replies


def check_turn(
    said: str,
    replies: list[str],
    expect: dict,
    state: TurnState,
    language: str,
    placeholders: dict[str, str],
) -> list[str]:
    """What is wrong with this turn, in words a reader of the test output understands; [] when
    nothing is."""
    expect = expect or {}
    problems = []
    joined = fold(" ".join(replies))
    if expect.get("silent"):
        if replies:
            problems.append(f"expected no reply, got {replies}")
        return problems
    if not replies:
        return ["no reply at all"]
    wanted = [fill(v, placeholders) for v in expect.get("any_of") or []]
    if wanted and not any(_has(joined, w) for w in wanted):
        problems.append(f"none of {wanted} in the replies")
    for w in (fill(v, placeholders) for v in expect.get("all_of") or []):
        if not _has(joined, w):
            problems.append(f"{w!r} missing from the replies")
    for w in (fill(v, placeholders) for v in expect.get("none_of") or []):
        if _has(joined, w):
            problems.append(f"{w!r} should not be in the replies")
    if expect.get("no_signup") and (state.seats or state.signing_up):
        problems.append(f"a sign-up was started or made (seats {state.seats})")
    if expect.get("signed_up") and not state.seats:
        problems.append("no seat after the family's yes")
    if "seats" in expect and state.seats != expect["seats"]:
        problems.append(f"holds {state.seats} seats, expected {expect['seats']}")
    if expect.get("handed_off") and not state.handed_off:
        problems.append("not handed to staff")
    problems += always_checked(said, replies, expect.get("language") or language)
    return problems


def always_checked(said: str, replies: list[str], language: str) -> list[str]:
    """Never silence (checked by the caller), never the family's words back, never over three
    segments, always the family's language."""
    problems = []
    said_folded = " ".join(fold(said).split())
    for reply in replies:
        if len(said_folded) >= ECHO_FROM and said_folded in " ".join(fold(reply).split()):
            problems.append(f"repeats the family's message: {reply!r}")
        if count_segments(reply).segments > MOST_SEGMENTS:
            problems.append(f"{count_segments(reply).segments} segments: {reply[:60]!r}…")
        if len(reply.split()) >= LANGUAGE_FROM_WORDS:
            guessed = guess_language(reply)
            if guessed and guessed != language:
                problems.append(f"reply in {guessed}, family writes {language}: {reply[:60]!r}")
    return problems


def rate(outcomes: list[Outcome], language: str) -> tuple[int, int]:
    """(passed, total) for one language."""
    mine = [o for o in outcomes if o.language == language]
    return sum(o.passed for o in mine), len(mine)
