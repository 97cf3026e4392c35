"""Retrieval as a component: a message (and the treatment, when known) in, stored threads ranked out.

A `Retriever` builds the query once, embeds it once, asks its `Scorer` for the top k threads, adds the
treatment boost (`rank`) and runs its filters in order. The served pipeline and every `bot eval` variant are
configurations of it (which scorer, which filters, whether it sees the treatment), not subclasses of
`Assistant`. Deciding whether the best candidate answers the question is not retrieval's job (bot/assistant.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from bot.corpus import Corpus
from bot.embedding import MAX_ENCODED_CHARS, Embedder
from bot.index import ThreadIndex
from bot.retrieval import Candidate, ThreadParts, on_topic, rank, topics
from bot.treatments import Vocabulary, applies_to, family, label

Hits = list[tuple[str, float]]  # (thread id, score), best first


@dataclass(frozen=True)
class Query:
    """What retrieval reads: the text to embed, the message as written, and the treatment it is about."""

    text: str  # the message, with "(after <treatment>)" when the treatment comes from context, not the words
    message: str
    treatment: str | None


def build_query(message: str, treatment: str | None, vocabulary: Vocabulary) -> Query:
    """The query for a message: a treatment known from context is added to the text the model embeds."""
    text = message[:MAX_ENCODED_CHARS]  # the model reads no more
    if treatment and treatment not in vocabulary.find(text):
        text = f"{text} (after {label(treatment)})"
    return Query(text, message, treatment)


class Scorer(Protocol):
    """Scores threads for one embedded query: the k best, as (thread id, score)."""

    def __call__(self, vector: np.ndarray, query: Query, k: int) -> Hits: ...


@dataclass(frozen=True)
class WholeThreads:
    """Cosine to each thread's one index vector (question + answers, or the question alone)."""

    index: ThreadIndex

    def __call__(self, vector: np.ndarray, query: Query, k: int) -> Hits:
        return self.index.search(vector, k)


@dataclass(frozen=True)
class QuestionAndBestAnswer:
    """weight * cosine to the thread's question + (1 - weight) * the best cosine to one of its answers, over a
    shortlist the whole-thread index gives (of the threads that apply to a known treatment)."""

    index: ThreadIndex
    parts: ThreadParts
    corpus: Corpus
    weight: float
    shortlist: int
    _row: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_row", {thread_id: i for i, thread_id in enumerate(self.parts.ids)})

    def __call__(self, vector: np.ndarray, query: Query, k: int) -> Hits:
        shortlist = [i for i, _ in self.index.search(vector, max(self.shortlist, k))]
        if query.treatment is not None:
            shortlist = [
                i for i in shortlist if (t := self.corpus.get(i)) and applies_to(t.treatments, query.treatment)
            ]
        rows = np.array([self._row[i] for i in shortlist if i in self._row], dtype=np.int64)
        if not len(rows):
            return []
        scores = self.parts.scores(vector, self.weight, rows)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(self.parts.ids[rows[o]], float(scores[o])) for o in order]


# A filter narrows ranked candidates for the query; filters run in order after `rank`.
Filter = Callable[[list[Candidate], Query], list[Candidate]]


def applicable(ranked: list[Candidate], query: Query) -> list[Candidate]:
    """Only threads that apply to the patient's treatment: a surgery thread is no answer for a patient who
    had IPL ("BBL" as BroadBand Light), however close its wording."""
    if query.treatment is None:
        return ranked
    return [c for c in ranked if applies_to(c.thread.treatments, query.treatment)]


def topic_filter(always: bool, ambiguous: re.Pattern[str]) -> Filter:
    """Keep the candidates about the everyday topic the message asks about: on every message when `always`,
    else after an ambiguous term was resolved (the embedding still reads "bbl" as neither treatment, and the
    treatment filter may leave one thread of that treatment: it must at least be about the topic asked)."""

    def on_the_topic(ranked: list[Candidate], query: Query) -> list[Candidate]:
        if always or (query.treatment is not None and ambiguous.search(query.message)):
            return on_topic(ranked, topics(query.message))
        return ranked

    return on_the_topic


def implied_family(ranked: list[Candidate], query: Query) -> list[Candidate]:
    """ "After my injections" rules out surgery threads, though it names no treatment."""
    implied = family(query.message) if query.treatment is None else None
    if not implied:
        return ranked
    fitting = [c for c in ranked if any(applies_to(c.thread.treatments, t) for t in implied)]
    return fitting or ranked


@dataclass(frozen=True)
class Retriever:
    """Stored threads ranked for a message, best first."""

    embedder: Embedder
    corpus: Corpus
    vocabulary: Vocabulary
    scorer: Scorer
    top_k: int
    treatment_boost: float
    filters: Sequence[Filter] = ()
    # False: retrieval ignores the treatment (no "(after ...)", no boost, no treatment filter), for `bot eval`.
    treatment_aware: bool = True

    def run(self, message: str, treatment: str | None) -> list[Candidate]:
        """The candidates for `message`, the patient's treatment `treatment` (None when unknown)."""
        treatment = treatment if self.treatment_aware else None
        query = build_query(message, treatment, self.vocabulary)
        vector = self.embedder.encode([query.text])[0]
        ranked = rank(self.scorer(vector, query, self.top_k), self.corpus, treatment, self.treatment_boost)
        for narrow in self.filters:
            ranked = narrow(ranked, query)
        return ranked
