"""A labelled set: a folder holding questions.yml, red_flags.yml, unanswerable.yml and clarify.yml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.corpus import Corpus
from bot.errors import LoadError

DEFAULT_SET = PROJECT_ROOT / "tests" / "devset"
URGENCIES = ("emergency", "clinic_now", "clinic_soon")


class LabelledSetError(LoadError):
    """A labelled set is missing a file or an item lacks a field it needs."""


@dataclass(frozen=True)
class Question:
    """An ordinary question that one stored thread answers."""

    text: str
    thread: str
    treatment: str | None = None


@dataclass(frozen=True)
class RedFlag:
    """A message triage must escalate to at least `urgency`."""

    text: str
    urgency: str
    treatment: str | None = None


@dataclass(frozen=True)
class Unanswerable:
    """A message no stored thread answers; `kind` is uncovered_aftercare or off_topic."""

    text: str
    kind: str
    treatment: str | None = None


@dataclass(frozen=True)
class Ambiguous:
    """A message whose answer depends on which of `threads` (which treatment) the patient meant."""

    text: str
    threads: tuple[str, ...]
    treatment: str | None = None


@dataclass(frozen=True)
class LabelledSet:
    """The four kinds of labelled messages of one set."""

    questions: tuple[Question, ...]
    red_flags: tuple[RedFlag, ...]
    unanswerable: tuple[Unanswerable, ...]
    clarify: tuple[Ambiguous, ...]

    def counts(self) -> dict[str, int]:
        """Items per file."""
        return {name: len(getattr(self, name)) for name in ("questions", "red_flags", "unanswerable", "clarify")}


def _items(folder: Path, name: str, required: tuple[str, ...]) -> list[dict]:
    path = folder / f"{name}.yml"
    if not path.is_file():
        raise LabelledSetError(f"{path}: (file): a labelled set needs this file")
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise LabelledSetError(f"{path}: (file): not valid YAML ({exc})") from None
    if not isinstance(items, list):
        raise LabelledSetError(f"{path}: (file): expected a list of items")
    for n, item in enumerate(items, 1):
        missing = [f for f in required if not isinstance(item, dict) or not item.get(f)]
        if missing:
            raise LabelledSetError(f"{path}: item {n}: {', '.join(missing)}: required")
        if name == "red_flags" and item["urgency"] not in URGENCIES:
            raise LabelledSetError(f"{path}: item {n}: urgency: must be one of {', '.join(URGENCIES)}")
    return items


def load_set(folder: Path = DEFAULT_SET) -> LabelledSet:
    """Read a labelled set; a missing file or field raises LabelledSetError naming it."""
    folder = Path(folder)
    return LabelledSet(
        questions=tuple(
            Question(i["text"], i["thread"], i.get("treatment"))
            for i in _items(folder, "questions", ("text", "thread"))
        ),
        red_flags=tuple(
            RedFlag(i["text"], i["urgency"], i.get("treatment"))
            for i in _items(folder, "red_flags", ("text", "urgency"))
        ),
        unanswerable=tuple(
            Unanswerable(i["text"], i["kind"], i.get("treatment"))
            for i in _items(folder, "unanswerable", ("text", "kind"))
        ),
        clarify=tuple(
            Ambiguous(i["text"], tuple(i["threads"]), i.get("treatment"))
            for i in _items(folder, "clarify", ("text", "threads"))
        ),
    )


def unknown_threads(labelled: LabelledSet, corpus: Corpus) -> list[str]:
    """Labelled thread ids that the corpus does not publish (they could never be ranked)."""
    published = {t.id for t in corpus.published}
    labelled_ids = [q.thread for q in labelled.questions] + [t for a in labelled.clarify for t in a.threads]
    return sorted({t for t in labelled_ids if t not in published})
