"""The evaluation metrics, as pure functions of what systems returned. Every rate is a share in [0, 1], or
None when its denominator is empty (the table prints n/a).

- hit@1, hit@3, MRR: over questions.yml, from the rank of the labelled thread among the system's ranked
  candidates, before any decision. Systems return `top_k` candidates (5), so MRR is cut there: a thread not
  among them scores 0. A message that triage escalates has no candidates, so it counts as a miss.
- clarify rate: share of clarify.yml items whose decision is clarify (a fallback is not a clarification).
  The JSON also gives the clarify rate on questions.yml, where every clarification is an extra turn.
- fallback precision and recall: a fallback is the positive, unanswerable.yml items are the relevant ones.
  Precision = fallbacks on unanswerable items / fallbacks on questions.yml and unanswerable.yml items;
  recall = fallbacks on unanswerable items / unanswerable items.
- urgent recall: share of red_flags.yml items escalated as labelled: an emergency or clinic_now item must
  get the urgent decision; a clinic_soon item must get a flag at clinic_soon or above (it is answered with a
  note to get it checked). The JSON also gives the stricter recall at the labelled level (an emergency
  answered "contact the clinic now" counts as a miss there).
- answered precision: of the answers given on questions.yml and unanswerable.yml items, the share that
  quoted the labelled thread (an answer to an unanswerable item is always wrong: it quotes clinicians on a
  question they did not answer).
- false-alarm rate: share of questions.yml items whose decision is urgent.
- p50 latency: median milliseconds per message over every message of the set, for the system's whole
  decision path (for a system that only ranks, its ranking).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

URGENCY_RANK = {"clinic_soon": 1, "clinic_now": 2, "emergency": 3}


def rank_of(ranked: Sequence[str], thread_id: str) -> int | None:
    """1-based position of `thread_id` among ranked thread ids, or None if absent."""
    return ranked.index(thread_id) + 1 if thread_id in ranked else None


def share(flags: Sequence[bool]) -> float | None:
    """The share of true flags, or None for no flags."""
    return sum(flags) / len(flags) if flags else None


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of items whose labelled thread ranks k-th or better."""
    return share([r is not None and r <= k for r in ranks])


def mrr(ranks: Sequence[int | None]) -> float | None:
    """Mean reciprocal rank; an absent thread counts 0."""
    return sum(1 / r for r in ranks if r) / len(ranks) if ranks else None


def fallback_precision_recall(
    on_questions: Sequence[str | None], on_unanswerable: Sequence[str | None]
) -> tuple[float | None, float | None]:
    """Precision and recall of the fallback decision at finding unanswerable messages."""
    right = sum(d == "fallback" for d in on_unanswerable)
    wrong = sum(d == "fallback" for d in on_questions)
    precision = right / (right + wrong) if right + wrong else None
    recall = right / len(on_unanswerable) if on_unanswerable else None
    return precision, recall


def answered_precision(trials: Sequence[tuple[str | None, str | None, str | None]]) -> float | None:
    """Share of answers that were the right thread, over (decision, answered thread, labelled thread or None)."""
    answers = [(given, right) for decision, given, right in trials if decision == "answer"]
    return share([right is not None and given == right for given, right in answers])


def escalated(label: str, decision: str | None, urgency: str | None) -> bool:
    """Whether a red flag labelled `label` got the escalation urgent recall asks for."""
    if label == "clinic_soon":
        return URGENCY_RANK.get(urgency or "", 0) >= URGENCY_RANK[label]
    return decision == "urgent"


def at_level(label: str, urgency: str | None) -> bool:
    """Whether a red flag was escalated at its labelled level or higher."""
    return URGENCY_RANK.get(urgency or "", 0) >= URGENCY_RANK[label]


def p50(ms: Sequence[float]) -> float | None:
    """Median latency."""
    return statistics.median(ms) if ms else None
