"""Helpers the benches share: percentiles and one printed row per measurement."""

from __future__ import annotations


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def row(name: str, samples_ms: list[float], extra: str = "") -> None:
    print(f"{name:<22} n={len(samples_ms):<5} p50={percentile(samples_ms, .5):8.1f} ms  p95={percentile(samples_ms, .95):8.1f} ms  {extra}")
