"""What bench/scale.py prints: each line's figures and each send's, side by side, and what they
say a district of a given size needs."""

from __future__ import annotations

import math
import os

from bench.scale_figures import LINE_ROLES, LineFigures, SendFigures, ms_per, other_work


def number(value: float, digits: int = 1) -> str:
    return "-" if value != value else f"{value:,.{digits}f}"  # nan: not measured


def duration(seconds: float) -> str:
    if seconds != seconds or seconds == math.inf:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def load_text(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{v:.1f}" for v in load)


def print_rows(header: list[str], rows: list[tuple]) -> None:
    print(f"{header[0]:<40}" + "".join(f"{h:>16}" for h in header[1:]))
    for label, *values in rows:
        print(f"{label:<40}" + "".join(f"{v:>16}" for v in values))


def print_lines(args, lines: list[LineFigures]) -> None:
    if not lines:
        return
    first = lines[0].result
    print(
        f"\n=== messages: signed SMS -> gunicorn ({args.web_workers} workers x "
        f"{lines[0].web_threads} threads) -> HAProxy -> "
        f"Rasa -> HAProxy -> actions; {args.seconds:g} s each, {args.concurrency} in flight, "
        f"{args.families} families ==="
    )
    header = [""] + [plural(f.replicas, "replica") for f in lines]
    rows = [
        ("messages answered", *[f"{f.result.sent:,}" for f in lines]),
        ("errors", *[str(sum(f.result.errors.values())) for f in lines]),
        ("throughput msg/s", *[number(f.result.throughput) for f in lines]),
        ("  per Rasa replica msg/s", *[number(f.result.throughput / f.replicas) for f in lines]),
        ("p50 ms", *[number(f.result.percentile(0.5), 0) for f in lines]),
        ("p90 ms", *[number(f.result.percentile(0.9), 0) for f in lines]),
        ("p99 ms", *[number(f.result.percentile(0.99), 0) for f in lines]),
        ("Rasa requests per replica", *[" / ".join(map(str, f.rasa_served)) for f in lines]),
        ("action requests per server", *[" / ".join(map(str, f.actions_served)) for f in lines]),
        ("logged (inbound with its SID)", *[f"{f.logged}/{f.result.sent}" for f in lines]),
    ]
    capacity = 100 * (os.cpu_count() or 1)
    rows.append(("CPU, % of one CPU:", *["" for _ in lines]))
    for role in LINE_ROLES:
        rows.append((f"  {role}", *[f"{f.cpu.get(role, 0):.0f}%" for f in lines]))
    rows += [
        ("  the line, all of the above", *[f"{f.cpu.get('line', 0):.0f}%" for f in lines]),
        (
            f"  machine busy (of {capacity}%)",
            *[f"{f.cpu.get('machine', 0):.0f}%" for f in lines],
        ),
        ("  load generator (this process)", *[f"{f.cpu.get('client', 0):.0f}%" for f in lines]),
        ("  other work on the machine", *[f"{other_work(f.cpu):.0f}%" for f in lines]),
        ("CPU ms per message:", *["" for _ in lines]),
    ]
    for role in ("web", "balancers", "rasa", "actions", "postgres"):
        rows.append(
            (
                f"  {role}",
                *[number(ms_per(f.cpu.get(role, 0), f.result.throughput)) for f in lines],
            )
        )
    rows.append(
        (
            "  the whole line",
            *[number(ms_per(f.cpu.get("line", 0), f.result.throughput)) for f in lines],
        )
    )
    rows.append(("load average after (1, 5, 15)", *[load_text(f.load_average) for f in lines]))
    print_rows(header, rows)
    if len(lines) == 2 and first.throughput:
        ratio = lines[1].result.throughput / first.throughput
        print(f"two replicas vs one: x{ratio:.2f} the messages per second")
    for f in lines:
        if f.result.errors:
            kinds = ", ".join(f"{kind} x{n}" for kind, n in f.result.errors.most_common())
            print(f"errors ({plural(f.replicas, 'replica')}): {kinds}")


def print_sends(args, sends: list[SendFigures]) -> None:
    if not sends:
        return
    print(
        f"\n=== broadcast sending: fake Twilio {args.latency_ms:g} ms per text, "
        f"SEND_RATE_PER_SECOND={args.send_rate}, {args.lanes_per_worker + 1} threads per worker, "
        f"rate over {args.seconds:g} s after {args.send_warmup:g} s ==="
    )
    header = [""] + [f.label for f in sends]
    rows = [
        ("worker processes / lanes in all", *[f"{f.workers} / {f.lanes}" for f in sends]),
        ("texts accepted by Twilio (window)", *[f"{f.sent:,}" for f in sends]),
        ("send rate texts/s", *[number(f.rate) for f in sends]),
        ("  per worker texts/s", *[number(f.rate / f.workers) for f in sends]),
        (
            "  per lane texts/s",
            *[number(f.rate / f.lanes) for f in sends],
        ),
        (
            "  slowest / fastest second",
            *[f"{number(f.slowest_second, 0)} / {number(f.fastest_second, 0)}" for f in sends],
        ),
        ("  a lane's ceiling at this latency", *[number(1000 / args.latency_ms) for f in sends]),
        (
            "CPU: workers / PostgreSQL / fake",
            *[
                f"{f.cpu.get('workers', 0):.0f}/{f.cpu.get('postgres', 0):.0f}/"
                f"{f.cpu.get('fake', 0):.0f}%"
                for f in sends
            ],
        ),
        (
            f"  machine busy (of {100 * (os.cpu_count() or 1)}%)",
            *[f"{f.cpu.get('machine', 0):.0f}%" for f in sends],
        ),
        (
            "  worker CPU ms per text",
            *[number(ms_per(f.cpu.get("workers", 0), f.rate)) for f in sends],
        ),
        ("load average after (1, 5, 15)", *[load_text(f.load_average) for f in sends]),
    ]
    print_rows(header, rows)
    if len(sends) >= 2 and sends[0].rate:
        print(f"two workers vs one: x{sends[1].rate / sends[0].rate:.2f} the texts per second")
    for f in sends:
        if f.ran_out:
            print(f"note ({f.label}): every row was sent before the window ended (--recipients)")


def print_district(args, lines: list[LineFigures], sends: list[SendFigures]) -> None:
    families = args.district_families
    print(f"\n=== a district of {families:,} families (assumptions in [--options]) ===")
    texting = families * args.reply_share
    messages = texting * args.messages_per_family
    hour = args.window_minutes * 60
    average = messages / hour
    peak = average * args.peak_factor
    texts_per_second_at_limit = args.account_rate / args.segments
    broadcast_seconds = families / texts_per_second_at_limit
    spread_peak = messages / (broadcast_seconds + hour) * args.peak_factor
    rows = [
        (
            f"text back within {args.window_minutes:g} min of a broadcast",
            f"{args.reply_share:.0%} = {texting:,.0f} families",
            "[--reply-share, --window-minutes]",
        ),
        (
            "messages each, in all",
            f"{args.messages_per_family:g} = {messages:,.0f}",
            "[--messages-per-family]",
        ),
        ("average over the window", f"{average:,.1f} msg/s", ""),
        (
            "peak (busiest minute), all texted at once",
            f"{peak:,.1f} msg/s",
            f"[--peak-factor {args.peak_factor:g}]",
        ),
        (
            "peak, broadcast sent at the account rate",
            f"{spread_peak:,.1f} msg/s",
            f"replies spread over {duration(broadcast_seconds)} + the window",
        ),
    ]
    if lines:
        one = lines[0]
        per_replica = one.result.throughput / one.replicas
        usable = per_replica * args.utilisation
        rows += [
            (
                f"per-replica rate (measured, {one.replicas} replica)",
                f"{number(per_replica)} msg/s",
                f"run at {args.utilisation:.0%} of it [--utilisation]",
            ),
            (
                "Rasa replicas for the peak (all at once)",
                replicas_for(peak, usable),
                "at the rate the 1-replica line reached here",
            ),
            ("Rasa replicas for the peak (spread)", replicas_for(spread_peak, usable), ""),
        ]
        if len(lines) > 1:
            two = lines[-1]
            per = two.result.throughput / two.replicas
            rows.append(
                (
                    f"  at the {two.replicas}-replica per-replica rate",
                    f"{number(per)} msg/s -> {replicas_for(peak, per * args.utilisation)}",
                    "(this machine's 2 cores shared by both)",
                )
            )
        line_ms = ms_per(one.cpu.get("line", 0), one.result.throughput)
        rasa_ms = ms_per(one.cpu.get("rasa", 0), one.result.throughput)
        if line_ms == line_ms:
            rows += [
                (
                    "CPU per message (measured, whole line)",
                    f"{line_ms:.0f} ms ({rasa_ms:.0f} in Rasa)",
                    "",
                ),
                (
                    "cores for the peak (all at once)",
                    f"{peak * line_ms / 1000 / args.utilisation:,.1f} "
                    f"({peak * rasa_ms / 1000 / args.utilisation:,.1f} for Rasa)",
                    f"at {args.utilisation:.0%} busy",
                ),
            ]
    rows += [
        (
            "a broadcast to all at the account rate",
            duration(broadcast_seconds),
            f"{args.account_rate:g}/s, {args.segments:g} segment(s) per text "
            "[--account-rate, --segments]",
        ),
    ]
    per_worker = sends[0].rate / sends[0].workers if sends and sends[0].rate else float("nan")
    if sends:
        first = sends[0]
        rows += [
            (
                f"per-worker rate (measured, {first.lanes} lanes)",
                f"{number(per_worker)} texts/s",
                f"fake Twilio at {args.latency_ms:g} ms",
            ),
            (
                "workers to keep up with the account rate",
                str(math.ceil(texts_per_second_at_limit / per_worker)) if per_worker else "-",
                f"{args.lanes_per_worker} lanes each, if workers add up",
            ),
        ]
        for f in sends:
            rate = min(f.rate, texts_per_second_at_limit) if f.rate == f.rate else float("nan")
            rows.append(
                (
                    f"  all {families:,}: {plural(f.workers, 'worker')}, {f.lanes} lanes",
                    duration(families / rate) if rate else "-",
                    f"measured {number(f.rate)} texts/s; the account allows "
                    f"{number(texts_per_second_at_limit)}",
                )
            )
    rows.append(
        (
            "status callbacks to the web while sending",
            f"{2 * texts_per_second_at_limit:,.0f} req/s",
            "sent + delivered per text (not measured here)",
        )
    )
    for label, value, note in rows:
        print(f"{label:<44} {value:>26}   {note}")


def replicas_for(rate: float, per_replica: float) -> str:
    if not per_replica or per_replica != per_replica:
        return "-"
    return str(max(1, math.ceil(rate / per_replica)))
