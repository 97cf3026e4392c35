"""Helpers shared by the tests of bounded work."""

from __future__ import annotations

import threading


def finishes(function, *args, within: float = 60.0):
    """The function's result, failing the test if it has not returned after `within` seconds: a hang guard
    for inputs that took minutes or hours before (the bounded code needs milliseconds; timings are
    `make bench-input`'s job)."""
    result: list = []
    worker = threading.Thread(target=lambda: result.append(function(*args)), daemon=True)
    worker.start()
    worker.join(within)
    assert result, f"{getattr(function, '__name__', function)} did not return within {within:.0f} s"
    return result[0]
