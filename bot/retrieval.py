"""Retrieval and decision: rank stored threads for a message, then answer, clarify or fall back."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

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
        near = [
            c
            for c in eligible
            if best - c.score <= thresholds.treatment_margin and "general" not in c.thread.treatments
        ]
        per_treatment = _one_per_treatment(near)
        if len(per_treatment) > 1:
            return "clarify", per_treatment[:3]
    close = [c for c in eligible if best - c.score <= thresholds.clarify_margin]
    if len(close) > 1:
        return "clarify", close[:3]
    return "answer", [candidates[0]]


def max_per_owner(similarities: np.ndarray, owners: np.ndarray | Sequence[int], n: int) -> np.ndarray:
    """Per owner (thread) 0..n-1, the largest of the similarities of the vectors it owns (-inf if none)."""
    best = np.full(n, -np.inf, dtype=np.float64)
    np.maximum.at(best, np.asarray(owners, dtype=np.int64), np.asarray(similarities, dtype=np.float64))
    return best


def question_and_best_answer(
    question: np.ndarray, answers: np.ndarray, owners: np.ndarray | Sequence[int], n: int, weight: float
) -> np.ndarray:
    """Per thread: weight * its question similarity + (1 - weight) * the best similarity of its answers."""
    return weight * np.asarray(question, dtype=np.float64) + (1 - weight) * max_per_owner(answers, owners, n)


@dataclass(frozen=True)
class ThreadParts:
    """Unit vectors of each thread's parts: its question (with phrasings) and each answer body.

    Scoring a thread by its question and its single best answer beats one averaged vector per thread: the
    average dilutes a thread whose one answer matches the message (README, Evaluation).
    """

    ids: tuple[str, ...]
    question: np.ndarray  # (threads, dimension)
    answers: np.ndarray  # (answers, dimension)
    owner: np.ndarray  # (answers,) row of the thread each answer belongs to

    def scores(self, query: np.ndarray, weight: float, rows: np.ndarray | None = None) -> np.ndarray:
        """weight * question similarity + (1 - weight) * best answer similarity, for `rows` (all if None)."""
        whole = question_and_best_answer(self.question @ query, self.answers @ query, self.owner, len(self.ids), weight)
        return whole if rows is None else whole[rows]


def part_texts(threads: Sequence[Thread]) -> tuple[list[str], list[str], list[int]]:
    """The texts ThreadParts embeds: one question text per thread, every answer body, and each answer's thread."""
    questions = ["\n".join([t.question, *t.phrasings]) for t in threads]
    answers = [a.body for t in threads for a in t.answers]
    owner = [i for i, t in enumerate(threads) for _ in t.answers]
    return questions, answers, owner


# Everyday topics patients ask about. A thread that never mentions a topic the message asks about does
# not answer it, however close the rest of the wording ("can I fly after IPL" is not the IPL dark-spots
# question). Only these topics are checked; a message naming none of them is not filtered.
TOPICS = {
    "flying": r"fly|flying|flights?|planes?|airplanes?|aeroplanes?|cabin pressure",
    "showering": r"showers?|showering|baths?|bathing",
    "smoking": r"smok\w*|vap\w*|cigarettes?|nicotine",
    # "keep drinking water" on a flight is no alcohol.
    "alcohol": r"alcohol|(?:drinks?|drinking)(?! (?:plenty of |lots of |more |enough )?(?:water|fluids|liquids))|"
    r"wine|beer|prosecco|cocktails?|booze",
    "makeup": r"make ?up|foundation|lipstick|concealer|mascara|lip gloss",
    "sauna": r"sauna|hot tub|steam room|jacuzzi|hot yoga|bikram",
    "dental": r"dentist|dental|teeth cleaning",
    "hair dye": r"dye|hair colou?r|colou?r my hair|highlights|bleach my hair",
    "exercise": r"gym|exercis\w*|work ?outs?|working out|running|(?:go|going|went) for a (?:\w+ )?run|(?:morning|evening|daily|usual|long) runs?|"
    r"jog\w*|pilates|spin class|crossfit|weights|"
    r"sweat\w*|cardio|hiit|sports?",
    "sun": r"sun|sunny|sunshine|sunbath\w*|sunbeds?|tanning|beach",
    "sleeping": r"sleep\w*|slept|lie down|lying down|lay down|lie flat|lay flat|pillows?|nap",
}
_TOPICS = {name: re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for name, words in TOPICS.items()}


def topics(text: str) -> set[str]:
    """The everyday topics a text mentions."""
    return {name for name, pattern in _TOPICS.items() if pattern.search(text)}


def thread_topics(thread: Thread) -> set[str]:
    """The topics a thread's question, phrasings, tags or answers mention."""
    text = " ".join(
        [thread.question, *thread.phrasings, *thread.tags, thread.body or "", *(a.body for a in thread.answers)]
    )
    return topics(text)


def on_topic(candidates: list[Candidate], asked: set[str]) -> list[Candidate]:
    """Candidates whose thread mentions at least one of the topics asked about (all if none was asked)."""
    if not asked:
        return candidates
    return [c for c in candidates if thread_topics(c.thread) & asked]
