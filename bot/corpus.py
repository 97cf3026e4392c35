"""The answer corpus: typed thread records, loading and validation of `data/answers/*.yml`."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator

from bot.errors import LoadError
from bot.treatments import TREATMENTS

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Author(_Record):
    # A copied Q&A page can show an answer with no name line; such an answer is kept, not given an invented name.
    name: str | None = Field(default=None, min_length=1)
    credentials: str = ""
    specialty: str = ""
    location: str = ""


class Rating(_Record):
    stars: float = Field(ge=0, le=5)
    reviews: int = Field(ge=0)


class Answer(_Record):
    author: Author
    body: str = Field(min_length=1)
    title: str | None = None
    rating: Rating | None = None
    date: dt.date | None = None
    url: HttpUrl | None = None


class Thread(_Record):
    id: str = Field(pattern=_SLUG)
    question: str = Field(min_length=3)
    body: str | None = None
    treatments: tuple[str, ...] = Field(min_length=1)
    tags: tuple[str, ...] = ()
    answers: tuple[Answer, ...] = Field(min_length=1)
    source: str = ""
    demo: bool = False
    status: Literal["published", "draft"] = "draft"
    # Review: who approved the thread for patients, when, and when it must be looked at again.
    reviewed_by: str | None = None
    reviewed_at: dt.date | None = None
    review_due: dt.date | None = None
    # Other ways patients ask this question; embedded with the thread (as FAQ tools do).
    phrasings: tuple[str, ...] = ()

    @field_validator("treatments")
    @classmethod
    def _known_treatments(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in value if t not in TREATMENTS]
        if unknown:
            raise ValueError(f"unknown treatment {', '.join(unknown)}; use one of: {', '.join(TREATMENTS)}")
        return value

    @property
    def published(self) -> bool:
        return self.status == "published"

    def answer_id(self, index: int) -> str:
        """Stable id of the answer at `index` (0-based) within this thread."""
        return f"{self.id}#{index + 1}"


class CorpusError(LoadError):
    """The corpus is invalid; `problems` lists each one as `file: field: reason`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"Invalid answer corpus: {'; '.join(problems)}")


@dataclass(frozen=True)
class Corpus:
    """All threads of a corpus folder, with a hash of its content."""

    threads: tuple[Thread, ...]
    content_hash: str
    # Built once: `get` runs some 60 times a message, a scan of every thread each time.
    _by_id: dict[str, Thread] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Reversed, so that of two threads with one id (only possible outside load_corpus) the first wins.
        object.__setattr__(self, "_by_id", {t.id: t for t in reversed(self.threads)})

    @property
    def published(self) -> tuple[Thread, ...]:
        """The threads served to patients, in corpus order."""
        return tuple(t for t in self.threads if t.published)

    def get(self, thread_id: str) -> Thread | None:
        """The thread with this id, or None."""
        return self._by_id.get(thread_id)


def _field_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(file)"


def parse_thread(text: str, source: str) -> Thread:
    """Parse one thread file's text; raises CorpusError naming the file, field and reason."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise CorpusError([f"{source}: {where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    if not isinstance(data, dict):
        raise CorpusError([f"{source}: (file): expected a mapping of thread fields"])
    try:
        return Thread.model_validate(data)
    except ValidationError as exc:
        raise CorpusError(
            [f"{source}: {_field_path(err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False)]
        ) from None


def load_corpus(folder: Path) -> Corpus:
    """Load and validate every `*.yml` thread in `folder`; all problems are reported together."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError([f"{folder}: (folder): the corpus folder does not exist"])
    threads: list[Thread] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yml")):
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        try:
            thread = parse_thread(raw.decode("utf-8"), path.name)
        except CorpusError as exc:
            problems.extend(exc.problems)
            continue
        except UnicodeDecodeError:
            problems.append(f"{path.name}: (file): not UTF-8 text")
            continue
        if path.stem != thread.id:
            problems.append(f"{path.name}: id: '{thread.id}' does not match the file name '{path.stem}'")
        if thread.id in seen:
            problems.append(f"{path.name}: id: '{thread.id}' is also used by {seen[thread.id]}")
        seen[thread.id] = path.name
        threads.append(thread)
    if problems:
        raise CorpusError(problems)
    if not threads:
        raise CorpusError([f"{folder}: (folder): no thread files (*.yml) found"])
    return Corpus(threads=tuple(threads), content_hash=digest.hexdigest())
