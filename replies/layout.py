"""Fitting a reply into a channel's message size: blocks to lines, long text split at lines, sentences,
then words (markup is never cut in half), and parts numbered when a reply needs several messages."""

from __future__ import annotations

import re
from typing import Callable

from replies.blocks import Hint, Line, Reply

LineRenderer = Callable[[Line], str]

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def paragraphs(reply: Reply, text_only: bool = False) -> list[tuple[Line, ...]]:
    """The reply's blocks as lines, a paragraph each; `text_only` channels (no buttons) get each hint's
    wording for typed answers."""
    out: list[tuple[Line, ...]] = []
    for block in reply.blocks:
        if text_only and isinstance(block, Hint):
            out.append((Line("hint", block.text_only),))
        else:
            out.append(block.lines())
    return out


def _split_words(text: str, limit: int) -> list[str]:
    """Split at spaces so no piece exceeds `limit`; only a single word longer than that is cut."""
    pieces: list[str] = []
    current = ""
    for word in text.split(" "):
        while len(word) > limit:  # a word (e.g. a URL) longer than a whole message: no better place to cut
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


def split_text(text: str, limit: int) -> list[str]:
    """Split plain text into pieces of at most `limit` characters: at lines, then sentences, then words."""
    if len(text) <= limit:
        return [text]
    units: list[tuple[str, str]] = []  # (piece, the separator that joins it to the previous one)
    for line in text.split("\n"):
        if len(line) <= limit:
            units.append((line, "\n"))
            continue
        first = True
        for sentence in _SENTENCE.split(line):
            for piece in _split_words(sentence, limit) if len(sentence) > limit else [sentence]:
                units.append((piece, "\n" if first else " "))
                first = False
    pieces: list[str] = []
    current = ""
    for piece, sep in units:
        candidate = f"{current}{sep}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = piece
    if current:
        pieces.append(current)
    return pieces


def pack(chunks: list[str], limit: int, separator: str = "\n\n") -> list[str]:
    """Pack rendered paragraphs into as few messages as fit within `limit`, in order."""
    messages: list[str] = []
    current = ""
    for chunk in chunks:
        candidate = f"{current}{separator}{chunk}" if current else chunk
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                messages.append(current)
            current = chunk
    if current:
        messages.append(current)
    return messages


def render(paras: list[tuple[Line, ...]], line_renderer: LineRenderer, limit: int) -> list[str]:
    """Render every paragraph and pack them into messages of at most `limit` characters; a paragraph too
    long for one message is split as plain text first, so markup is never cut in half."""
    chunks: list[str] = []
    for lines in paras:
        rendered = "\n".join(line_renderer(line) for line in lines)
        if len(rendered) <= limit:
            chunks.append(rendered)
            continue
        pieces: list[str] = []
        for line in lines:
            rendered = line_renderer(line)
            pieces.extend([rendered] if len(rendered) <= limit else _split_line(line, line_renderer, limit))
        # The lines of a paragraph stay single-spaced in as few chunks as fit.
        chunks.extend(pack(pieces, limit, "\n"))
    return pack(chunks, limit)


def _split_line(line: Line, line_renderer: LineRenderer, limit: int) -> list[str]:
    """Split one over-long line as plain text, render each piece, and shrink the pieces until every
    rendered piece fits (markup and escaping make rendered text longer than the plain text)."""
    budget = limit - (len(line_renderer(Line(line.kind, "", line.n, line.url))) + 1)
    while True:
        rendered = [
            line_renderer(Line(line.kind, piece, line.n, line.url)) for piece in split_text(line.text, max(budget, 1))
        ]
        if all(len(r) <= limit for r in rendered) or budget <= 1:
            return rendered
        budget = budget * 3 // 4


def numbered(paras: list[tuple[Line, ...]], line_renderer: LineRenderer, limit: int) -> list[str]:
    """Messages prefixed "(1/3) " when a reply needs several (SMS can arrive out of order), each within
    `limit` with its prefix."""
    parts = render(paras, line_renderer, limit)
    if len(parts) <= 1:
        return parts
    # Reserve room for a "(12/12) " part number, so numbered parts still fit.
    parts = render(paras, line_renderer, limit - 8)
    return [f"({i}/{len(parts)}) {p}" for i, p in enumerate(parts, start=1)]


def short(title: str, limit: int) -> str:
    """`title` cut to `limit` characters with an ellipsis."""
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
