"""Run systems over a labelled set and score them: one Row per system (definitions in metrics.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.evaluation import metrics
from bot.evaluation.labelled import LabelledSet
from bot.evaluation.systems import System, Trial


@dataclass(frozen=True)
class Row:
    """One system's scores; None where the metric does not apply (a system that only ranks)."""

    system: str
    hit_at_1: float | None
    hit_at_3: float | None
    mrr: float | None
    clarify_rate: float | None
    fallback_precision: float | None
    fallback_recall: float | None
    urgent_recall: float | None
    false_alarm_rate: float | None
    p50_ms: float | None
    answered_precision: float | None = None
    # In the JSON only.
    clarify_rate_questions: float | None = None
    urgent_recall_at_level: float | None = None


# (Row field, table header) for the columns `bot eval` prints.
COLUMNS = (
    ("hit_at_1", "hit@1"),
    ("hit_at_3", "hit@3"),
    ("mrr", "MRR"),
    ("clarify_rate", "clarify"),
    ("fallback_precision", "fallback P"),
    ("fallback_recall", "fallback R"),
    ("answered_precision", "answered P"),
    ("urgent_recall", "urgent R"),
    ("false_alarm_rate", "false alarm"),
    ("p50_ms", "p50 ms"),
)


@dataclass(frozen=True)
class Trials:
    """One system's trials, in the order of the labelled set's items."""

    questions: list[Trial]
    red_flags: list[Trial]
    unanswerable: list[Trial]
    clarify: list[Trial]


def run_set(system: System, labelled: LabelledSet) -> Trials:
    """Run a system over every item of a labelled set."""
    return Trials(
        *(
            [system.run(item.text, item.treatment) for item in items]
            for items in (labelled.questions, labelled.red_flags, labelled.unanswerable, labelled.clarify)
        )
    )


def score(system: System, trials: Trials, labelled: LabelledSet) -> Row:
    """Score one system's trials on a labelled set."""
    ranks = [metrics.rank_of(t.ranked, q.thread) for t, q in zip(trials.questions, labelled.questions)]
    everything = trials.questions + trials.red_flags + trials.unanswerable + trials.clarify
    latency = metrics.p50([t.ms for t in everything])
    ranking = dict(hit_at_1=metrics.hit_at(ranks, 1), hit_at_3=metrics.hit_at(ranks, 3), mrr=metrics.mrr(ranks))
    if not system.decides:
        return Row(
            system.name,
            **ranking,
            clarify_rate=None,
            fallback_precision=None,
            fallback_recall=None,
            urgent_recall=None,
            false_alarm_rate=None,
            p50_ms=latency,
        )
    precision, recall = metrics.fallback_precision_recall(
        [t.decision for t in trials.questions], [t.decision for t in trials.unanswerable]
    )
    flagged = list(zip(trials.red_flags, labelled.red_flags))
    return Row(
        system.name,
        **ranking,
        clarify_rate=metrics.share([t.decision == "clarify" for t in trials.clarify]),
        fallback_precision=precision,
        fallback_recall=recall,
        urgent_recall=metrics.share([metrics.escalated(r.urgency, t.decision, t.urgency) for t, r in flagged]),
        false_alarm_rate=metrics.share([t.decision == "urgent" for t in trials.questions]),
        p50_ms=latency,
        answered_precision=metrics.answered_precision(
            [
                (t.decision, t.ranked[0] if t.ranked else None, q.thread)
                for t, q in zip(trials.questions, labelled.questions)
            ]
            + [(t.decision, t.ranked[0] if t.ranked else None, None) for t in trials.unanswerable]
        ),
        clarify_rate_questions=metrics.share([t.decision == "clarify" for t in trials.questions]),
        urgent_recall_at_level=metrics.share([metrics.at_level(r.urgency, t.urgency) for t, r in flagged]),
    )


def evaluate(systems: list[System], labelled: LabelledSet) -> list[Row]:
    """Run every system over every item of the set and score it, one Row per system."""
    return [score(system, run_set(system, labelled), labelled) for system in systems]
