"""What one run of bench/scale.py measured: the CPU each role of the line used (from its processes'
control groups), and the figures of a line under load and of a broadcast's send."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import (
    process_meters,
)


def group_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of every live process, summed by process group: each of the
    line's processes is started in a group of its own (gunicorn's workers are in their
    master's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        group = int(fields[2])
        totals[group] = totals.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


def role_of(name: str) -> str:
    """The kind of a process spec: "rasa-2" -> "rasa", "lb-actn" -> "balancers"."""
    return "balancers" if name.startswith("lb-") else name.split("-")[0]


LINE_ROLES = ("web", "balancers", "rasa", "actions", "worker", "postgres", "redis")


class LineCpu:
    """Where the CPU went during a window (100% = one CPU): each kind of the line's processes,
    the PostgreSQL backends of its databases, its Redis, and the whole machine."""

    def __init__(self, groups: dict[str, list[int]], databases: list[str], redis_pid: int):
        self.groups, self.databases, self.redis_pid = groups, databases, redis_pid
        self.started = time.monotonic()
        self.marks = self._read()
        self.machine = process_meters.machine_ticks()

    def _read(self) -> dict[str, dict[int, float]]:
        by_group = group_cpu()
        seen = {role: {g: by_group.get(g, 0.0) for g in gs} for role, gs in self.groups.items()}
        backends = [pid for db in self.databases for pid in process_meters.database_backends(db)]
        seen["postgres"] = {pid: process_meters.cpu_seconds(pid) for pid in backends}
        seen["redis"] = {self.redis_pid: process_meters.cpu_seconds(self.redis_pid)}
        seen["client"] = {os.getpid(): process_meters.cpu_seconds(os.getpid())}
        return seen

    def percents(self) -> dict[str, float]:
        seconds = time.monotonic() - self.started
        now = self._read()
        percents = {}
        for role, seen in now.items():
            before = self.marks.get(role, {})
            used = sum(max(cpu - before.get(key, 0.0), 0.0) for key, cpu in seen.items())
            percents[role] = 100.0 * used / seconds
        busy, total = process_meters.machine_ticks()
        share = (busy - self.machine[0]) / max(total - self.machine[1], 1)
        percents["machine"] = 100.0 * share * (os.cpu_count() or 1)
        percents["line"] = sum(percents.get(role, 0.0) for role in LINE_ROLES)
        return percents


def other_work(cpu: dict[str, float]) -> float:
    """The machine's busy CPU that was neither the line nor the load generator."""
    return max(cpu.get("machine", 0) - cpu.get("line", 0) - cpu.get("client", 0), 0.0)


def ms_per(percent: float, rate: float) -> float:
    """% of one CPU at `rate` things per second -> CPU milliseconds per thing."""
    return percent * 10.0 / rate if rate else float("nan")


@dataclass
class LineFigures:
    replicas: int
    result: object  # load_phases.PhaseResult
    web_threads: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    rasa_served: list[int] = field(default_factory=list)  # per replica, during the phase
    actions_served: list[int] = field(default_factory=list)
    logged: int = 0
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass
class SendFigures:
    label: str
    workers: int
    lanes: int
    rate: float = float("nan")
    slowest_second: float = float("nan")
    fastest_second: float = float("nan")
    sent: int = 0  # accepted by the fake over the measured window
    ran_out: bool = False
    cpu: dict[str, float] = field(default_factory=dict)
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)
