"""The one send rate of the line (SEND_RATE_PER_SECOND, what the Twilio account allows), held
across every worker thread, process and machine that sends.

Each text reserves its own slot: the limiter keeps the moment the next text may go, and a
worker atomically takes "max(that moment, now)" and pushes it on by 1/rate. The slots are
therefore exactly 1/rate apart whoever takes them, an idle line gives no burst afterwards, and
a worker only sleeps until its own slot. With REDIS_URL the moment lives in Redis (a Lua
script, timed by Redis's clock); otherwise in the database's send_pace row (one UPDATE)."""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings

# The limiter every sender shares; tests pass their own name so they never meet the real one.
DEFAULT_NAME = "sms"
REDIS_KEY = "family-line:send-pace:{name}"


class Pace:
    """A share of the line's send rate; every sender that uses the same one shares the rate."""

    @classmethod
    def for_settings(cls, settings: Settings, engine: Engine, name: str = DEFAULT_NAME) -> Pace:
        """The limiter for this deployment: Redis when it has one, else its database."""
        if settings.redis_url:
            import redis

            client = redis.Redis.from_url(settings.redis_url)
            return RedisPace(client, settings.send_rate_per_second, name)
        return DatabasePace(engine, settings.send_rate_per_second, name)

    def reserve(self) -> float:
        """Takes the next slot; returns the seconds until it (0 or less: it is now)."""
        return self.reserve_slot()[1]

    def reserve_slot(self) -> tuple[float, float]:
        """Takes the next slot: (when it is, on the limiter's clock, in seconds; the seconds
        until it). Slots handed out by one limiter are exactly 1/rate apart, whoever asks."""
        raise NotImplementedError

    def wait_turn(self) -> float:
        """Blocks until this caller's slot; returns how long it waited."""
        delay = self.reserve()
        if delay > 0:
            time.sleep(delay)
        return max(delay, 0.0)


class DatabasePace(Pace):
    def __init__(self, engine: Engine, rate: float, name: str = DEFAULT_NAME):
        self.engine = engine
        self.rate = rate
        self.name = name

    @property
    def interval(self) -> float:
        return 1.0 / self.rate

    def reserve_slot(self) -> tuple[float, float]:
        reserved = self._reserve_once()
        if reserved is None:  # the limiter's first use: its row is made, then the slot taken
            self._create_row()
            reserved = self._reserve_once()
        return reserved

    def _reserve_once(self) -> tuple[float, float] | None:
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                return self._reserve_postgresql(connection)
            return self._reserve_sqlite(connection)

    def _reserve_postgresql(self, connection) -> tuple[float, float] | None:
        # PostgreSQL's own clock times every machine's slots, so their clocks need not agree;
        # the row lock held until commit makes concurrent reservations queue behind each other.
        row = connection.execute(
            text(
                "UPDATE send_pace SET next_free_at = "
                "GREATEST(next_free_at, EXTRACT(EPOCH FROM clock_timestamp())::float8) + :interval "
                "WHERE name = :name "
                "RETURNING next_free_at - :interval, "
                "next_free_at - :interval - EXTRACT(EPOCH FROM clock_timestamp())::float8"
            ),
            {"interval": self.interval, "name": self.name},
        ).first()
        return None if row is None else (float(row[0]), float(row[1]))

    def _reserve_sqlite(self, connection) -> tuple[float, float] | None:
        # A SQLite database is one machine's file, so its clock is this machine's. The single
        # UPDATE is the transaction's first statement: it takes SQLite's write lock before it
        # reads the row (what BEGIN IMMEDIATE would do), so no two writers read the same value.
        # "now" is SQLite's, read once the lock is held: a writer that waited for the lock
        # does not get a slot in the past.
        row = connection.execute(
            text(
                "UPDATE send_pace SET next_free_at = "
                "max(next_free_at, (julianday('now') - 2440587.5) * 86400.0) + :interval "
                "WHERE name = :name RETURNING next_free_at"
            ),
            {"interval": self.interval, "name": self.name},
        ).first()
        if row is None:
            return None
        slot = float(row[0]) - self.interval
        return slot, slot - time.time()

    def _create_row(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO send_pace (name, next_free_at) VALUES (:name, 0) "
                    "ON CONFLICT (name) DO NOTHING"
                ),
                {"name": self.name},
            )


# Microseconds throughout: Lua numbers are doubles, exact for integers up to 2^53 (a Unix time
# in microseconds is about 2^51). Redis's TIME makes every machine agree on "now".
_RESERVE_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(next_free, now)
local keep_ms = math.floor((slot + interval - now) / 1000) + 3600000
redis.call('SET', KEYS[1], string.format('%.0f', slot + interval), 'PX', keep_ms)
return {string.format('%.0f', slot), string.format('%.0f', slot - now)}
"""


class RedisPace(Pace):
    def __init__(self, client, rate: float, name: str = DEFAULT_NAME):
        self.client = client
        self.rate = rate
        self.name = name
        self.key = REDIS_KEY.format(name=name)
        self._script = client.register_script(_RESERVE_SCRIPT)

    def reserve_slot(self) -> tuple[float, float]:
        interval_us = round(1_000_000 / self.rate)
        slot, delay = self._script(keys=[self.key], args=[interval_us])
        return int(slot) / 1_000_000, int(delay) / 1_000_000

    def forget(self) -> None:
        """Drops the limiter's state (tests clean up after themselves)."""
        self.client.delete(self.key)
