"""The decision path for one message: triage, retrieve, decide, compose. Shared by the Rasa action
and the `bot ask` CLI so both always behave the same."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, replace

from bot import triage
from bot.compose import Contact, Reply, compose_answer, compose_clarify, compose_fallback, compose_prompt
from bot.config import Settings
from bot.corpus import Corpus, load_corpus
from bot.embedding import Embedder
from bot.index import ThreadIndex, load_index
from bot.retrieval import Candidate, Decision, Thresholds, decide, rank
from bot.treatments import Vocabulary, applies_to, family, label, load_vocabulary

log = logging.getLogger("aftercare.assistant")

# The embedding model reads at most 256 word pieces; longer text only costs time.
MAX_QUERY_CHARS = 1000
_HAS_WORD = re.compile(r"[^\W_]{2,}")


@dataclass(frozen=True)
class Outcome:
    """The result of the decision path for one message."""

    decision: Decision
    reply: Reply
    candidates: list[Candidate]
    thread_id: str | None = None
    treatment: str | None = None
    urgency: str | None = None

    def to_json(self) -> dict:
        """The `bot ask --json` shape."""
        return {
            "decision": self.decision,
            "thread_id": self.thread_id,
            "urgency": self.urgency,
            "treatment": self.treatment,
            "candidates": [
                {"thread_id": c.thread.id, "score": round(c.score, 4), "question": c.thread.question}
                for c in self.candidates
            ],
            "reply": {
                "text": self.reply.text,
                "citations": [c.__dict__ for c in self.reply.citations],
                "disclaimer": self.reply.disclaimer,
            },
        }


class Assistant:
    """Holds the loaded corpus, index and model; `ask` answers one message."""

    def __init__(self, settings: Settings, corpus: Corpus, index: ThreadIndex, embedder: Embedder, vocabulary: Vocabulary):
        self.settings = settings
        self.corpus = corpus
        self.index = index
        self.embedder = embedder
        self.vocabulary = vocabulary
        self.contact = Contact(settings.clinic_name, settings.clinic_phone, settings.emergency_number)
        self.thresholds = Thresholds(settings.answer_threshold, settings.clarify_margin, settings.treatment_margin)

    @classmethod
    def load(cls, settings: Settings, embedder: Embedder | None = None) -> "Assistant":
        """Load corpus, model and index; raises CorpusError or StaleIndexError with a clear message."""
        corpus = load_corpus(settings.corpus_dir)
        index = load_index(settings.index_dir, corpus, settings.model, settings.index_text)
        embedder = embedder or Embedder.load(settings.model)
        return cls(settings, corpus, index, embedder, load_vocabulary(settings.treatments_file))

    def treatment_for(self, message: str, known: str | None) -> str | None:
        """The treatment a message is about: one it names, else the one known from context."""
        named = self.vocabulary.find(message)
        return named[0] if named else self.vocabulary.canonical(known)

    def candidates(self, message: str, treatment: str | None) -> list[Candidate]:
        """Stored threads ranked for a message, best first."""
        query = message[:MAX_QUERY_CHARS]
        if treatment and treatment not in self.vocabulary.find(query):
            query = f"{query} (after {label(treatment)})"
        vector = self.embedder.encode([query])[0]
        hits = self.index.search(vector, self.settings.top_k)
        ranked = rank(hits, self.corpus, treatment, self.settings.treatment_boost)
        implied = family(message) if treatment is None else None
        if implied:
            # "After my injections" rules out surgery threads, though it names no treatment.
            fitting = [c for c in ranked if any(applies_to(c.thread.treatments, t) for t in implied)]
            ranked = fitting or ranked
        return ranked

    def ask(self, message: str, treatment: str | None = None) -> Outcome:
        """Run the whole decision path for one patient message."""
        started = time.perf_counter()
        message = " ".join((message or "").split())
        treatment = self.treatment_for(message, treatment)
        outcome = self._decide(message, treatment)
        log.info(
            "decision",
            extra={
                "decision": outcome.decision,
                "thread_id": outcome.thread_id,
                "urgency": outcome.urgency,
                "treatment": treatment,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return outcome

    def _decide(self, message: str, treatment: str | None) -> Outcome:
        alert = triage.assess(message, treatment)
        if triage.is_urgent(alert):
            return Outcome("urgent", triage.compose_alert(alert, self.contact), [], None, treatment, alert.urgency)
        outcome = self._retrieve(message, treatment)
        if alert is None:
            return outcome
        # clinic_soon: answer as usual, and say plainly that the clinic should check it.
        note = triage.check_note(alert, self.contact)
        reply = replace(outcome.reply, text=f"{note}\n\n{outcome.reply.text}")
        return replace(outcome, reply=reply, urgency=alert.urgency)

    def _retrieve(self, message: str, treatment: str | None) -> Outcome:
        if not _HAS_WORD.search(message):
            return Outcome("fallback", compose_prompt(self.contact), [], None, treatment)
        ranked = self.candidates(message, treatment)
        decision, chosen = decide(ranked, self.thresholds, treatment_known=treatment is not None)
        if decision == "answer":
            thread = chosen[0].thread
            reply = compose_answer(thread, self.contact, self.settings.max_quotes)
            return Outcome("answer", reply, ranked, thread.id, treatment)
        if decision == "clarify":
            return Outcome("clarify", compose_clarify([c.thread for c in chosen], self.contact), ranked, None, treatment)
        return Outcome("fallback", compose_fallback(self.contact), ranked, None, treatment)
