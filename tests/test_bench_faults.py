"""The pure parts of `make bench-faults` (bench/faults.py): outcomes per message and time to recover."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from faults import Outcome, Run, line  # noqa: E402


def run_of(*outcomes: tuple[float, str, str]) -> Run:
    run = Run("rasa", fault_at=10.0)
    run.outcomes = [Outcome(*o) for o in outcomes]
    return run


def test_recovery_runs_from_the_fault_to_the_last_message_not_answered():
    run = run_of(
        (5.0, "answered", ""),
        (10.5, "lost", "http 502"),
        (12.0, "told", "trouble reply"),
        (13.0, "answered", ""),
        (14.0, "answered", ""),
    )
    assert run.recovery() == 2.0
    assert (run.count("answered"), run.count("told"), run.count("lost"), run.server_errors()) == (3, 1, 1, 1)
    assert "lost 1 (1 http 502)" in line(run) and "recovered 2.0 s" in line(run)


def test_no_miss_after_the_fault_is_no_recovery_time_and_misses_long_before_do_not_count():
    assert run_of((1.0, "lost", "timeout"), (11.0, "answered", "")).recovery() == 0.0
    assert run_of((10.0, "answered", ""), (11.0, "answered", "")).recovery() == 0.0
    # A message sent just before the fault and lost by it counts (0 s, not negative).
    assert run_of((9.5, "lost", "timeout"), (11.0, "answered", "")).recovery() == 0.0
