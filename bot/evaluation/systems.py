"""The systems an evaluation compares: the real pipeline, variants of it built by changing one setting or
its retriever's configuration (bot/retriever.py), and a BM25 baseline over the same thread texts. Each maps
(message, treatment) to a Trial."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.assistant import Assistant, served_retriever
from bot.corpus import Corpus
from bot.index import build_index, thread_text
from bot.retrieval import Decision

PIPELINE = "pipeline"
TREATMENT_BLIND = "dense, no treatment awareness"
QUESTION_VECTORS = "dense, question-only vectors"
BM25 = "bm25"
WHOLE_THREADS = "dense, whole-thread vectors"
TOPIC_CHECK = "pipeline + topic check"
NO_FRAME = "pipeline, no frame check"
# The answer threshold chosen for whole-thread vectors (README, "Choosing the thresholds").
WHOLE_THRESHOLD = 0.40


@dataclass(frozen=True)
class Trial:
    """What one system did with one message."""

    ranked: tuple[str, ...]  # thread ids, best first
    decision: Decision | None  # None: the system only ranks
    urgency: str | None
    ms: float


@dataclass(frozen=True)
class System:
    """A named system; `decides` is False for one that only ranks."""

    name: str
    run: Callable[[str, str | None], Trial]
    decides: bool = True


def asking(name: str, assistant: Assistant) -> System:
    """A system that runs `assistant.ask`, the whole decision path."""

    def run(message: str, treatment: str | None) -> Trial:
        started = time.perf_counter()
        outcome = assistant.ask(message, treatment)
        ms = (time.perf_counter() - started) * 1000
        return Trial(tuple(c.thread.id for c in outcome.candidates), outcome.decision, outcome.urgency, ms)

    return System(name, run)


def variant(assistant: Assistant, index=None, **settings) -> Assistant:
    """The served assistant with some settings changed (and another index), its retriever built from them."""
    a = assistant
    changed = a.settings.with_values(**settings)
    index = index or a.index
    retriever = served_retriever(changed, a.corpus, index, a.embedder, a.vocabulary)
    return Assistant(changed, a.corpus, index, a.embedder, a.vocabulary, semantic=a.semantic, retriever=retriever)


def treatment_blind(assistant: Assistant) -> System:
    """Dense retrieval on the same index with no treatment boost and no treatment in the query; triage and
    `decide` still see the treatment, so only retrieval differs."""
    blind = variant(assistant, treatment_boost=0.0)
    blind.retriever = replace(blind.retriever, treatment_aware=False)
    return asking(TREATMENT_BLIND, blind)


def question_vectors(assistant: Assistant) -> System:
    """The pipeline over an in-memory index of question-only thread vectors (same thresholds)."""
    index = build_index(assistant.corpus, assistant.embedder, "question")
    return asking(
        QUESTION_VECTORS,
        variant(assistant, index, index_text="question", thread_scoring="whole", answer_threshold=WHOLE_THRESHOLD),
    )


def topic_checked(assistant: Assistant) -> System:
    """The pipeline with the everyday-topic check on every message (settings.retrieval.topic_check)."""
    return asking(TOPIC_CHECK, variant(assistant, topic_check=True))


def frame_unchecked(assistant: Assistant) -> System:
    """The pipeline answering by nearness alone: no phase, kind or covered-procedure check (bot/frame.py)."""
    return asking(NO_FRAME, variant(assistant, frame_check="off"))


def whole_threads(assistant: Assistant) -> System:
    """The pipeline before `parts` scoring: one question + answers vector per thread, threshold 0.40."""
    return asking(WHOLE_THREADS, variant(assistant, thread_scoring="whole", answer_threshold=WHOLE_THRESHOLD))


def bm25(corpus: Corpus, index_text: str, top_k: int) -> System:
    """BM25 (bm25s, English stopwords, no stemming) over the texts the index embeds; it only ranks.

    It reads the message alone, like the treatment-blind row. Threads sharing no word with the message
    score 0 and are left out rather than ranked in arbitrary order.
    """
    import bm25s

    threads = corpus.published
    retriever = bm25s.BM25()
    texts = [thread_text(t, index_text) for t in threads]
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)

    def run(message: str, treatment: str | None) -> Trial:
        started = time.perf_counter()
        tokens = bm25s.tokenize([message], stopwords="en", return_ids=False, show_progress=False)
        rows, scores = retriever.retrieve(tokens, k=min(top_k, len(threads)), show_progress=False)
        ranked = tuple(threads[r].id for r, s in zip(rows[0], scores[0]) if s > 0)
        return Trial(ranked, None, None, (time.perf_counter() - started) * 1000)

    return System(BM25, run, decides=False)
