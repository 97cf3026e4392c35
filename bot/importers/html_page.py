"""Read a saved HTML page: a doctor Q&A page (its visible text is read as a copied page is), or a clinic FAQ
page (question headings followed by answer paragraphs, <details>/<summary>, definition lists).

The page is parsed by lxml's HTML parser; scripts, styles, hidden elements, navigation, footers and asides are
never read as text. Places in problems are lines of the HTML file.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html
from pydantic import ValidationError

from bot.corpus import Answer
from bot.importers import qa_page
from bot.importers.records import ImportedThread, ParsedFile, Problem, schema_problems

# Never text a reader sees.
_SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "head",
    "button",
    "select",
    "input",
    "textarea",
    "option",
    "datalist",
    "dialog",
}
# Visible, but the site's furniture rather than the page's content; left out and reported.
_FURNITURE = {"nav", "footer", "aside"}
# Elements that stand apart from what is around them by a blank line (paragraphs) or a line break.
_PARAGRAPH = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "details",
    "summary",
    "section",
    "article",
    "main",
    "figure",
    "figcaption",
    "hr",
    "address",
    "header",
}
_LINE = {"div", "br", "tr", "li", "label", "caption", "legend", "fieldset", "form", "center"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NO_PAGE = (
    "not a doctor Q&A page (no 'Doctor Answers' line or answer bylines in its text) nor a FAQ page (no "
    "question headings followed by text, no <details>/<summary>, no <dt>/<dd> pairs)"
)


@dataclass(frozen=True)
class Line:
    """One line of the page's visible text: the text ('' for a blank line), its HTML source line, and the
    paragraph-level element it sits in ("h2", "p", "li", ...)."""

    text: str
    source: int | None
    block: str | None


class _Writer:
    """Gathers text into lines, breaking where the elements around it break."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.current: list[str] = []
        self.source: int | None = None
        self.block: str | None = None
        self.pending = 0  # 1: a line break is due before the next text; 2: a blank line

    def text(self, text: str, source: int | None, block: str | None, pre: bool = False) -> None:
        parts = text.split("\n") if pre else [text]
        for n, part in enumerate(parts):
            if n:
                self.brk(1)
            words = part if pre else re.sub(r"\s+", " ", part)
            if not words.strip():
                if self.current and words:
                    self.current.append(" ")
                continue
            if self.pending:
                self._flush()
            if not self.current:
                self.source, self.block = source, block
            self.current.append(words)

    def brk(self, size: int) -> None:
        self.pending = max(self.pending, size)

    def _flush(self) -> None:
        if self.current:
            self.lines.append(Line(" ".join("".join(self.current).split()), self.source, self.block))
            self.current = []
        if self.pending == 2 and self.lines and self.lines[-1].text:
            self.lines.append(Line("", None, None))
        self.pending = 0

    def done(self) -> list[Line]:
        self.pending = max(self.pending, 1)
        self._flush()
        return self.lines


def _tag(element: lxml.etree._Element) -> str | None:
    return element.tag.lower() if isinstance(element.tag, str) else None  # comments and processing instructions


def _hidden(element: lxml.html.HtmlElement) -> bool:
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or bool(_HIDDEN_STYLE.search(element.get("style") or ""))
    )


def _has_block_child(element: lxml.html.HtmlElement) -> bool:
    return any(_tag(child) in _PARAGRAPH | (_LINE - {"br"}) for child in element)


def render(
    root: lxml.html.HtmlElement,
    skip: frozenset[str] = frozenset(),
    left_out: list[tuple[str, int | None]] | None = None,
) -> list[Line]:
    """The visible text under `root` as lines, blank between paragraphs; furniture left out goes to `left_out`."""
    writer = _Writer()

    def walk(element: lxml.html.HtmlElement, block: str | None, pre: bool) -> None:
        tag = _tag(element)
        if tag is not None and (tag in _SKIP or tag in skip or _hidden(element)):
            return
        if tag in _FURNITURE:
            if left_out is not None and element.text_content().strip():
                left_out.append((tag, element.sourceline))
            return
        size = 2 if tag in _PARAGRAPH else 1 if tag in _LINE else 0
        if tag == "li" and not _has_block_child(element):
            writer.brk(1)
            writer.text("- ", element.sourceline, "li")  # a list item of plain text reads as a bullet
        elif size:
            writer.brk(size)
        inner = tag if tag in _PARAGRAPH or tag == "li" else block
        if element.text and tag is not None:
            writer.text(element.text, element.sourceline, inner, pre or tag == "pre")
        for child in element:
            walk(child, inner, pre or tag == "pre")
            if child.tail:
                writer.text(child.tail, child.sourceline, inner, pre or tag == "pre")
        if size:
            writer.brk(size)

    walk(root, None, False)
    return writer.done()


def _paragraphs(lines: list[Line]) -> list[str]:
    result, current = [], []
    for line in lines + [Line("", None, None)]:
        if line.text:
            current.append(line.text)
        elif current:
            result.append("\n".join(current))
            current = []
    return result


@dataclass
class _Faq:
    """Question and answer pairs found on a FAQ page, in page order."""

    file: str
    pairs: list[tuple[str, list[str], int | None]] = dataclasses.field(default_factory=list)
    rejected: list[Problem] = dataclasses.field(default_factory=list)
    skipped: list[tuple[str, int | None]] = dataclasses.field(default_factory=list)

    def add(self, question: str, answer: list[str], source: int | None) -> None:
        place = f"line {source}" if source else "(file)"
        if not answer:
            self.rejected.append(Problem(self.file, place, "body", "no answer text under this question"))
        else:
            self.pairs.append((question, answer, source))


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(line.text for line in render(element) if line.text).removeprefix("- ")


def _details(root: lxml.html.HtmlElement, faq: _Faq) -> None:
    for details in root.iter("details"):
        summary = next((child for child in details if _tag(child) == "summary"), None)
        if summary is None or _hidden(details):
            continue
        body = [line for child in details if child is not summary for line in render(child)]
        # Text written straight inside <details>, between its elements.
        tails = [t for t in [summary.tail] + [c.tail for c in details if c is not summary] if t and t.strip()]
        faq.add(_text(summary), _paragraphs(body) + [" ".join(t.split()) for t in tails], summary.sourceline)


def _definitions(root: lxml.html.HtmlElement, faq: _Faq) -> None:
    for dl in root.iter("dl"):
        question, source = None, None
        answer: list[str] = []
        for child in dl:
            tag = _tag(child)
            if tag == "dt":
                if question is not None:
                    faq.add(question, answer, source)
                question, source, answer = _text(child), child.sourceline, []
            elif tag == "dd" and question is not None:
                answer += _paragraphs(render(child))
        if question is not None:
            faq.add(question, answer, source)


def _headings(root: lxml.html.HtmlElement, faq: _Faq) -> None:
    """Question headings, each answered by the text down to the next heading of its level or above, or the next
    question heading; a heading that asks nothing is reported if text stood under it."""
    lines = render(root, skip=frozenset({"details", "dl"}))
    current: tuple[str, int, int | None] | None = None  # question, level, source line
    answer: list[Line] = []
    skipped: tuple[str, int, int | None] | None = None

    def close() -> None:
        if current is not None:
            faq.add(current[0], _paragraphs(answer), current[2])
        elif skipped is not None and any(line.text for line in answer):
            faq.skipped.append((skipped[0], skipped[2]))

    for line in lines:
        level = _HEADINGS.get(line.block or "")
        if level is not None and line.text:
            is_question = line.text.endswith("?")
            if current is None or is_question or level <= current[1]:
                close()
                current, skipped, answer = None, None, []
                if is_question:
                    current = (line.text, level, line.source)
                else:
                    skipped = (line.text, level, line.source)
                continue
        answer.append(line)
    close()


def _faq(root: lxml.html.HtmlElement, file: str) -> _Faq:
    faq = _Faq(file)
    _details(root, faq)
    _definitions(root, faq)
    _headings(root, faq)
    return faq


def _relocate(parsed: ParsedFile, lines: list[Line]) -> ParsedFile:
    """`parsed` with each "line N" of the page's text turned into the line of the HTML file it came from."""

    def place(text: str) -> str:
        match = re.fullmatch(r"line (\d+)", text)
        if not match:
            return text
        k = int(match.group(1)) - 1
        source = next((lines[i].source for i in range(k, len(lines)) if lines[i].source), None)
        return f"line {source}" if source else "(file)"

    def moved(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
        return tuple(dataclasses.replace(p, place=place(p.place)) for p in problems)

    return dataclasses.replace(
        parsed,
        threads=tuple(dataclasses.replace(t, place=place(t.place)) for t in parsed.threads),
        rejected=moved(parsed.rejected),
        warnings=moved(parsed.warnings),
        dropped=moved(parsed.dropped),
    )


def _furniture(file: str, left_out: list[tuple[str, int | None]]) -> tuple[Problem, ...]:
    if not left_out:
        return ()
    tags = ", ".join(dict.fromkeys(f"<{tag}>" for tag, _ in left_out))
    source = left_out[0][1]
    return (
        Problem(
            file,
            f"line {source}" if source else "(file)",
            "page furniture",
            f"{len(left_out)} block(s) ({tags}) left out: the site's navigation, footer and side panels",
        ),
    )


def _faq_threads(faq: _Faq, file: str) -> ParsedFile:
    threads, rejected = [], list(faq.rejected)
    for question, answer, source in faq.pairs:
        place = f"line {source}" if source else "(file)"
        try:
            # A FAQ speaks for the clinic and names no clinician: the author is left for the reviewer.
            answers = (Answer.model_validate({"author": {}, "body": "\n\n".join(answer)}),)
        except ValidationError as exc:
            rejected.extend(schema_problems(exc, file, place))
            continue
        threads.append(ImportedThread(question=question, answers=answers, file=file, place=place))
    warnings = []
    if threads:
        warnings.append(
            Problem(
                file,
                threads[0].place,
                "author.name",
                f"a FAQ page names no clinician: its "
                f"{len(threads)} answer(s) are kept without an author; add one when reviewing",
            )
        )
    dropped = tuple(
        Problem(
            file,
            f"line {source}" if source else "(file)",
            "section",
            f"'{heading[:60]}' asks no question; the text under it was left out",
        )
        for heading, source in faq.skipped
    )
    return ParsedFile(file, threads=tuple(threads), rejected=tuple(rejected), warnings=tuple(warnings), dropped=dropped)


def _document(raw: str | bytes) -> lxml.html.HtmlElement | None:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass  # not UTF-8: lxml reads the bytes by the page's own <meta charset>
    try:
        try:
            return lxml.html.document_fromstring(raw)
        except ValueError:
            # A str that declares its own encoding (<?xml ... encoding=...?>) must be given to lxml as bytes.
            return lxml.html.document_fromstring(raw.encode("utf-8") if isinstance(raw, str) else raw)
    except (lxml.etree.ParserError, ValueError):
        return None


def parse(raw: str | bytes, file: str) -> ParsedFile:
    """Read one saved HTML page into threads: a Q&A page's question and answers, or a FAQ page's questions."""
    # An answer-count line makes a Q&A page. Otherwise question/answer structures (question headings, <details>,
    # <dt>) make a FAQ page, since a FAQ's text can hold a line that reads as a byline; failing those, bylines do.
    root = _document(raw)
    if root is None:
        return ParsedFile(file, rejected=(Problem(file, "(file)", "page", "no HTML content"),))
    body = root.find("body")
    body = body if body is not None else root
    left_out: list[tuple[str, int | None]] = []
    lines = render(body, left_out=left_out)
    furniture = _furniture(file, left_out)
    text = "\n".join(line.text for line in lines)
    qa = _relocate(qa_page.parse(text, file), lines)
    faq = _faq(body, file)
    if qa.threads and (qa_page.has_answer_header(text) or not faq.pairs):
        return dataclasses.replace(qa, dropped=furniture + qa.dropped)
    if faq.pairs or faq.rejected:
        parsed = _faq_threads(faq, file)
        return dataclasses.replace(parsed, dropped=furniture + parsed.dropped)
    if qa_page.has_answer_header(text):
        return dataclasses.replace(qa, dropped=furniture + qa.dropped)
    return ParsedFile(file, rejected=(Problem(file, "(file)", "page", _NO_PAGE),), dropped=furniture)
