"""Helpers the benches share: percentiles, one printed row per measurement, a supervisor in the background."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def row(name: str, samples_ms: list[float], extra: str = "") -> None:
    print(
        f"{name:<22} n={len(samples_ms):<5} p50={percentile(samples_ms, 0.5):8.1f} ms  p95={percentile(samples_ms, 0.95):8.1f} ms  {extra}"
    )


def supervise_in_background(servers: list, report: Callable[[str], None]) -> Callable[[], None]:
    """Restart crashed servers as `make run` and `make cluster` do (scripts/stack.py, Supervisor), from a
    thread; the function that stops it."""
    from stack import Supervisor  # bench scripts put scripts/ on sys.path first

    supervisor = Supervisor(servers, report=report)
    supervisor.started = {s.name: time.monotonic() for s in servers}
    done = threading.Event()

    def watch() -> None:
        while not done.wait(1.0):
            supervisor.step()

    threading.Thread(target=watch, daemon=True).start()
    return done.set
