"""Candidate retrieval variants compared in `bot eval`. Each one is the served decision path (`Assistant`:
triage, `rank`, `decide`, compose) with only the scoring of candidates changed, so a row differs from
`pipeline` by scoring alone (and by its answer threshold where its scores have another scale).

The scoring functions are pure (arrays in, arrays out) and tested on synthetic inputs; `variant_assistant`
passes one to the assistant as its retriever's scorer (bot/retriever.py). Nothing here is used when serving.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.assistant import Assistant
from bot.embedding import MAX_ENCODED_CHARS
from bot.evaluation.systems import WHOLE_THRESHOLD, System, asking
from bot.index import thread_text
from bot.retrieval import question_and_best_answer
from bot.retriever import Hits, Query, Retriever
from bot.treatments import applies_to

MULTI_VECTOR = "dense, question + best answer"
HYBRID = "hybrid, dense + bm25"
TREATMENT_FILTER = "dense, treatment filter"
MULTI_FILTER = "question + best answer, filter"


# --- pure scoring functions ------------------------------------------------------------------------------


def saturate(scores: np.ndarray, half: float) -> np.ndarray:
    """Map non-negative raw scores (BM25) onto [0, 1) on a fixed scale: s / (s + half); `half` scores 0.5.

    Unlike dividing by the best score of the message, this keeps one value meaning one strength of match
    from message to message, so an absolute answer threshold still means something.
    """
    scores = np.maximum(np.asarray(scores, dtype=np.float64), 0.0)
    return scores / (scores + half)


def weighted_sum(dense: np.ndarray, lexical: np.ndarray, weight: float) -> np.ndarray:
    """Dense similarity plus `weight` times a lexical score already on [0, 1]."""
    return np.asarray(dense, dtype=np.float64) + weight * np.asarray(lexical, dtype=np.float64)


def applicable_mask(thread_treatments: Sequence[tuple[str, ...]], treatment: str | None) -> np.ndarray:
    """Which threads answer for a patient who had `treatment` (all of them when it is unknown)."""
    if treatment is None:
        return np.ones(len(thread_treatments), dtype=bool)
    return np.array([applies_to(t, treatment) for t in thread_treatments], dtype=bool)


def top_hits(ids: Sequence[str], scores: np.ndarray, k: int, keep: np.ndarray | None = None) -> list[tuple[str, float]]:
    """The k best (id, score) pairs, best first, among those `keep` allows; ties keep corpus order."""
    scores = np.asarray(scores, dtype=np.float64)
    allowed = np.arange(len(ids)) if keep is None else np.flatnonzero(keep)
    order = allowed[np.argsort(-scores[allowed], kind="stable")][:k]
    return [(ids[i], float(scores[i])) for i in order]


# --- wiring into the decision path -----------------------------------------------------------------------


ThreadScores = Callable[[np.ndarray, Query], np.ndarray]  # (query vector, query) -> per-thread scores


@dataclass(frozen=True)
class EveryThread:
    """A retriever scorer over every published thread (corpus order): `scores` for each, then the top k of
    those that apply to a known treatment when `filter_treatment`."""

    ids: tuple[str, ...]
    treatments: tuple[tuple[str, ...], ...]
    scores: ThreadScores
    filter_treatment: bool = False

    def __call__(self, vector: np.ndarray, query: Query, k: int) -> Hits:
        keep = applicable_mask(self.treatments, query.treatment) if self.filter_treatment else None
        return top_hits(self.ids, self.scores(vector, query), k, keep)


def variant_assistant(base: Assistant, scores: ThreadScores, filter_treatment: bool = False, **settings) -> Assistant:
    """The served decision path with candidates scored by `scores` over every published thread.

    The query is built as the served retriever builds it ("(after <treatment>)" added when the treatment
    comes from context); `rank` then adds the treatment boost, and no filter runs after it. With
    `filter_treatment`, threads that do not apply to a known treatment are dropped before the top k are taken
    (every thread left then gets the boost, so a served-scale score keeps the pipeline's scale and thresholds).
    """
    changed = base.settings.with_values(**settings)
    threads = base.corpus.published
    scorer = EveryThread(tuple(t.id for t in threads), tuple(t.treatments for t in threads), scores, filter_treatment)
    retriever = Retriever(
        base.embedder, base.corpus, base.vocabulary, scorer, changed.retrieval.top_k, changed.retrieval.treatment_boost
    )
    return Assistant(
        changed, base.corpus, base.index, base.embedder, base.vocabulary, semantic=base.semantic, retriever=retriever
    )


@dataclass(frozen=True)
class ThreadVectors:
    """Unit vectors of every published thread (corpus order): the served index vectors (question +
    answers), question-only vectors, and one vector per answer body with the thread it belongs to."""

    whole: np.ndarray
    question: np.ndarray
    answers: np.ndarray
    answer_owner: np.ndarray

    @classmethod
    def encode(cls, assistant: Assistant) -> "ThreadVectors":
        threads = assistant.corpus.published
        served = assistant.index.faiss_index.reconstruct_n(0, assistant.index.faiss_index.ntotal)
        row = {thread_id: i for i, thread_id in enumerate(assistant.index.meta.thread_ids)}
        encode = assistant.embedder.encode
        return cls(
            whole=np.ascontiguousarray(served[[row[t.id] for t in threads]]),
            question=encode([thread_text(t, "question") for t in threads]),
            answers=encode([a.body for t in threads for a in t.answers]),
            answer_owner=np.array([i for i, t in enumerate(threads) for _ in t.answers], dtype=np.int64),
        )


def served_scorer(vectors: ThreadVectors) -> ThreadScores:
    """The served similarity: cosine to each thread's index vector (question + answers)."""
    return lambda q, query: vectors.whole @ q


def multi_vector_scorer(vectors: ThreadVectors, weight: float) -> ThreadScores:
    """weight * cosine to the thread's question + (1 - weight) * best cosine to one of its answers."""
    n = len(vectors.question)

    def score(q: np.ndarray, query: Query) -> np.ndarray:
        return question_and_best_answer(vectors.question @ q, vectors.answers @ q, vectors.answer_owner, n, weight)

    return score


class Lexical:
    """BM25 (bm25s, Lucene variant, English stop words, no stemming) over the served thread texts, as the
    `bm25` row builds it; `scores` gives every published thread's raw score, in corpus order."""

    def __init__(self, assistant: Assistant):
        import bm25s

        self._bm25s = bm25s
        self.size = len(assistant.corpus.published)
        self.retriever = bm25s.BM25()
        texts = [thread_text(t, "question+answers") for t in assistant.corpus.published]
        self.retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)

    def scores(self, text: str) -> np.ndarray:
        tokens = self._bm25s.tokenize([text], stopwords="en", return_ids=False, show_progress=False)[0]
        tokens = [t for t in tokens if t in self.retriever.vocab_dict]
        if not tokens:
            return np.zeros(self.size)
        return np.asarray(self.retriever.get_scores(tokens), dtype=np.float64)


def hybrid_scorer(vectors: ThreadVectors, lexical: Lexical, weight: float, half: float) -> ThreadScores:
    """Served dense cosine + weight * saturated BM25 of the message alone (as the `bm25` row reads it)."""

    def score(q: np.ndarray, query: Query) -> np.ndarray:
        dense = vectors.whole @ q
        return weighted_sum(dense, saturate(lexical.scores(query.message[:MAX_ENCODED_CHARS]), half), weight)

    return score


# --- the rows ---------------------------------------------------------------------------------------------

# Chosen on the dev set (README, Evaluation): the weights by hit@1, then each answer threshold as the
# highest (in steps of 0.02) at which at most 1 of the 213 dev questions falls back.
MULTI_VECTOR_WEIGHT = 0.3
MULTI_VECTOR_THRESHOLD = 0.34
MULTI_FILTER_THRESHOLD = 0.38
HYBRID_WEIGHT = 0.2
HYBRID_HALF = 5.0
HYBRID_THRESHOLD = 0.34


def variant_systems(assistant: Assistant) -> list[System]:
    """The candidate-scoring variants `bot eval` shows after the baselines."""
    vectors = ThreadVectors.encode(assistant)
    multi = multi_vector_scorer(vectors, MULTI_VECTOR_WEIGHT)
    hybrid = hybrid_scorer(vectors, Lexical(assistant), HYBRID_WEIGHT, HYBRID_HALF)
    return [
        asking(MULTI_VECTOR, variant_assistant(assistant, multi, answer_threshold=MULTI_VECTOR_THRESHOLD)),
        asking(HYBRID, variant_assistant(assistant, hybrid, answer_threshold=HYBRID_THRESHOLD)),
        asking(
            TREATMENT_FILTER,
            variant_assistant(
                assistant,
                served_scorer(vectors),
                filter_treatment=True,
                answer_threshold=WHOLE_THRESHOLD,
            ),
        ),
        asking(
            MULTI_FILTER,
            variant_assistant(
                assistant,
                multi,
                filter_treatment=True,
                answer_threshold=MULTI_FILTER_THRESHOLD,
            ),
        ),
    ]
