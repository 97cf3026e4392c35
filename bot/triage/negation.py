"""How triage reads a message: the text normalised, cut into clauses, and negation within a clause.

A symptom named after a negation or a hypothetical in the same clause does not count ("no trouble
breathing, just a bruise", "what if i get a fever"), but a clause of its own does ("no, i can't breathe").
"""

from __future__ import annotations

import bisect
import re

from bot.config import MAX_TEXT_CHARS
from bot.triage.rules import NEG

# Words that negate a symptom named after them in the same clause ("no trouble breathing"), and words
# that make it hypothetical ("how do i avoid an infection", "will i choke if i drink straight after").
_NEGATION = re.compile(
    rf"\b(?:{NEG}|denies|denied|zero|(?:hardly|barely) any|avoid\w*|prevent\w*|risk|"
    r"(?:will|would|might) (?:i|it|you)|in case|(?:what|do|happens) if)\b",
    re.IGNORECASE,
)
# Negation words that do not negate what follows: "not sure", "no idea", "didn't realise", an interjection
# "no i can't breathe", "never felt so short of breath".
_PSEUDO_NEGATION = re.compile(
    r"\b(?:not (?:sure|only|just|certain|even)|no (?:idea|clue|matter|doubt|longer)|"
    r"(?:don'?t|doesn'?t|didn'?t) (?:know|realise|realize|understand)|"
    r"never (?:been|felt|had|seen|experienced) (?:so|this|such|anything)|"
    r"no(?= (?:i|i'm|im|my|it|its|it's|this|she|he|we|now|please|help)\b))",
    re.IGNORECASE,
)
# Clause breaks: punctuation, contrast words, "just" ("no pain just a bruise") and "and" before a new subject.
_CLAUSE = re.compile(
    r"[.;:!?,()]|\s[-–—]\s|\b(?:but|however|although|though|except|just|only|now|then|yet|whereas|while)\b|"
    r"\band(?= (?:i|i'm|im|my|it|its|it's|the|now|she|he|this|there)\b)",
    re.IGNORECASE,
)

# Up to 4 words before a symptom are searched for a negation; no negation word is longer than this many
# characters a word, so a window this long always holds them and keeps the work per match fixed.
_WINDOW_CHARS = 4 * 24
_CUT_WORD = re.compile(r"^[\w']+")


class Negations:
    """Negation lookups over one normalised text, with its clause breaks found once (linear in the text)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._breaks = [0] + [m.end() for m in _CLAUSE.finditer(text)]

    def negated(self, start: int) -> bool:
        """Whether a negation in the same clause, up to 4 words before `start`, negates what starts there."""
        clause_start = self._breaks[bisect.bisect_right(self._breaks, start) - 1]
        lead = self.text[max(clause_start, start - _WINDOW_CHARS) : start]
        if clause_start < start - _WINDOW_CHARS:
            lead = _CUT_WORD.sub("", lead)  # the window may have cut a word in two: drop the piece
        window = " ".join(lead.split()[-4:])
        # "can't"/"cannot" inside the symptom itself is not negation; look at up to 4 words before it.
        pseudo = {m.start() for m in _PSEUDO_NEGATION.finditer(window)}
        return any(m.start() not in pseudo for m in _NEGATION.finditer(window))


def normalise(message: str) -> str:
    """A message as the rules read it: bounded, lowercased, quotes straightened, whitespace collapsed."""
    # Bounded first: no message costs more than MAX_TEXT_CHARS of matching, whatever reached this function.
    text = (message or "")[:MAX_TEXT_CHARS].lower()
    for quote in ("’", "‘", "`", "´"):
        text = text.replace(quote, "'")
    return " ".join(text.split())


def negated_clause(text: str) -> bool:
    """Whether a clause holds a negation or a hypothetical ("no trouble breathing", "what if i get a fever")."""
    lowered = normalise(text)
    pseudo = {m.start() for m in _PSEUDO_NEGATION.finditer(lowered)}
    return any(m.start() not in pseudo for m in _NEGATION.finditer(lowered))


def clauses(message: str) -> list[str]:
    """A message cut at clause breaks (punctuation, "but", "just"...), as triage reads negation."""
    text = normalise(message)
    cuts = [0] + [m.start() for m in _CLAUSE.finditer(text)] + [len(text)]
    parts = [text[a:b].strip(" .;:!?,()-–—") for a, b in zip(cuts, cuts[1:])]
    return [p for p in parts if p]
