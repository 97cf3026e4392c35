"""A reply as typed blocks: what each part of a message is, so every channel can render it in its own way.

Standard library only: the action server, the web app and the Rasa process (its connectors reply on their
own when the action server cannot) all build replies from these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

QUESTION_LABEL = "Closest question on file: "


def who(name: str | None, credentials: str, specialty: str, location: str) -> str:
    """A clinician's author line: name, credentials, specialty, city (the parts that are known)."""
    return ", ".join(p for p in (name, credentials, specialty, location) if p)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Citation:
    n: int
    name: str | None  # None for an imported answer whose page gave no name
    credentials: str
    specialty: str
    location: str
    url: str | None
    answer_id: str

    @property
    def who(self) -> str:
        """The author line of this source."""
        return who(self.name, self.credentials, self.specialty, self.location)


@dataclass(frozen=True)
class Quote:
    n: int
    text: str
    answer_id: str


@dataclass(frozen=True)
class Line:
    """One line of a block with what it is; `plain` is its channel-neutral text."""

    kind: str  # alert | note | question | summary | quote | heading | source | option | hint | disclaimer | demo | text
    text: str
    n: int | None = None
    url: str | None = None

    @property
    def plain(self) -> str:
        """The line as plain text, markers and numbers included."""
        if self.kind == "question":
            return f'{QUESTION_LABEL}"{self.text}"'
        if self.kind == "quote":
            return f'- "{self.text}" [{self.n}]'
        if self.kind == "source":
            return f"[{self.n}] {self.text}" + (f" {self.url}" if self.url else "")
        if self.kind == "option":
            return f"{self.n}. {self.text}"
        return self.text


@dataclass(frozen=True)
class Alert:
    """What to do now about a red flag; leads the reply."""

    text: str
    urgency: str  # emergency | clinic_now

    def lines(self) -> tuple[Line, ...]:
        return (Line("alert", self.text),)


@dataclass(frozen=True)
class Note:
    """A warning put before an answer: a `clinic_soon` flag's "please book a check"."""

    text: str

    def lines(self) -> tuple[Line, ...]:
        return (Line("note", self.text),)


@dataclass(frozen=True)
class MatchedQuestion:
    """The stored question whose answers follow."""

    question: str

    def lines(self) -> tuple[Line, ...]:
        return (Line("question", self.question),)


@dataclass(frozen=True)
class Summary:
    """Where the clinicians agree and differ."""

    text: str

    def lines(self) -> tuple[Line, ...]:
        return (Line("summary", self.text),)


@dataclass(frozen=True)
class Quotes:
    """Clinicians' sentences, each numbered for its source."""

    items: tuple[Quote, ...]

    def lines(self) -> tuple[Line, ...]:
        return tuple(Line("quote", q.text, q.n) for q in self.items)


@dataclass(frozen=True)
class Sources:
    """The numbered citations the quotes point to."""

    citations: tuple[Citation, ...]

    def lines(self) -> tuple[Line, ...]:
        return (Line("heading", "Sources:"),) + tuple(Line("source", c.who, c.n, c.url) for c in self.citations)


@dataclass(frozen=True)
class Options:
    """Numbered choices; the reply's buttons make them (in the same order) where a channel has buttons."""

    titles: tuple[str, ...]

    def lines(self) -> tuple[Line, ...]:
        return tuple(Line("option", title, n) for n, title in enumerate(self.titles, start=1))


@dataclass(frozen=True)
class Hint:
    """How to answer the options: `text` where there are buttons, `text_only` where there are none."""

    text: str
    text_only: str

    def lines(self) -> tuple[Line, ...]:
        return (Line("hint", self.text),)


@dataclass(frozen=True)
class Text:
    """A paragraph of our own words (one line each)."""

    text: str

    def lines(self) -> tuple[Line, ...]:
        return tuple(Line("text", line) for line in self.text.split("\n"))


@dataclass(frozen=True)
class Disclaimer:
    """The notice a reply with medical content carries."""

    text: str

    def lines(self) -> tuple[Line, ...]:
        return (Line("disclaimer", self.text),)


@dataclass(frozen=True)
class DemoNote:
    """Says that the answers are demo content for fictional clinicians."""

    text: str

    def lines(self) -> tuple[Line, ...]:
        return (Line("demo", self.text),)


Block = Alert | Note | MatchedQuestion | Summary | Quotes | Sources | Options | Hint | Text | Disclaimer | DemoNote


_B = TypeVar("_B", bound=Block)


def _first(blocks: tuple[Block, ...], kind: type[_B]) -> _B | None:
    return next((b for b in blocks if isinstance(b, kind)), None)


@dataclass(frozen=True)
class Reply:
    """What the assistant says: typed blocks in order, and the buttons a channel may show with them."""

    blocks: tuple[Block, ...]
    buttons: tuple[Button, ...] = ()

    @classmethod
    def say(cls, text: str, buttons: tuple[Button, ...] | list[Button] = ()) -> "Reply":
        """A reply of our own words, one Text block per paragraph."""
        paragraphs = [p.strip("\n") for p in text.strip().split("\n\n") if p.strip()]
        return cls(tuple(Text(p) for p in paragraphs), tuple(buttons))

    def with_note(self, text: str) -> "Reply":
        """This reply with a warning note before it."""
        return Reply((Note(text),) + self.blocks, self.buttons)

    @property
    def text(self) -> str:
        """The whole reply as plain text, complete on its own (paragraphs apart by a blank line)."""
        return "\n\n".join("\n".join(line.plain for line in block.lines()) for block in self.blocks)

    @property
    def disclaimer(self) -> str:
        block = _first(self.blocks, Disclaimer)
        return block.text if block else ""

    @property
    def question(self) -> str | None:
        block = _first(self.blocks, MatchedQuestion)
        return block.question if block else None

    @property
    def summary(self) -> str:
        block = _first(self.blocks, Summary)
        return block.text if block else ""

    @property
    def quotes(self) -> tuple[Quote, ...]:
        return tuple(q for b in self.blocks if isinstance(b, Quotes) for q in b.items)

    @property
    def citations(self) -> tuple[Citation, ...]:
        return tuple(c for b in self.blocks if isinstance(b, Sources) for c in b.citations)

    @property
    def demo(self) -> bool:
        return _first(self.blocks, DemoNote) is not None

    @property
    def urgency(self) -> str | None:
        """The alert's urgency when the reply leads with one."""
        block = _first(self.blocks, Alert)
        return block.urgency if block else None
