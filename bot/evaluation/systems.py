"""The systems an evaluation compares: the real pipeline, variants of it built by changing one setting
or hook, and a BM25 baseline over the same thread texts. Each maps (message, treatment) to a Trial."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.assistant import Assistant
from bot.corpus import Corpus
from bot.index import build_index, thread_text
from bot.retrieval import Candidate, Decision

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


class _TreatmentBlind(Assistant):
    """Retrieval ignores the treatment; triage and `decide` still see it, so only retrieval differs."""

    def candidates(self, message: str, treatment: str | None) -> list[Candidate]:
        # With no treatment the query gets no "(after ...)" and rank() lifts no thread.
        return super().candidates(message, None)


def treatment_blind(assistant: Assistant) -> System:
    """Dense retrieval on the same index with no treatment boost and no treatment in the query."""
    a = assistant
    blind = _TreatmentBlind(
        replace(a.settings, treatment_boost=0.0), a.corpus, a.index, a.embedder, a.vocabulary, a.semantic, a.parts
    )
    return asking(TREATMENT_BLIND, blind)


def question_vectors(assistant: Assistant) -> System:
    """The pipeline over an in-memory index of question-only thread vectors (same thresholds)."""
    a = assistant
    index = build_index(a.corpus, a.embedder, "question")
    settings = replace(a.settings, index_text="question", thread_scoring="whole", answer_threshold=WHOLE_THRESHOLD)
    variant = Assistant(settings, a.corpus, index, a.embedder, a.vocabulary, a.semantic)
    return asking(QUESTION_VECTORS, variant)


def topic_checked(assistant: Assistant) -> System:
    """The pipeline with the everyday-topic check on every message (settings.topic_check)."""
    a = assistant
    settings = replace(a.settings, topic_check=True)
    return asking(TOPIC_CHECK, Assistant(settings, a.corpus, a.index, a.embedder, a.vocabulary, a.semantic, a.parts))


def frame_unchecked(assistant: Assistant) -> System:
    """The pipeline answering by nearness alone: no phase, kind or covered-procedure check (bot/frame.py)."""
    a = assistant
    settings = replace(a.settings, frame_check="off")
    return asking(NO_FRAME, Assistant(settings, a.corpus, a.index, a.embedder, a.vocabulary, a.semantic, a.parts))


def whole_threads(assistant: Assistant) -> System:
    """The pipeline before `parts` scoring: one question + answers vector per thread, threshold 0.40."""
    a = assistant
    settings = replace(a.settings, thread_scoring="whole", answer_threshold=WHOLE_THRESHOLD)
    return asking(WHOLE_THREADS, Assistant(settings, a.corpus, a.index, a.embedder, a.vocabulary, a.semantic))


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


def standard_systems(assistant: Assistant) -> list[System]:
    """The rows of `bot eval`: the pipeline, the baselines, then the candidate-scoring variants."""
    from bot.evaluation.variants import variant_systems

    return [
        asking(PIPELINE, assistant),
        frame_unchecked(assistant),
        treatment_blind(assistant),
        bm25(assistant.corpus, assistant.index.meta.index_text, assistant.settings.top_k),
        whole_threads(assistant),
        question_vectors(assistant),
        topic_checked(assistant),
        *variant_systems(assistant),
    ]
