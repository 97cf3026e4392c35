"""What a copied Q&A page holds besides the question and answers: template text, vote counts, "Ask a doctor"
and "You might also like..." blocks, hashtag lines, the asker's name, photo tags and "... more" cuts.

Every function here says what it took out, so the importer can report it; none invents text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.importers.records import question_key

_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
# "+3" or "-1" (a vote count) and a bare "12" beside the vote buttons.
_VOTES = re.compile(r"^[+\-−]?\d{1,4}(?:\s+votes?)?$", re.IGNORECASE)
_CLUTTER = re.compile(
    r"^(?:have a question\??(?:\s*ask a doctor)?|ask a doctor|ask a question|ask your question|post a question|"
    r"post your question\b.*|get answers from\b.*|helpful\??|was this (?:answer )?helpful\??.*|"
    r"\d+ (?:people|patients|users) found this (?:answer )?helpful.*|share|report|report answer|follow|"
    r"(?:view|see) (?:full )?profile|(?:book|request) (?:a )?consultation|(?:read|show|see) more|"
    r"(?:read|show|see) (?:all )?\d+ (?:more )?answers?|back to top|advertisement|sponsored)[.!…]*$",
    re.IGNORECASE,
)
# Headings of blocks of links to other questions; the links follow them line by line.
_LINK_BLOCK = re.compile(
    r"^(?:you might also like|you may also like|more like this|popular questions|trending questions|"
    r"people also ask|recommended for you|more questions about)\b.*$",
    re.IGNORECASE,
)
_ASKER = re.compile(r"^asked by\s+(?:\S+\s+){0,3}?(?:\S+)(?:\s+in\s+[A-Z].*)?$", re.IGNORECASE)
_HASHTAG_LINE = re.compile(r"^(?:#[^\W\d_][\w-]*[\s,]*)+$")
_HASHTAG = re.compile(r"(?<![\w&#])#([^\W\d_][\w-]*)")
_PHOTO = re.compile(r"\s*\((?:see\s+)?(?:before and after\s+)?photos?\)", re.IGNORECASE)
_MORE = re.compile(r"\s*(?:\.{3}|…)\s*(?:read\s+|see\s+|show\s+)?more\s*$", re.IGNORECASE)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "\u00a0": " "})
# A full stop after these does not end a sentence ("Ask Dr. Ito ...").
_ABBREVIATIONS = ("dr", "mr", "mrs", "ms", "st", "vs", "e.g", "i.e", "approx", "no")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|$)")

WHY = {
    "template text": "the site's unfilled template text, not the answer's",
    "vote count": "a vote count beside the answer",
    "page clutter": "the site's buttons and prompts",
    "related links": "links to other questions",
    "hashtags": "a line of hashtags",
    "asker": "the patient who asked: not kept",
    "photo tag": "the title says '(Photo)' but the copied page holds no photo",
    "byline copy": "the answer's byline repeated at the end of its text",
}


@dataclass(frozen=True)
class Dropped:
    """A piece of page text that was left out: what kind it is, its line (0-based) and the text."""

    kind: str
    line: int
    text: str


def normalise(text: str) -> list[str]:
    """The page's lines with spacing collapsed, curly quotes straightened and '#' taken off hashtags in text."""
    lines = [" ".join(line.translate(_QUOTES).split()) for line in text.splitlines()]
    return [line if _HASHTAG_LINE.match(line) else _HASHTAG.sub(r"\1", line) for line in lines]


def _is_link_line(line: str) -> bool:
    return len(line) <= 120 and len(line.split()) <= 16 and not line.endswith((".", ",", ";", ":"))


def _link_block_end(lines: list[str], i: int, question: str | None) -> int:
    """The last line of the block of links whose heading is line `i`."""
    end = i
    while end + 1 < len(lines) and lines[end + 1] and _is_link_line(lines[end + 1]):
        end += 1
    if end > i:
        return end
    # The links stand apart from their heading: take the next paragraph only if it is a list of links, or
    # repeats this page's own question (as these blocks do), so the next answer's title is never taken.
    start = i + 1
    while start < len(lines) and not lines[start]:
        start += 1
    stop = start
    while stop < len(lines) and lines[stop]:
        stop += 1
    block = lines[start:stop]
    repeats = question is not None and any(question_key(line) == question_key(question) for line in block)
    if block and all(_is_link_line(line) for line in block) and (len(block) >= 2 or repeats):
        return stop - 1
    return i


def strip(lines: list[str], question: str | None = None) -> tuple[list[str], list[Dropped]]:
    """The lines with site residue blanked out (line numbers stay as they were), and what was dropped."""
    kept = list(lines)
    dropped: list[Dropped] = []
    i = 0
    while i < len(kept):
        line = kept[i]
        if not line:
            i += 1
            continue
        if _LINK_BLOCK.match(line):
            end = _link_block_end(kept, i, question)
            for k in range(i, end + 1):
                if kept[k]:
                    dropped.append(Dropped("related links", k, kept[k]))
                    kept[k] = ""
            i = end + 1
            continue
        kind = (
            "vote count"
            if _VOTES.match(line)
            else "page clutter"
            if _CLUTTER.match(line)
            else "hashtags"
            if _HASHTAG_LINE.match(line)
            else "asker"
            if _ASKER.match(line)
            else None
        )
        if kind is None and _TEMPLATE.search(line):
            rest = " ".join(_TEMPLATE.sub(" ", line).split())
            dropped.append(Dropped("template text", i, " ".join(_TEMPLATE.findall(line))))
            # Template text beside a vote count ("{{ voteCount }} +3") leaves the count behind: that goes too.
            kept[i] = "" if not rest or _VOTES.match(rest) else rest
        elif kind is not None:
            dropped.append(Dropped(kind, i, line))
            kept[i] = ""
        i += 1
    return kept, dropped


def photo_tag(title: str) -> tuple[str, bool]:
    """The title without "(Photo)"/"(photos)", and whether it had one."""
    cleaned = " ".join(_PHOTO.sub("", title).split())
    return cleaned, cleaned != title


def _last_sentence_end(text: str) -> int | None:
    """The index just past the last complete sentence of `text`, if it has one."""
    best = None
    for match in _SENTENCE_END.finditer(text):
        word = text[: match.start()].rsplit(None, 1)[-1].lower() if text[: match.start()].strip() else ""
        if match.group().startswith(".") and word.strip("(\"'") in _ABBREVIATIONS:
            continue
        best = match.end()
    return best


def cut_more(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Paragraphs cut with "... more" ended at their last whole sentence, and the fragment left out (None: not cut)."""
    if not paragraphs:
        return paragraphs, None
    last = paragraphs[-1]
    if not _MORE.search(last):
        return paragraphs, None
    text = _MORE.sub("", last).rstrip()
    end = _last_sentence_end(text)
    if end is None:
        # No sentence of the paragraph ended before the cut: the whole paragraph is unfinished.
        return paragraphs[:-1], text
    kept, fragment = text[:end].rstrip(), text[end:].strip()
    return paragraphs[:-1] + [kept], fragment
