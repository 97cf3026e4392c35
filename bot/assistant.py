"""The decision path for one message: triage, retrieve, decide, compose. Shared by the Rasa action
and the `bot ask` CLI so both always behave the same."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot import frame, timing, triage
from bot.alerts import check_note
from bot.compose import (
    Contact,
    Meaning,
    compose_alert,
    compose_answer,
    compose_clarify,
    compose_clarify_term,
    compose_fallback,
    compose_prompt,
)
from bot.config import Settings
from bot.corpus import Corpus, Thread, load_corpus
from bot.embedding import Embedder
from bot.index import ThreadIndex, load_index
from bot.retrieval import Candidate, Decision, ThreadParts, Thresholds, decide, on_topic, part_texts, topics
from bot.retriever import (
    QuestionAndBestAnswer,
    Retriever,
    Scorer,
    WholeThreads,
    applicable,
    implied_family,
    topic_filter,
)
from bot.review import servable_corpus
from bot.treatments import Vocabulary, label, load_vocabulary
from replies import Reply

log = logging.getLogger("aftercare.assistant")

_HAS_WORD = re.compile(r"[^\W_]{2,}")

# Terms that name two different treatments; the assistant asks which one before answering (brief, section 3).
AMBIGUOUS_TERMS: dict[str, tuple[Meaning, ...]] = {
    "bbl": (
        Meaning("ipl", "BroadBand Light (IPL photofacial)"),
        Meaning("surgery_general", "Brazilian butt lift (surgery)"),
    ),
}
_AMBIGUOUS = re.compile(r"(?<!\w)(" + "|".join(AMBIGUOUS_TERMS) + r")s?(?!\w)", re.IGNORECASE)
# A short elliptical follow-up ("what about alcohol?", "and the gym?") leans on the previous turn.
_FOLLOW_UP = re.compile(
    r"^(?:and|also|plus|so|ok(?:ay)?,? and|what about|how about|what of|same (?:for|with)|and what about|"
    r"then what about|and if|what if)\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[a-z']+")
_FILLER_WORDS = frozenset(
    "and also plus so ok okay what about how of same for with the a an my me i it if after then is was that this "
    "too as well again".split()
)
MAX_FOLLOW_UP_WORDS = 8


def encode_parts(corpus: Corpus, embedder: Embedder, cache_dir: Path) -> ThreadParts:
    """Question and answer vectors of every published thread, reusing the vectors cached in `cache_dir`."""
    from bot.embedding_cache import encode_cached

    threads = corpus.published
    questions, answers, owner = part_texts(threads)
    vectors, _ = encode_cached(questions + answers, embedder, cache_dir)
    return ThreadParts(
        ids=tuple(t.id for t in threads),
        question=vectors[: len(questions)],
        answers=vectors[len(questions) :],
        owner=np.array(owner, dtype=np.int64),
    )


def served_retriever(
    settings: Settings, corpus: Corpus, index: ThreadIndex, embedder: Embedder, vocabulary: Vocabulary
) -> Retriever:
    """Retrieval as the settings say: `parts` or `whole` thread scoring, then the treatment, topic and
    treatment-family filters (the parts' vectors are cached beside the index)."""
    chosen = settings.retrieval
    scorer: Scorer
    if chosen.thread_scoring == "parts":
        parts = encode_parts(corpus, embedder, Path(settings.corpus.index_dir) / "thread-parts")
        scorer = QuestionAndBestAnswer(index, parts, corpus, chosen.question_weight, chosen.shortlist)
    else:
        scorer = WholeThreads(index)
    filters = (applicable, topic_filter(chosen.topic_check, _AMBIGUOUS), implied_family)
    return Retriever(embedder, corpus, vocabulary, scorer, chosen.top_k, chosen.treatment_boost, filters)


@dataclass(frozen=True)
class Context:
    """What the conversation so far tells the decision path (from the Rasa slots)."""

    treatment: str | None = None
    elapsed: dt.timedelta | None = None  # time since treatment, as last stated
    last_question: str | None = None  # the patient's previous question (as answered)
    last_thread_id: str | None = None  # the thread that answered it


@dataclass(frozen=True)
class Outcome:
    """The result of the decision path for one message."""

    decision: Decision
    reply: Reply
    candidates: list[Candidate]
    thread_id: str | None = None
    treatment: str | None = None
    urgency: str | None = None
    # Time since treatment: parsed from this message, else the one from the context (for the slot).
    elapsed: dt.timedelta | None = None
    # The question as understood: the message, or for an elliptical follow-up the message completed
    # with the previous question. Keep it as the next turn's Context.last_question.
    question: str | None = None

    def to_json(self) -> dict:
        """The `bot ask --json` shape."""
        return {
            "decision": self.decision,
            "thread_id": self.thread_id,
            "urgency": self.urgency,
            "treatment": self.treatment,
            "elapsed_hours": round(self.elapsed.total_seconds() / 3600, 2) if self.elapsed is not None else None,
            "question": self.question,
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

    def __init__(
        self,
        settings: Settings,
        corpus: Corpus,
        index: ThreadIndex,
        embedder: Embedder,
        vocabulary: Vocabulary,
        *,
        semantic: triage.SecondOpinion | None = None,
        retriever: Retriever | None = None,
    ):
        self.settings = settings
        self.corpus = corpus
        self.index = index
        self.embedder = embedder
        self.vocabulary = vocabulary
        # The semantic red-flag layer; None leaves triage to the rules alone.
        self.semantic = semantic
        # How candidates are found and scored; by default as the settings say (served_retriever).
        self.retriever = retriever or served_retriever(settings, corpus, index, embedder, vocabulary)
        self.contact = Contact.of(settings.clinic)
        self.thresholds = Thresholds(
            settings.retrieval.answer_threshold, settings.retrieval.clarify_margin, settings.retrieval.treatment_margin
        )
        self._frames: dict[str, frame.Frame] = {}

    @classmethod
    def load(cls, settings: Settings, embedder: Embedder | None = None) -> "Assistant":
        """Load corpus, model and index; raises CorpusError or StaleIndexError with a clear message."""
        corpus = servable_corpus(
            load_corpus(settings.corpus.corpus_dir), settings.corpus.serve_overdue
        )  # published, reviewed
        index = load_index(settings.corpus.index_dir, corpus, settings.corpus.model, settings.corpus.index_text)
        embedder = embedder or Embedder.load(settings.corpus.model)
        semantic = None
        if str(settings.triage.triage_exemplars) not in ("", "."):
            from bot.semantic_triage import SemanticTriage

            questions = [q for t in corpus.published for q in (t.question, *t.phrasings)]
            semantic = SemanticTriage.load(
                settings.triage.triage_exemplars,
                embedder,
                questions,
                settings.triage.semantic_threshold,
                settings.triage.semantic_margin,
            )
        return cls(
            settings, corpus, index, embedder, load_vocabulary(settings.corpus.treatments_file), semantic=semantic
        )

    def bounded(self, message: str | None) -> str:
        """A message as the decision path reads it: at most `max_message_chars`, whitespace collapsed.

        The channels refuse longer messages before NLU; this holds for every other caller (the CLI, a
        request sent to the action server directly)."""
        return " ".join((message or "")[: self.settings.limits.max_message_chars].split())

    def treatment_for(self, message: str, known: str | None) -> str | None:
        """The treatment a message is about: one it names, else the one known from context.

        A patient's name for a covered treatment wins ("liquid facelift" is filler); the words of a
        procedure the corpus does not cover name nothing ("neck lift" is not a facelift)."""
        alias = frame.procedure_alias(message)
        if alias:
            return alias
        named = self.vocabulary.find(frame.without_uncovered(message))
        if named:
            return named[0]
        uncovered = frame.uncovered_procedure(message)
        if uncovered:  # "had my implants out": the adjacent treatment's word names the procedure's area
            adjacent = [t for t in self.vocabulary.find(message) if t in frame.ADJACENT.get(uncovered, ())]
            return adjacent[0] if adjacent else None
        return self.vocabulary.canonical(known)

    def candidates(self, message: str, treatment: str | None) -> list[Candidate]:
        """Stored threads ranked for a message, best first (the retriever's)."""
        return self.retriever.run(message, treatment)

    def ask(
        self,
        message: str,
        treatment: str | None = None,
        context: Context | None = None,
        now: dt.datetime | None = None,
    ) -> Outcome:
        """Run the whole decision path for one patient message.

        `treatment` (canonical or any synonym) wins over `context.treatment`; a treatment the message names
        wins over both. `now` is for tests; the time since treatment is read relative to it.
        """
        started = time.perf_counter()
        context = context or Context()
        message = self.bounded(message)
        known = treatment or context.treatment
        if known is None and context.last_thread_id and self.is_follow_up(message):
            previous = self.corpus.get(context.last_thread_id)
            known = previous.treatments[0] if previous and previous.treatments[0] != "general" else None
        treatment = self.treatment_for(message, known)
        stated = timing.elapsed(message, now or dt.datetime.now())
        elapsed = stated if stated is not None else context.elapsed
        outcome = self._decide(message, treatment, elapsed, context)
        outcome = replace(outcome, elapsed=elapsed, question=outcome.question or message)
        log.info(
            "decision",
            extra={
                "decision": outcome.decision,
                "thread_id": outcome.thread_id,
                "urgency": outcome.urgency,
                "treatment": treatment,
                "elapsed_known": elapsed is not None,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return outcome

    def is_follow_up(self, message: str) -> bool:
        """Whether a message is a short elliptical follow-up ("what about alcohol?", "and the gym?")."""
        words = _WORDS.findall(message.lower())
        return 0 < len(words) <= MAX_FOLLOW_UP_WORDS and bool(_FOLLOW_UP.match(message.strip()))

    def _topic_words(self, message: str) -> list[str]:
        """Words of a message that are neither filler nor a treatment name."""
        treatment_words = {w for form in self.vocabulary.forms for w in form.split()}
        return [w for w in _WORDS.findall(message.lower()) if w not in _FILLER_WORDS and w not in treatment_words]

    def ambiguous_term(self, message: str, treatment: str | None) -> str | None:
        """An ambiguous treatment word ("BBL") in a message whose treatment is otherwise unknown."""
        if treatment is not None:
            return None
        m = _AMBIGUOUS.search(message)
        return m.group(1).lower() if m else None

    def red_flag(
        self, message: str, treatment: str | None = None, now: dt.datetime | None = None
    ) -> triage.Alert | None:
        """The red flag in a message (the rules, the time since treatment it states, the semantic layer), or None."""
        message = self.bounded(message)
        elapsed = timing.elapsed(message, now or dt.datetime.now())
        return triage.assess(message, self.treatment_for(message, treatment), elapsed, self.semantic)

    def alert_reply(self, alert: triage.Alert) -> Reply:
        """What the patient is told about a red flag: the urgent reply, or the check note (`clinic_soon`)."""
        return (
            compose_alert(alert, self.contact)
            if triage.is_urgent(alert)
            else Reply.say(check_note(alert, self.contact))
        )

    def reply_from(self, thread: Thread, alert: triage.Alert | None = None) -> Reply:
        """The answer from `thread`, led by the check note when the message had a `clinic_soon` flag."""
        return self._noted(compose_answer(thread, self.contact, self.settings.retrieval.max_quotes), alert)

    def _noted(self, reply: Reply, alert: triage.Alert | None) -> Reply:
        # clinic_soon: answer as usual, and say plainly first that the clinic should check it.
        return reply.with_note(check_note(alert, self.contact)) if alert is not None else reply

    def urgent(self, message: str, treatment: str | None = None, now: dt.datetime | None = None) -> Outcome | None:
        """Triage alone, for messages that get no retrieval: the urgent outcome for a red flag, else None."""
        message = self.bounded(message)
        treatment = self.treatment_for(message, treatment)
        elapsed = timing.elapsed(message, now or dt.datetime.now())
        alert = triage.assess(message, treatment, elapsed, self.semantic)
        if not triage.is_urgent(alert):
            return None
        log.info("decision", extra={"decision": "urgent", "urgency": alert.urgency, "treatment": treatment})
        return replace(self._urgent_outcome(alert, treatment), elapsed=elapsed, question=message)

    def _urgent_outcome(self, alert: triage.Alert, treatment: str | None) -> Outcome:
        return Outcome("urgent", compose_alert(alert, self.contact), [], None, treatment, alert.urgency)

    def _decide(self, message: str, treatment: str | None, elapsed: dt.timedelta | None, context: Context) -> Outcome:
        alert = triage.assess(message, treatment, elapsed, self.semantic)
        if triage.is_urgent(alert):
            return self._urgent_outcome(alert, treatment)
        outcome = self._understand(message, treatment, context)
        if alert is None:
            return outcome
        return replace(outcome, reply=self._noted(outcome.reply, alert), urgency=alert.urgency)

    def _understand(self, message: str, treatment: str | None, context: Context) -> Outcome:
        """Ask about an ambiguous term, complete an elliptical follow-up, or retrieve for the message."""
        term = self.ambiguous_term(message, treatment)
        if term:
            reply = compose_clarify_term(term.upper(), AMBIGUOUS_TERMS[term])
            return Outcome("clarify", reply, [], None, None)
        if context.last_question and self.is_follow_up(message):
            # "and after filler?" names only a treatment: the topic is the previous question's.
            if not self._topic_words(message):
                combined = f"{context.last_question} {message}"
                return replace(self._retrieve(combined, treatment), question=combined)
            # The lead-in says nothing about the topic and only dilutes the query.
            outcome = self._retrieve(_FOLLOW_UP.sub("", message.strip()).strip(" ,") or message, treatment)
            if outcome.decision == "fallback":
                combined = f"{context.last_question} {message}"
                retry = self._retrieve(combined, treatment)
                if retry.decision != "fallback":
                    return replace(retry, question=combined)
            return outcome
        return self._retrieve(message, treatment)

    def thread_frame(self, thread_id: str) -> frame.Frame:
        """The frame of a stored thread's question, parsed once per thread."""
        found = self._frames.get(thread_id)
        if found is None:
            thread = self.corpus.get(thread_id)
            found = self._frames[thread_id] = (
                frame.parse_thread(thread.question, thread.phrasings, tuple(a.body for a in thread.answers))
                if thread
                else frame.Frame()
            )
        return found

    def answering(self, ranked: list[Candidate], asked: frame.Frame, message: str) -> list[Candidate]:
        """The candidates whose stored question is the same kind of question as the one asked."""
        if self.settings.retrieval.frame_check == "off":
            return ranked
        same = [c for c in ranked if frame.mismatch(asked, self.thread_frame(c.thread.id)) is None]
        if asked.phase == "before":
            # A thread covers "before" when one answer mentions it in passing ("no alcohol the day before
            # or after"): it answers a "before" question only about the everyday topic asked, if one is
            # ("working out the morning before my Botox" is not the alcohol thread's question).
            return on_topic(same, topics(message))
        return same

    def _retrieve(self, message: str, treatment: str | None) -> Outcome:
        if not _HAS_WORD.search(message):
            return Outcome("fallback", compose_prompt(self.contact), [], None, treatment)
        asked = frame.parse(message)
        if asked.uncovered and (
            frame.procedure_alias(message)
            or (treatment is not None and treatment not in frame.ADJACENT.get(asked.uncovered, ()))
        ):
            # A covered treatment is named as well ("a hydrafacial after my Botox"): what is asked is about it.
            asked = replace(asked, uncovered=None)
        ranked = self.answering(self.candidates(message, treatment), asked, message)
        decision, chosen = decide(ranked, self.thresholds, treatment_known=treatment is not None)
        if decision == "answer":
            thread = chosen[0].thread
            reply = compose_answer(thread, self.contact, self.settings.retrieval.max_quotes)
            return Outcome("answer", reply, ranked, thread.id, treatment)
        if decision == "clarify":
            return Outcome(
                "clarify", compose_clarify([c.thread for c in chosen], self.contact), ranked, None, treatment
            )
        topic = next(iter(sorted(topics(message))), None)
        about = frame.describe(asked, label(treatment) if treatment else None, topic)
        return Outcome("fallback", compose_fallback(self.contact, about), ranked, None, treatment)
