"""Retrieval and decision: rank stored threads for a message, then answer, clarify or fall back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.corpus import Corpus, Thread
from bot.treatments import applies_to

Decision = Literal["answer", "clarify", "fallback", "urgent"]


@dataclass(frozen=True)
class Candidate:
    """A stored thread with its similarity to the message (after any treatment boost)."""

    thread: Thread
    score: float
    similarity: float


@dataclass(frozen=True)
class Thresholds:
    answer: float
    clarify_margin: float
    treatment_margin: float


def rank(hits: list[tuple[str, float]], corpus: Corpus, treatment: str | None, boost: float) -> list[Candidate]:
    """Turn index hits into candidates, lifting threads about the patient's treatment."""
    candidates = []
    for thread_id, similarity in hits:
        thread = corpus.get(thread_id)
        if thread is None or not thread.published:
            continue
        lift = boost if treatment and applies_to(thread.treatments, treatment) else 0.0
        candidates.append(Candidate(thread, similarity + lift, similarity))
    return sorted(candidates, key=lambda c: c.score, reverse=True)


def _one_per_treatment(candidates: list[Candidate]) -> list[Candidate]:
    seen: dict[str, Candidate] = {}
    for c in candidates:
        seen.setdefault(c.thread.treatments[0], c)
    return list(seen.values())


def decide(
    candidates: list[Candidate], thresholds: Thresholds, treatment_known: bool
) -> tuple[Decision, list[Candidate]]:
    """Pick `answer` with the winner, `clarify` with the contenders to choose from, or `fallback`.

    Without a known treatment, contenders about different treatments mean the answer depends on
    which treatment the patient had, so the assistant asks rather than guesses.
    """
    if not candidates or candidates[0].score < thresholds.answer:
        return "fallback", []
    best = candidates[0].score
    eligible = [c for c in candidates if c.score >= thresholds.answer]
    if not treatment_known:
        near = [c for c in eligible if best - c.score <= thresholds.treatment_margin and "general" not in c.thread.treatments]
        per_treatment = _one_per_treatment(near)
        if len(per_treatment) > 1:
            return "clarify", per_treatment[:3]
    close = [c for c in eligible if best - c.score <= thresholds.clarify_margin]
    if len(close) > 1:
        return "clarify", close[:3]
    return "answer", [candidates[0]]
