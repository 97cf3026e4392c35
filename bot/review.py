"""Review state of the corpus: which threads are past their review date, which answers have no named
author, and which threads may be served to patients."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Literal

from bot.corpus import Corpus, Thread


@dataclass(frozen=True)
class ReviewWarning:
    """One thing a reviewer should look at: `file: thread id: reason`."""

    thread_id: str
    kind: Literal["overdue", "no_author"]
    reason: str

    @property
    def file(self) -> str:
        return f"{self.thread_id}.yml"  # load_corpus requires the file name to be the id

    def __str__(self) -> str:
        return f"{self.file}: {self.thread_id}: {self.reason}"


def is_overdue(thread: Thread, today: dt.date) -> bool:
    """True when the thread's review date has passed."""
    return thread.review_due is not None and thread.review_due < today


def overdue(threads: Iterable[Thread], today: dt.date) -> list[Thread]:
    """Threads whose `review_due` is before `today`."""
    return [t for t in threads if is_overdue(t, today)]


def authorless_answers(threads: Iterable[Thread]) -> list[tuple[Thread, int]]:
    """(thread, 0-based answer index) of every answer without an author name."""
    return [(t, i) for t in threads for i, a in enumerate(t.answers) if not a.author.name]


def review_warnings(threads: Iterable[Thread], today: dt.date, serve_overdue: bool) -> list[ReviewWarning]:
    """Overdue threads and author-less answers, in corpus order, for `bot validate`."""
    threads = list(threads)
    warnings = []
    for thread in overdue(threads, today):
        assert thread.review_due is not None  # overdue() keeps only threads with a review date
        if not thread.published:
            effect = "a draft, not served"
        elif serve_overdue:
            effect = "still served (serve_overdue is on)"
        else:
            effect = "not served (serve_overdue is off)"
        warnings.append(
            ReviewWarning(thread.id, "overdue", f"review was due {thread.review_due.isoformat()}; {effect}")
        )
    for thread, i in authorless_answers(threads):
        warnings.append(ReviewWarning(thread.id, "no_author", f"answers.{i}: answer {i + 1} has no author name"))
    return warnings


def servable(threads: Iterable[Thread], today: dt.date, serve_overdue: bool) -> tuple[Thread, ...]:
    """The threads patients may be answered from: published ones, without overdue ones unless allowed."""
    return tuple(t for t in threads if t.published and (serve_overdue or not is_overdue(t, today)))


def servable_corpus(corpus: Corpus, serve_overdue: bool, today: dt.date | None = None) -> Corpus:
    """`corpus` holding only servable threads; its content hash is kept, so the index still matches it."""
    threads = servable(corpus.threads, today or dt.date.today(), serve_overdue)
    return dataclasses.replace(corpus, threads=threads)
