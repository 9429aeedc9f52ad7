"""What a command-line call costs: the whole-process CPU time (user + system, the child's own
rusage) of `jamkoll ledger balance … --format json` against `python -c "import django;
django.setup()"` with the project's settings, measured interleaved in the same run (issue 10:
the ratio is to stay at or below 1.3)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

DECISION = "jamstalldhet-kvinnofrid-2018-2020"
SETUP = "import django; django.setup()"


def cpu_seconds(argv: list[str], env: dict[str, str]) -> float:
    """User + system CPU time of one child process (not wall time: the machine is shared)."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return usage.ru_utime + usage.ru_stime


def measure(env: dict[str, str], rounds: int = 7) -> tuple[float, float]:
    """Median CPU seconds of (the command, the bare setup), alternating so that both see the
    same machine."""
    exe = str(Path(sys.executable).with_name("jamkoll"))
    command = [exe, "ledger", "balance", DECISION, "2018", "--format", "json"]
    baseline = [sys.executable, "-c", SETUP]
    env = {**env, "DJANGO_SETTINGS_MODULE": "jamkoll.settings"}
    cpu_seconds(command, env)  # warm the file cache and the .pyc files once
    cpu_seconds(baseline, env)
    command_t, baseline_t = [], []
    for _ in range(rounds):
        command_t.append(cpu_seconds(command, env))
        baseline_t.append(cpu_seconds(baseline, env))
    return statistics.median(command_t), statistics.median(baseline_t)


def report(command_t: float, baseline_t: float) -> str:
    return (
        f"jamkoll ledger balance (CPU, whole process): {command_t * 1000:.0f} ms; "
        f"bare django.setup() {baseline_t * 1000:.0f} ms; ratio {command_t / baseline_t:.2f} (target ≤ 1.30)"
    )
