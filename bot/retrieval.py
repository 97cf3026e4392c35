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


def decide(candidates: list[Candidate], thresholds: Thresholds) -> tuple[Decision, list[Candidate]]:
    """Pick `answer` with the winner, `clarify` with the close contenders, or `fallback`.

    Returns the decision and the candidates it rests on (one to answer, several to choose from).
    """
    if not candidates or candidates[0].score < thresholds.answer:
        return "fallback", []
    best = candidates[0].score
    close = [c for c in candidates if c.score >= thresholds.answer and best - c.score <= thresholds.clarify_margin]
    if len(close) > 1:
        return "clarify", close[:3]
    return "answer", [candidates[0]]
