"""What the importers produce: threads as read from an input file, and problems that say where and why."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from bot.corpus import Answer, Thread


@dataclass(frozen=True)
class Problem:
    """A rejected record or a warning: the input file, the place in it, the field and the reason."""

    file: str
    place: str  # "line 12", "row 4" or "(file)"
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.place}: {self.field}: {self.reason}"


@dataclass(frozen=True)
class ImportedThread:
    """One question and its answers as read from an input file. `None` means the input did not say,
    so the importer settles the value (id, treatments, status, source, demo) when it writes."""

    question: str
    answers: tuple[Answer, ...]
    file: str
    place: str
    body: str | None = None
    id: str | None = None
    treatments: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    status: str | None = None
    source: str | None = None
    demo: bool | None = None


@dataclass(frozen=True)
class ParsedFile:
    """Everything read from one input file: its threads, the records it rejected, warnings, and the text it
    left out on purpose (a page's template text, vote counts, clutter), each with its place and why."""

    file: str
    threads: tuple[ImportedThread, ...] = ()
    rejected: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    dropped: tuple[Problem, ...] = ()


def question_key(question: str) -> str:
    """The form under which two questions count as the same: case and spacing do not matter."""
    return " ".join(question.split()).casefold()


def schema_problems(exc: ValidationError, file: str, place: str, rename: dict[str, str] | None = None) -> list[Problem]:
    """One Problem per schema error; `rename` maps schema field paths to the input's own column names."""
    errors = [
        (".".join(str(part) for part in err["loc"]) or "(record)", err["msg"]) for err in exc.errors(include_url=False)
    ]
    # A bad item also fails its list ("answers: at least 1 item"); that echo would only mislead.
    echoes = {path for path, _ in errors for other, _ in errors if other.startswith(path + ".")}
    return [Problem(file, place, (rename or {}).get(path, path), msg) for path, msg in errors if path not in echoes]


def _or_none(value: str | None) -> str | None:
    return value or None


def preview(threads: list[Thread]) -> dict:
    """The `--dry-run --json` shape: what each imported thread holds, `null` where the input had no value."""
    return {
        "threads": [
            {
                "id": t.id,
                "question": t.question,
                "body": _or_none(t.body),
                "answers": [
                    {
                        "title": _or_none(a.title),
                        "body": a.body,
                        "author": {
                            "name": _or_none(a.author.name),
                            "credentials": _or_none(a.author.credentials),
                            "specialty": _or_none(a.author.specialty),
                            "location": _or_none(a.author.location),
                        },
                        "rating": {"stars": a.rating.stars, "reviews": a.rating.reviews} if a.rating else None,
                    }
                    for a in t.answers
                ],
            }
            for t in threads
        ]
    }
