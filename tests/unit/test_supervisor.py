"""`bot run`'s supervisor: if one process dies, the others are stopped too."""

import sys
import threading

from bot.processes.command_lines import ProcessSpec
from bot.processes.supervisor import run_all


def test_one_process_exiting_stops_the_rest(tmp_path):
    marker = tmp_path / "stopped"
    # The long-lived one records SIGTERM, proving it was stopped rather than left running.
    sleeper = (
        "import signal, sys, time, pathlib\n"
        f"signal.signal(signal.SIGTERM, lambda *a: (pathlib.Path({str(marker)!r}).touch(), "
        "sys.exit(0)))\n"
        "print('sleeping', flush=True)\n"
        "time.sleep(60)\n"
    )
    specs = [
        ProcessSpec("sleeper", [sys.executable, "-c", sleeper]),
        ProcessSpec("crasher", [sys.executable, "-c", "import time; time.sleep(1); exit(3)"]),
    ]
    ready = threading.Event()
    assert run_all(specs, {}, ready.set) == 3
    assert marker.exists()
    assert ready.is_set()  # no ready_url: announced at once
