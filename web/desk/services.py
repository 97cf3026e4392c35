"""What the console does, apart from HTTP: answer search, grouping unanswered questions, writing and
publishing draft threads, and telling the running bot to reload."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

from bot import triage
from bot.assistant import Assistant
from bot.config import Settings
from bot.corpus import Answer, Author, CorpusError, Thread, load_corpus
from bot.corpus_writer import remove_thread, slugify, unique_id, write_threads
from bot.treatments import applies_to, label
from replies import who

MAX_QUERY_CHARS = 1000


# ------------------------------------------------------------------------------------------------ search


def search(assistant: Assistant, query: str, treatment: str | None) -> dict:
    """Triage first, then the stored threads ranked for the question, each with its full answers and a
    ready-to-send reply (quotes, citations, disclaimer)."""
    query = " ".join((query or "").split())[:MAX_QUERY_CHARS]
    treatment = assistant.vocabulary.canonical(treatment) if treatment else None
    known = assistant.treatment_for(query, treatment)
    # The same triage and replies as the bot's (bot.assistant).
    alert = assistant.red_flag(query, treatment)
    result: dict = {"query": query, "treatment": treatment, "triage": None, "results": []}
    if alert is not None:
        result["triage"] = {
            "urgency": alert.urgency,
            "urgent": triage.is_urgent(alert),
            "reason": alert.reason,
            "reply": assistant.alert_reply(alert).text,
        }
    candidates = assistant.candidates(query, known) if query else []
    if treatment:
        candidates = [c for c in candidates if applies_to(c.thread.treatments, treatment)]
    note_for = alert if alert is not None and not triage.is_urgent(alert) else None
    for c in candidates:
        reply = assistant.reply_from(c.thread, note_for)
        result["results"].append(
            {
                "thread_id": c.thread.id,
                "question": c.thread.question,
                "score": round(c.score, 3),
                "treatments": [label(t) for t in c.thread.treatments],
                "summary": reply.summary,
                "answers": [_answer_json(c.thread, i) for i in range(len(c.thread.answers))],
                "reply": reply.text,
            }
        )
    return result


def _answer_json(thread: Thread, i: int) -> dict:
    answer = thread.answers[i]
    a = answer.author
    return {
        "id": thread.answer_id(i),
        "author": who(a.name, a.credentials, a.specialty, a.location) or "Unnamed clinician",
        "title": answer.title,
        "body": answer.body,
        "url": str(answer.url) if answer.url else None,
    }


# ------------------------------------------------------------------------------------------------ grouping


@dataclass
class QuestionGroup:
    """Unanswered questions that ask the same thing in different words."""

    ids: list[int]
    text: str  # the most asked wording
    count: int
    last_asked: dt.datetime
    treatment: str | None
    wordings: list[tuple[str, int]] = field(default_factory=list)


class QuestionGrouper:
    """The console's unanswered groups, embedding each question once: a view embeds only the questions new
    since the last one (at most `max_vectors` remembered, least recently used first out), and an unchanged
    list is not grouped again."""

    def __init__(self, max_vectors: int = 5000) -> None:
        self.max_vectors = max_vectors
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._last: tuple[tuple, list[QuestionGroup]] | None = None
        self._lock = threading.Lock()

    def groups(self, rows: list, embedder, threshold: float) -> list[QuestionGroup]:
        """group_questions over `rows`, from remembered vectors and the last grouping where they still hold."""
        key = (threshold, tuple((r.id, r.count, r.last_asked, r.status, r.text) for r in rows))
        with self._lock:
            if self._last is not None and self._last[0] == key:
                return self._last[1]
        groups = group_questions(rows, self.vectors([r.text for r in rows], embedder), threshold)
        with self._lock:
            self._last = (key, groups)
        return groups

    def vectors(self, texts: list[str], embedder) -> np.ndarray:
        """Unit vectors of `texts`, embedding only the ones not remembered."""
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for t in known:
                self._vectors.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            for text, vector in zip(missing, embedder.encode(missing)):
                known[text] = vector
            with self._lock:
                self._vectors.update((t, known[t]) for t in missing)
                while len(self._vectors) > self.max_vectors:
                    self._vectors.popitem(last=False)
        return np.stack([known[t] for t in texts])


def group_questions(rows: list, vectors: np.ndarray, threshold: float) -> list[QuestionGroup]:
    """Greedy grouping by cosine similarity: the most asked question leads a group, and every later one
    whose vector is within `threshold` of a leader joins it. Groups come most asked first."""
    order = sorted(range(len(rows)), key=lambda i: (-rows[i].count, -rows[i].last_asked.timestamp()))
    leaders: list[int] = []
    members: dict[int, list[int]] = {}
    for i in order:
        best = max(leaders, key=lambda j: float(vectors[i] @ vectors[j]), default=None)
        if best is not None and float(vectors[i] @ vectors[best]) >= threshold:
            members[best].append(i)
        else:
            leaders.append(i)
            members[i] = [i]
    groups = []
    for leader in leaders:
        group = [rows[i] for i in members[leader]]
        treatments = [r.treatment for r in group if r.treatment]
        groups.append(
            QuestionGroup(
                ids=[r.id for r in group],
                text=rows[leader].text,
                count=sum(r.count for r in group),
                last_asked=max(r.last_asked for r in group),
                treatment=max(set(treatments), key=treatments.count) if treatments else None,
                wordings=[(r.text, r.count) for r in group],
            )
        )
    return sorted(groups, key=lambda g: (-g.count, -g.last_asked.timestamp()))


# ------------------------------------------------------------------------------------------------ drafts


class DraftError(ValueError):
    """A draft that cannot be written or published, with the reason."""


def write_thread(folder: Path, thread: Thread) -> Path:
    """Write `<id>.yml` atomically with the corpus writer; it must read back as the same thread."""
    try:
        (path,) = write_threads(folder, {thread.id: thread})
    except ValueError as exc:
        raise DraftError(str(exc)) from None
    return path


def new_draft(
    settings: Settings, question: str, treatments: list[str], body: str, author: dict, url: str | None, written_by: str
) -> Thread:
    """A draft thread for a question, with one clinician's answer; written to the corpus folder."""
    try:
        existing = {t.id for t in load_corpus(settings.corpus.corpus_dir).threads}
    except CorpusError as exc:
        raise DraftError(str(exc)) from None
    question = " ".join(question.split())
    try:
        body = body.replace("\r\n", "\n").strip()  # browsers send a textarea's line breaks as CRLF
        answer = Answer(
            author=Author(**{k: v for k, v in author.items() if v}), body=body, url=url or None, date=dt.date.today()
        )
        thread = Thread(
            id=unique_id(slugify(question), existing),
            question=question,
            treatments=tuple(treatments) or ("general",),
            answers=(answer,),
            status="draft",
            source=f"front desk ({written_by})",
            demo=False,
        )
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise DraftError(_validation_message(exc)) from None
    write_thread(settings.corpus.corpus_dir, thread)
    return thread


def _validation_message(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'thread'}: {e['msg']}" for e in errors(include_url=False)
        )
    return str(exc)


def drafts(settings: Settings) -> list[Thread]:
    return [t for t in load_corpus(settings.corpus.corpus_dir).threads if not t.published]


def publish(settings: Settings, thread_id: str, reviewer: str, today: dt.date | None = None) -> Thread:
    """Mark a draft reviewed by `reviewer` today and published."""
    thread = load_corpus(settings.corpus.corpus_dir).get(thread_id)
    if thread is None:
        raise DraftError(f"thread {thread_id} does not exist")
    if thread.published:
        raise DraftError(f"thread {thread_id} is already published")
    published = thread.model_copy(
        update={"status": "published", "reviewed_by": reviewer, "reviewed_at": today or dt.date.today()}
    )
    write_thread(settings.corpus.corpus_dir, published)
    return published


def discard(settings: Settings, thread_id: str) -> None:
    """Delete a draft thread file (published threads are never deleted from the console)."""
    thread = load_corpus(settings.corpus.corpus_dir).get(thread_id)
    if thread is None or thread.published:
        raise DraftError(f"thread {thread_id} is not a draft")
    remove_thread(settings.corpus.corpus_dir, thread_id)


# ------------------------------------------------------------------------------------------------ reload


def rebuild_index(settings: Settings, embedder) -> str:
    """Bring the index up to date with the corpus folder, as `bot index` does (bot.index.rebuild)."""
    from bot.index import rebuild

    built = rebuild(load_corpus(settings.corpus.corpus_dir), embedder, settings.corpus)
    return f"index rebuilt ({built.faiss_index.ntotal} threads, {built.stats.embedded} embedded)"


def ask_bot_to_reload(settings: Settings) -> tuple[bool, str]:
    """POST /reload to every action server in action_server_url, so the running bot serves the new corpus."""
    urls = [u.strip().rstrip("/") for u in settings.corpus.action_server_url.split(",") if u.strip()]
    if not urls:
        return (
            False,
            "no action server is configured (AFTERCARE_ACTION_SERVER_URL); restart the bot to serve the change",
        )
    if not settings.corpus.reload_token:
        return False, "reloading is disabled (no AFTERCARE_RELOAD_TOKEN); restart the bot to serve the change"
    # Every replica must load the new index, or patients would get old and new answers at random; one that
    # cannot be reached is named, and serves the change when it restarts (it loads the index at start-up).
    failed = [problem for problem in (_reload_one(url, settings.corpus.reload_token) for url in urls) if problem]
    if failed:
        return False, "; ".join(failed) + "; it will serve the change when restarted"
    return True, "the bot now serves the change" + (f" (all {len(urls)} action servers)" if len(urls) > 1 else "")


def _reload_one(url: str, token: str) -> str | None:
    """None when the action server at url reloaded, else why not."""
    try:
        response = httpx.post(f"{url}/reload", headers={"Authorization": f"Bearer {token}"}, timeout=120)
    except httpx.HTTPError as exc:
        return f"the bot could not be reached at {url} ({type(exc).__name__})"
    if response.status_code >= 300:
        return f"the bot at {url} refused to reload (HTTP {response.status_code})"
    return None
