"""Time since treatment, read from a patient's message ("2 hours ago", "yesterday", "last Tuesday",
"3 days after my filler", "day 4 post op"). Pure: the caller passes `now`, so results are reproducible.

Only statements about the past count. "Can I fly 3 days after my filler?" asks about a plan, not about
when the treatment was, so a span after "after"/"post" is read only outside a question about what is allowed.
"""

from __future__ import annotations

import datetime as dt
import re

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple": 2, "a couple": 2, "a couple of": 2,
    "couple of": 2, "few": 3, "a few": 3, "several": 4, "half an": 0.5, "half a": 0.5,
}  # fmt: skip
_UNITS = {
    "min": dt.timedelta(minutes=1), "minute": dt.timedelta(minutes=1), "mins": dt.timedelta(minutes=1),
    "hour": dt.timedelta(hours=1), "hr": dt.timedelta(hours=1), "h": dt.timedelta(hours=1),
    "day": dt.timedelta(days=1), "night": dt.timedelta(days=1), "week": dt.timedelta(weeks=1),
    "wk": dt.timedelta(weeks=1), "month": dt.timedelta(days=30), "year": dt.timedelta(days=365),
    "yr": dt.timedelta(days=365),
}  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Hours of the day that parts of a day stand for.
_PART_HOURS = {"morning": 9, "lunch": 12.5, "lunchtime": 12.5, "afternoon": 14, "evening": 19, "night": 21}

_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True)) + r")"
_UNIT = r"(min(?:ute)?s?|h(?:ou)?rs?|hours?|h|days?|nights?|weeks?|wks?|months?|years?|yrs?)"
_SPAN = rf"{_NUM}\s*-?\s*{_UNIT}"

# "2 hours ago", "a week ago"
_AGO = re.compile(rf"\b{_SPAN}\s+ago\b")
# "3 days since my botox", "2 weeks post op", "4 days after my filler", "5 days out from surgery", "10 days in"
_AFTER = re.compile(rf"\b{_SPAN}\s+(?:since|post|after|out from|out of|on from|postop|post-op|in\b)")
# "day 3 post op", "day 4 after my lipo", "i'm on day 2", "week 2 of recovery"
_DAY_N = re.compile(
    r"\b(?:on |it'?s |its )?(day|week) (\d{1,3})\b(?= (?:post|after|since|of)\b)|\b(?:on|it'?s|its) (day|week) (\d{1,3})\b"
)
_YESTERDAY = re.compile(
    r"\b(?:the )?day before yesterday\b|\byesterday(?: (morning|lunchtime|lunch|afternoon|evening))?\b"
)
_LAST_NIGHT = re.compile(r"\blast night\b")
_TODAY = re.compile(r"\b(?:this (morning|afternoon|evening)|earlier today|at (lunch|lunchtime)|today)\b")
_WEEKDAY = re.compile(r"\b(?:(last|on|this past|past) )?(" + "|".join(_WEEKDAYS) + r")\b")
_LAST = re.compile(r"\blast (week|month|year)\b")
_JUST = re.compile(r"\b(?:just (?:had|got|been|finished|came out|come out|left)|just now|an hour or so ago)\b")

# A clause asking what is allowed: a span after "after" there is a plan, not the past.
_PLAN = re.compile(
    r"\b(?:can|could|should|may|must|will i|would|is it|is that ok|how long|how soon|how many|when|safe|"
    r"ok to|okay to|allowed|wait|until|till|before)\b"
)
_CLAUSE_BREAK = re.compile(r"[.;!?,]|\b(?:and|but|so)\b")


def _amount(word: str) -> float:
    word = word.strip()
    return float(word) if word[0].isdigit() else float(_NUMBER_WORDS[word])


def _unit(word: str) -> dt.timedelta:
    word = word.lower()
    for key in sorted(_UNITS, key=len, reverse=True):
        if word.startswith(key):
            return _UNITS[key]
    return _UNITS["hour"]  # "h" alone


def _clause_before(text: str, start: int) -> str:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)]
    return text[(breaks[-1] if breaks else 0) : start]


def _at(day: dt.date, hour: float, tz: dt.tzinfo | None) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(int(hour), int(round((hour % 1) * 60))), tzinfo=tz)


def _since(now: dt.datetime, then: dt.datetime) -> dt.timedelta:
    return max(now - then, dt.timedelta(0))


def _candidates(text: str, now: dt.datetime) -> list[tuple[int, dt.timedelta]]:
    found: list[tuple[int, dt.timedelta]] = []
    today, tz = now.date(), now.tzinfo
    for m in _AGO.finditer(text):
        found.append((m.start(), _amount(m.group(1)) * _unit(m.group(2))))
    for m in _AFTER.finditer(text):
        if not _PLAN.search(_clause_before(text, m.start())):
            found.append((m.start(), _amount(m.group(1)) * _unit(m.group(2))))
    for m in _DAY_N.finditer(text):
        kind, n = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if not _PLAN.search(_clause_before(text, m.start())):
            unit = dt.timedelta(days=1) if kind == "day" else dt.timedelta(weeks=1)
            found.append((m.start(), int(n) * unit))
    for m in _YESTERDAY.finditer(text):
        if m.group(0).endswith("day before yesterday"):
            found.append((m.start(), dt.timedelta(days=2)))
        elif m.group(1):
            found.append((m.start(), _since(now, _at(today - dt.timedelta(days=1), _PART_HOURS[m.group(1)], tz))))
        else:
            found.append((m.start(), dt.timedelta(days=1)))
    for m in _LAST_NIGHT.finditer(text):
        found.append((m.start(), _since(now, _at(today - dt.timedelta(days=1), _PART_HOURS["night"], tz))))
    for m in _TODAY.finditer(text):
        part = m.group(1) or m.group(2)
        if part:
            found.append((m.start(), _since(now, _at(today, _PART_HOURS[part], tz))))
        elif not _PLAN.search(_clause_before(text, m.start())):
            # "had it today": some hours ago, the hour unknown; count from the start of the working day.
            found.append((m.start(), _since(now, _at(today, 9, tz))))
    for m in _WEEKDAY.finditer(text):
        back = (now.weekday() - _WEEKDAYS.index(m.group(2))) % 7
        if back == 0 and m.group(1) != "last":
            continue  # "on tuesday" said on a Tuesday is more likely a plan than a week ago
        found.append((m.start(), dt.timedelta(days=back or 7)))
    for m in _LAST.finditer(text):
        found.append((m.start(), _UNITS[m.group(1)]))
    for m in _JUST.finditer(text):
        found.append((m.start(), dt.timedelta(0)))
    return found


def elapsed(text: str, now: dt.datetime) -> dt.timedelta | None:
    """Time since the treatment according to `text` (its first statement of it), or None if it says nothing."""
    lowered = " ".join((text or "").lower().replace("’", "'").split())
    if not lowered:
        return None
    found = _candidates(lowered, now)
    return min(found, key=lambda pair: pair[0])[1] if found else None


def describe(span: dt.timedelta) -> str:
    """A short human reading of a time span, for logs and notes ("3 days", "5 hours")."""
    hours = span.total_seconds() / 3600
    if hours < 1:
        return f"{round(hours * 60)} minutes"
    if hours < 48:
        return f"{round(hours)} hours"
    if hours < 24 * 14:
        return f"{round(hours / 24)} days"
    if hours < 24 * 60:
        return f"{round(hours / 24 / 7)} weeks"
    return f"{round(hours / 24 / 30)} months"
