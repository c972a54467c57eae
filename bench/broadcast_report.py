"""What bench/broadcast.py prints: each size's figures against the targets, why a rate missed,
and the sizes side by side."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.broadcasting import sending, tasks

TARGET_CREATE_SECONDS = 10.0  # 100,000 delivery rows

TARGET_CREATE_SIZE = 100_000

TARGET_MEMORY_SPREAD = 0.20  # peak memory at the largest size vs the smallest

TARGET_RATE_SPREAD = 0.05  # achieved rate vs SEND_RATE_PER_SECOND


@dataclass
class Figures:
    size: int
    load_seconds: float = 0.0
    recipients: int = 0
    create_seconds: float = 0.0
    deliveries_seconds: float = 0.0
    creator_before_kb: int = 0
    creator_peak_kb: int = 0
    rate: float = float("nan")
    slowest_second: float = float("nan")
    fastest_second: float = float("nan")
    peak_per_second: float = 0.0
    window: float = 0.0
    ran_out: bool = False
    worker_peaks: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # % of one CPU while sending
    whole_rate: float = float("nan")
    claim_ms: float = 0.0
    claim_plan: str = ""
    killed: str = ""
    orphaned: int = 0
    orphaned_at_twilio: int = 0
    recovery_seconds: float | None = None
    rate_after: float = float("nan")
    accepted: int = 0
    duplicates: dict = field(default_factory=dict)
    rows_sent: int = 0
    mismatches: list[str] = field(default_factory=list)
    claimed_left: int = 0
    progress: dict[str, int] = field(default_factory=dict)
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)
    home: Path | None = None


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def mb(kb: int | None) -> str:
    return f"{kb / 1024:.0f} MB" if kb else "-"


def print_size(args, figures: Figures) -> None:
    f = figures
    print(f"\n=== {f.size:,} recipients ===")
    rows = [("contacts loaded (COPY)", f"{f.load_seconds:.1f} s", "")]
    create_target = ""
    if f.size >= TARGET_CREATE_SIZE:
        ok = f.deliveries_seconds < TARGET_CREATE_SECONDS * f.size / TARGET_CREATE_SIZE
        create_target = f"< {TARGET_CREATE_SECONDS:g} s per 100,000   {verdict(ok)}"
    rows += [
        ("deliveries created", f"{f.recipients:,} in {f.deliveries_seconds:.2f} s", create_target),
        ("compose.create (+preview, commit)", f"{f.create_seconds:.2f} s", ""),
        ("web process peak RSS", mb(f.creator_peak_kb), f"(before: {mb(f.creator_before_kb)})"),
    ]
    for label, kb in f.worker_peaks.items():
        cpu = f.cpu.get(label)
        note = f"CPU {cpu:.0f}% while sending" if cpu is not None else "replacement"
        if label == f.killed:
            note += ", killed"
        rows.append((f"{label} peak RSS", mb(kb), note))
    low, high = args.rate * (1 - TARGET_RATE_SPREAD), args.rate * (1 + TARGET_RATE_SPREAD)
    rows += [
        (
            f"send rate ({f.window:.0f} s after {args.warmup:g} s)",
            f"{f.rate:.1f}/s",
            f"{args.rate}/s +-5%   {verdict(low <= f.rate <= high)}",
        ),
        ("  slowest / fastest second", f"{f.slowest_second:.0f} / {f.fastest_second:.0f}", ""),
        ("  peak in any 1 s (whole run)", f"{f.peak_per_second:.0f}", ""),
        (
            "  CPU: workers / PostgreSQL / fake",
            f"{f.cpu.get('workers', 0):.0f}% / {f.cpu.get('postgres', 0):.0f}% / "
            f"{f.cpu.get('fake', 0):.0f}%",
            f"machine busy {f.cpu.get('machine', 0):.0f}% of {100 * (os.cpu_count() or 1)}%",
        ),
        ("  CPU ms per text: same order", per_text(f), ""),
    ]
    rows.append(("  a claim's row choice at the end", f"{f.claim_ms:.1f} ms", f.claim_plan))
    if f.ran_out:
        rows.append(("  note", "every row was sent before the window ended", ""))
    rows += kill_rows(f)
    for label, value, target in rows:
        print(f"{label:<36} {value:>22}   {target}")
    if not low <= f.rate <= high:
        print(f"  why: {rate_diagnosis(args, f)}")
    print(f"row statuses: {dict(sorted(f.progress.items()))}")
    for problem in f.mismatches:
        print(f"  MISMATCH: {problem}")
    load = ", ".join(f"{v:.1f}" for v in f.load_average)
    print(f"load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} CPUs")


def rate_diagnosis(args, f: Figures) -> str:
    capacity = 100 * (os.cpu_count() or 1)
    busy = f.cpu.get("machine", 0)
    if f.rate > args.rate:
        return "faster than the limit: the limiter did not hold"
    ours = sum(f.cpu.get(role, 0) for role in ("workers", "postgres", "fake"))
    # Past about 85% the threads of the two workers wait for a CPU more than for Twilio.
    if busy >= 0.85 * capacity and f.whole_rate == f.whole_rate and f.whole_rate:
        need = ours * args.rate / f.whole_rate
        return (
            f"the CPUs were saturated ({busy:.0f}% of {capacity}%, this run {ours:.0f}%, other "
            f"work {max(busy - ours, 0):.0f}%): the rate is bounded by CPU, not by the lanes or "
            f"the limiter; {args.rate}/s would need about {need:.0f}% of one CPU for this run alone"
        )
    return (
        f"the CPUs were not saturated ({busy:.0f}% of {capacity}%): too few lanes in flight "
        f"(--lanes {args.lanes}, each sends one text at a time) or a slow step per text"
    )


def per_text(f: Figures) -> str:
    # % of one CPU / texts per second * 10 = milliseconds of CPU per text.
    if not f.whole_rate or f.whole_rate != f.whole_rate:
        return "-"
    roles = ("workers", "postgres", "fake")
    return " / ".join(f"{f.cpu.get(role, 0) * 10 / f.whole_rate:.1f}" for role in roles)


def kill_rows(f: Figures) -> list[tuple[str, str, str]]:
    if not f.killed:
        return [("duplicates", str(len(f.duplicates)), f"0   {verdict(not f.duplicates)}")]
    recovery = "not in time" if f.recovery_seconds is None else f"{f.recovery_seconds:.0f} s"
    consistent = not f.mismatches and f.claimed_left == 0
    after = "-" if f.rate_after != f.rate_after else f"{f.rate_after:.1f}/s"  # nan: all sent
    return [
        (f"rows claimed by the killed {f.killed}", str(f.orphaned), ""),
        ("  of them already at Twilio", str(f.orphaned_at_twilio), ""),
        ("  settled after the kill in", recovery, verdict(f.recovery_seconds is not None)),
        ("send rate after recovery", after, ""),
        ("texts Twilio accepted", f"{f.accepted:,}", ""),
        ("rows recorded as sent", f"{f.rows_sent:,}", f"one text each   {verdict(consistent)}"),
        (
            "numbers texted twice (duplicates)",
            str(len(f.duplicates)),
            f"0   {verdict(not f.duplicates)}",
        ),
    ]


def print_comparison(results: list[Figures]) -> None:
    if len(results) < 2:
        return
    small, large = results[0], results[-1]
    print(f"\n=== peak memory, {large.size:,} vs {small.size:,} recipients ===")
    pairs = [("web process (made the rows)", small.creator_peak_kb, large.creator_peak_kb)]
    for label in ("worker-1", "worker-2", "worker-3"):
        pairs.append((label, small.worker_peaks.get(label), large.worker_peaks.get(label)))
    # The replacement's peak follows how much sending was left for it: at the small size the
    # broadcast can end during the recovery (no rate after it), leaving it a few lanes' work.
    comparable = all(f.rate_after == f.rate_after for f in (small, large))  # not NaN
    for label, low, high in pairs:
        if not low or not high:
            continue
        ratio = high / low
        if label == "worker-3" and not comparable:
            note = "replacement: sent little at the small size, not compared"
            print(f"{label:<30} {mb(low):>8} {mb(high):>8}   x{ratio:.2f}   {note}")
            continue
        ok = abs(ratio - 1) <= TARGET_MEMORY_SPREAD
        print(f"{label:<30} {mb(low):>8} {mb(high):>8}   x{ratio:.2f}   within 20%   {verdict(ok)}")


def print_header(args) -> None:
    minutes = max(args.sizes) / args.rate / 60
    print(
        f"broadcast benchmark: sizes {', '.join(f'{s:,}' for s in args.sizes)}; fake Twilio "
        f"latency {args.latency_ms:g} ms; SEND_RATE_PER_SECOND={args.rate}; 2 workers x "
        f"{args.threads} threads, {args.lanes} lanes; Huey on {args.huey}; PostgreSQL"
    )
    print(
        f"(sending all {max(args.sizes):,} at {args.rate}/s would take ~{minutes:.0f} min: the "
        f"rate and the workers' memory are measured over {args.send_seconds:g} s of sending, "
        f"not to completion)"
    )
    grace = args.lease_grace if args.lease_grace is not None else tasks.LEASE_GRACE
    timeout = (
        args.claim_timeout
        if args.claim_timeout is not None
        else sending.CLAIM_TIMEOUT.total_seconds()
    )
    print(
        f"(recovery after the kill: lease grace {grace:g} s, claim timeout {timeout:g} s, "
        f"then the minute clock)"
    )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"load average (1, 5, 15 min) before: {load} on {os.cpu_count()} CPUs", flush=True)
