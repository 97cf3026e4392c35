"""Parse the plain text of a public doctor Q&A page, as a person copies it from the browser.

The page reads: the question title (maybe with "(Photo)"), maybe the question's text, an answer-count header
("Doctor Answers 5", "Doctor Answers (15)", "13 Doctor Answers | Asked by ...", "3 Answers", or none), then the
answers. Mostly each answer is [title] text, then a byline ([name, credentials], "City Specialty", [rating]);
the "City Specialty" line is always there, so it anchors the byline (bylines.py). Other sites head each answer
with "Name (City, ST) on Oct 20, 2011" instead. Site residue (clutter.py) is taken out first, and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from bot.corpus import Answer
from bot.importers import clutter
from bot.importers.bylines import (  # noqa: F401  (city_and_specialty, name_and_credentials: the page's API)
    Byline,
    bylines_before,
    bylines_under,
    city_and_specialty,
    name_and_credentials,
)
from bot.importers.records import ImportedThread, ParsedFile, Problem, schema_problems

_HEADER = re.compile(
    r"^(?:(?P<n1>\d+)\s+)?(?P<what>doctor answers?|answers?)(?:\s*\(?(?P<n2>\d+)\)?)?(?:\s*[|·•]\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(r"educational purposes|substitute for (?:professional )?medical advice", re.IGNORECASE)
_INNER_SENTENCE = re.compile(r"[.!?]\s+[A-Z]")
_NO_PAGE = (
    "not a doctor Q&A page: no 'Doctor Answers N' line between the question and the answers, and no "
    "answer bylines ('Denver Facial Plastic Surgeon' under an answer, or 'Name (City, ST) on Oct 20, 2011' "
    "before one)"
)


@dataclass(frozen=True)
class _Header:
    index: int
    stated: int | None
    words: str  # "doctor answers" or "answers", as the count is reported back
    rest: str | None  # what follows a "|" on the line, such as "Asked by NAME in CITY, ST"


@dataclass
class _Out:
    """What one page parse collects as it goes."""

    file: str
    answers: list[Answer] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dropped: list[clutter.Dropped] = field(default_factory=list)

    def problem(self, kind: str, line: int, name: str, reason: str) -> None:
        getattr(self, kind).append(Problem(self.file, f"line {line + 1}", name, reason))


def _header(lines: list[str]) -> _Header | None:
    for k, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            continue
        stated = match["n1"] or match["n2"]
        doctor = match["what"].lower().startswith("doctor")
        # A bare "Answers" heading is too common in text to mark a page; other sites' header has a count.
        if doctor or stated is not None:
            return _Header(k, int(stated) if stated else None, "doctor answers" if doctor else "answers", match["rest"])
    return None


def has_answer_header(text: str) -> bool:
    """Whether the text has an answer-count line such as "Doctor Answers 5" or "3 Answers"."""
    return _header(clutter.strip(clutter.normalise(text))[0]) is not None


def _paragraphs(lines: list[str], start: int = 0, stop: int | None = None) -> list[tuple[int, str]]:
    """Paragraphs between `start` and `stop`, each with the index of its first line."""
    result: list[tuple[int, str]] = []
    current: list[str] = []
    first = start
    stop = len(lines) if stop is None else stop
    for k in range(start, stop + 1):
        line = lines[k] if k < stop else ""
        if line:
            first = k if not current else first
            current.append(line)
        elif current:
            result.append((first, "\n".join(current)))
            current = []
    return result


def _is_title(paragraph: str) -> bool:
    # One short phrase: no line break, no sentence ending inside it ("My lips look big. Is that normal?").
    return (
        "\n" not in paragraph
        and len(paragraph) <= 100
        and len(paragraph.split()) <= 12
        and not paragraph.endswith((".", "!", ",", ";", ":"))
        and not _INNER_SENTENCE.search(paragraph)
    )


def _first_text(lines: list[str], start: int, stop: int) -> int | None:
    return next((k for k in range(start, stop) if lines[k]), None)


def _cut(out: _Out, paragraphs: list[tuple[int, str]], what: str) -> list[tuple[int, str]]:
    """`paragraphs` up to their last whole sentence when the page cut them with "... more", and a warning."""
    texts, fragment = clutter.cut_more([p for _, p in paragraphs])
    if fragment is None:
        return paragraphs
    at = paragraphs[-1][0]
    left = f"; the unfinished '{fragment[:60]}' was left out" if fragment else ""
    if texts:
        out.problem(
            "warnings",
            at,
            what,
            f"the page cut this text short ('... more'): it ends at its last whole "
            f"sentence{left}, and the rest is not on the page",
        )
    return list(zip([k for k, _ in paragraphs], texts))


def _answer(out: _Out, lines: list[str], start: int, stop: int, byline: Byline, under: bool) -> None:
    """Read the answer on lines `start`..`stop` with its byline into `out`, or say why it was rejected."""
    paragraphs = _cut(out, _paragraphs(lines, start, stop), "body")
    at = byline.start if under else byline.anchor
    if not paragraphs:
        cut = _paragraphs(lines, start, stop)
        reason = (
            "the page cut this answer short ('... more') before its first sentence ended"
            if cut
            else f"no answer text {'above' if under else 'under'} this byline"
        )
        out.problem("rejected", cut[0][0] if cut else at, "body", reason)
        return
    place = f"line {paragraphs[0][0] + 1}"
    title = None
    if len(paragraphs) > 1 and _is_title(paragraphs[0][1]):
        (title_at, title), paragraphs = paragraphs[0], paragraphs[1:]
        title, tagged = clutter.photo_tag(title)
        if tagged:
            out.dropped.append(clutter.Dropped("photo tag", title_at, lines[title_at]))
    author = {
        "name": byline.name,
        "credentials": byline.credentials,
        "specialty": byline.specialty,
        "location": byline.location,
    }
    stars, reviews = byline.rating or (None, None)
    rating = {"stars": stars, "reviews": reviews} if reviews is not None else None
    try:
        out.answers.append(
            Answer.model_validate(
                {
                    "author": author,
                    "title": title or None,
                    "rating": rating,
                    "body": "\n\n".join(p for _, p in paragraphs),
                    "date": byline.date,
                }
            )
        )
    except ValidationError as exc:
        out.rejected.extend(schema_problems(exc, out.file, place))
        return
    if byline.name is None:
        out.problem(
            "warnings",
            byline.anchor,
            "author.name",
            f"no name line above '{lines[byline.anchor]}'; the answer is kept without an author name",
        )
    if stars is not None and reviews is None:
        out.problem("warnings", byline.anchor, "rating", "stars without a review count; the rating was left out")
    if byline.doubt:
        out.problem("warnings", byline.anchor, "author.specialty", byline.doubt)


def _question_text(out: _Out, lines: list[str], title_at: int, first: Byline) -> tuple[list[tuple[int, str]], int]:
    """The question's text and the first answer's first line, on a page without an answer-count header."""
    # The two run together: the answer starts at its title if it has one, else after a first paragraph that asks.
    paragraphs = _paragraphs(lines, title_at + 1, first.start)
    for k, (at, paragraph) in enumerate(paragraphs):
        # A short paragraph that asks something is the patient's, not an answer's title.
        if _is_title(paragraph) and not paragraph.endswith("?") and k + 1 < len(paragraphs):
            body, start = paragraphs[:k], at
            break
    else:
        body, start = [], title_at + 1
        if len(paragraphs) >= 2 and "?" in paragraphs[0][1]:
            body, start = paragraphs[:1], paragraphs[1][0]
    if len(paragraphs) >= 2:
        told = (
            f"'{body[-1][1][:50]}' taken as the end of the question's text"
            if body
            else "all the text above the first byline taken as its answer"
        )
        out.problem(
            "warnings", title_at, "question", f"no 'Doctor Answers' line: {told}; check where the first answer begins"
        )
    return body, start


def _tail(out: _Out, lines: list[str], start: int) -> None:
    """Warn about text after the last answer, up to the site's disclaimer."""
    disclaimer = next((k for k in range(start, len(lines)) if _DISCLAIMER.search(lines[k])), len(lines))
    leftover = _first_text(lines, start, disclaimer)
    if leftover is not None:
        out.problem(
            "warnings",
            leftover,
            "page",
            f"text after the last byline was ignored: '{lines[leftover][:60]}' "
            "(an answer needs a 'City Specialty' line under it)",
        )


def _unsigned(out: _Out, lines: list[str], header: _Header) -> int | None:
    """Other sites' "N Answers" with no bylines at all: one answer per paragraph when the count says so."""
    if header.words != "answers":
        return None  # a "Doctor Answers" page always has bylines: without them its answers cannot be told apart
    stop = next((k for k in range(header.index + 1, len(lines)) if _DISCLAIMER.search(lines[k])), len(lines))
    paragraphs = _cut(out, _paragraphs(lines, header.index + 1, stop), "body")
    if header.stated is None or len(paragraphs) != header.stated:
        return None
    for at, paragraph in paragraphs:
        out.answers.append(Answer.model_validate({"author": {}, "body": paragraph}))
    out.problem(
        "warnings",
        header.index,
        "author",
        f"no bylines: each of the {header.stated} paragraphs under "
        f"'{lines[header.index]}' was taken as one answer, without an author",
    )
    return len(paragraphs)


def _dropped_problems(file: str, dropped: list[clutter.Dropped]) -> tuple[Problem, ...]:
    """One line per kind of text left out, with the lines it was on."""
    by_kind: dict[str, list[clutter.Dropped]] = {}
    for item in sorted(dropped, key=lambda d: d.line):
        by_kind.setdefault(item.kind, []).append(item)
    problems = []
    for kind, items in by_kind.items():
        where = ", ".join(str(d.line + 1) for d in items[:8]) + (", ..." if len(items) > 8 else "")
        also = f" (lines {where})" if len(items) > 1 else ""
        problems.append(
            Problem(
                file, f"line {items[0].line + 1}", kind, f"'{items[0].text[:60]}'{also} left out: {clutter.WHY[kind]}"
            )
        )
    return tuple(problems)


def parse(text: str, file: str) -> ParsedFile:
    """Read one copied Q&A page into a thread; say clearly when the text is not such a page."""
    raw = clutter.normalise(text)
    first = _first_text(raw, 0, len(raw))
    lines, dropped = clutter.strip(raw, clutter.photo_tag(raw[first])[0] if first is not None else None)
    out = _Out(file, dropped=dropped)

    def reject(place: str, name: str, reason: str) -> ParsedFile:
        return ParsedFile(
            file, rejected=(Problem(file, place, name, reason),), dropped=_dropped_problems(file, out.dropped)
        )

    header = _header(lines)
    if header is not None and header.rest:
        kind = "asker" if header.rest.lower().startswith("asked by") else "page clutter"
        out.dropped.append(clutter.Dropped(kind, header.index, header.rest))
    title_at = _first_text(lines, 0, header.index if header else len(lines))
    if title_at is None:
        if header is None:
            return reject("(file)", "page", _NO_PAGE)
        return reject(f"line {header.index + 1}", "question", f"no question title above '{lines[header.index]}'")
    question, tagged = clutter.photo_tag(lines[title_at])
    if tagged:
        out.dropped.append(clutter.Dropped("photo tag", title_at, lines[title_at]))
    start = header.index + 1 if header else title_at + 1

    # Each site has one of the two byline shapes; the one found more often is the page's (a line in an answer's
    # text can look like the other).
    before, (under, copies) = bylines_before(lines, start), bylines_under(lines, start)
    if len(before) > len(under):
        under, copies = [], []
    else:
        before = []
    for copy in copies:
        for k in range(copy.start, copy.end + 1):
            if lines[k]:
                out.dropped.append(clutter.Dropped("byline copy", k, lines[k]))
                lines[k] = ""
    found = len(before or under)
    if header is None and found == 0:
        return reject("(file)", "page", _NO_PAGE)
    if header is not None:
        body = _paragraphs(lines, title_at + 1, header.index)
    elif before:
        body = _paragraphs(lines, title_at + 1, before[0].start)
    else:
        body, start = _question_text(out, lines, title_at, under[0])
    body = _cut(out, body, "question body")

    if before:
        stop = next((k for k in range(before[-1].end, len(lines)) if _DISCLAIMER.search(lines[k])), len(lines))
        ends = [b.start for b in before[1:]] + [stop]
        skipped = _first_text(lines, start, before[0].start)
        if skipped is not None:
            out.problem(
                "warnings", skipped, "page", f"text above the first answer was ignored: '{lines[skipped][:60]}'"
            )
        for byline, end in zip(before, ends):
            _answer(out, lines, byline.end + 1, end, byline, under=False)
    elif under:
        previous_end = start - 1
        for byline in under:
            _answer(out, lines, previous_end + 1, byline.start, byline, under=True)
            previous_end = byline.end
        _tail(out, lines, previous_end + 1)
    else:
        assert header is not None  # with no bylines found, a page without a header was rejected above
        if (found := _unsigned(out, lines, header) or 0) == 0:
            return reject(
                f"line {header.index + 1}",
                "answers",
                "no answers found: each answer should end with a line of city and specialty, such as "
                "'Denver Facial Plastic Surgeon', or start with 'Name (City, ST) on Oct 20, 2011'",
            )

    if header is not None and header.stated is not None and header.stated != found:
        out.problem(
            "warnings", header.index, "answers", f"the page says {header.stated} {header.words} but {found} were found"
        )
    threads: tuple[ImportedThread, ...] = ()
    if out.answers:
        threads = (
            ImportedThread(
                question=question,
                body="\n\n".join(p for _, p in body) or None,
                answers=tuple(out.answers),
                file=file,
                place=f"line {title_at + 1}",
            ),
        )
    return ParsedFile(
        file,
        threads=threads,
        rejected=tuple(out.rejected),
        warnings=tuple(out.warnings),
        dropped=_dropped_problems(file, out.dropped),
    )
