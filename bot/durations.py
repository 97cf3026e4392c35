"""Find the time frames clinicians give ("4 hours", "24-48 hours", "straight away") in answer text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14, "twenty-four": 24, "forty-eight": 48,
}  # fmt: skip
_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24, "night": 24, "week": 168, "month": 730}
_UNIT_FORMS = {
    "minute": r"min(?:ute)?s?", "hour": r"h(?:ou)?rs?|hours?|h", "day": r"days?", "night": r"nights?",
    "week": r"weeks?|wks?", "month": r"months?",
}  # fmt: skip
_NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_UNIT = "|".join(f"(?P<{u}>{form})" for u, form in _UNIT_FORMS.items())
_SPAN = re.compile(
    rf"\b{_NUMBER}(?:\s*(?:-|–|to|or)\s*{_NUMBER})?[\s-]*(?:{_UNIT})\b",
    re.IGNORECASE,
)
_PHRASES = {
    "straight away": (0, 0, "straight away"), "right away": (0, 0, "straight away"),
    "immediately": (0, 0, "straight away"), "the same day": (0, 24, "the same day"),
    "rest of the day": (12, 12, "the rest of the day"), "the next day": (24, 24, "the next day"),
    "overnight": (24, 24, "the next day"),
}  # fmt: skip
_PHRASE = re.compile(r"\b(" + "|".join(_PHRASES) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Duration:
    """A time frame: `low`..`high` in hours, with the words a reader sees."""

    low: float
    high: float
    label: str


def _number(word: str) -> float:
    return float(word) if word[0].isdigit() else float(_WORDS[word.lower()])


def _plural(unit: str, amount: float) -> str:
    return unit if amount == 1 else unit + "s"


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def find_durations(text: str) -> list[Duration]:
    """All time frames in `text`, in reading order."""
    found: list[tuple[int, Duration]] = []
    for m in _SPAN.finditer(text):
        unit = next(u for u in _UNIT_FORMS if m.group(u))
        low = _number(m.group(1))
        high = _number(m.group(2)) if m.group(2) else low
        span = _fmt(low) if low == high else f"{_fmt(low)}–{_fmt(high)}"
        label = f"{span} {_plural(unit, high)}"
        found.append((m.start(), Duration(low * _HOURS[unit], high * _HOURS[unit], label)))
    for m in _PHRASE.finditer(text):
        low, high, label = _PHRASES[m.group(1).lower()]
        found.append((m.start(), Duration(float(low), float(high), label)))
    return [d for _, d in sorted(found, key=lambda pair: pair[0])]
