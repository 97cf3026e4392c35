"""Triage on long and adversarial text (bot/triage/): bounded, linear work, the same answers.

Timings are `make bench-input`'s job; these tests check behaviour. Each input here either hung the old
code (a run of apostrophes after a span of years backtracked exponentially; every match rescanned the
text from its start for clause breaks) or checks that a faster path reads the text the same way.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import triage
from bot.config import MAX_TEXT_CHARS, Settings
from bot.triage import negation
from guards import finishes

# Words that steer triage: negations, clause breaks, symptoms, sites, punctuation and apostrophes.
TOKENS = (
    "no",
    "not",
    "never",
    "without",
    "isn't",
    "don't",
    "but",
    "and",
    "i",
    "just",
    "now",
    "though",
    "not sure",
    "no idea",
    "can't",
    "breathe",
    "breathing",
    "swallow",
    "throat",
    "tight",
    "swelling",
    "swollen",
    "pus",
    "fever",
    "temp",
    "39",
    "lump",
    "3 years",
    "eye",
    "blurry",
    "vision",
    "hives",
    "pain",
    "hurts",
    "painkillers",
    "working",
    ",",
    ".",
    "!",
    "?",
    "-",
    " - ",
    "(",
    ")",
    "'",
    "''",
    "my",
    "the",
    "lips",
    "after",
    "filler",
)
PHRASES = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=60).map(" ".join)
TREATMENTS = st.sampled_from([None, "filler", "neuromodulator", "breast_augmentation", "laser", "kybella"])


def reference_negated(text: str, start: int) -> bool:
    """The negation rule as the README states it, computed the slow, obvious way for comparison."""
    clause_start = max((m.end() for m in negation._CLAUSE.finditer(text) if m.end() <= start), default=0)
    window = " ".join(text[clause_start:start].split()[-4:])
    pseudo = {m.start() for m in negation._PSEUDO_NEGATION.finditer(window)}
    return any(m.start() not in pseudo for m in negation._NEGATION.finditer(window))


@given(PHRASES)
@settings(max_examples=300, deadline=None)
def test_negation_lookup_agrees_with_the_rule_as_written(phrase):
    text = negation.normalise(phrase)
    negations = triage.Negations(text)
    for start in [i for i in range(len(text)) if i == 0 or not text[i - 1].isalnum()]:
        assert negations.negated(start) == reference_negated(text, start), (text, start)


@given(PHRASES, TREATMENTS)
@settings(max_examples=200, deadline=None)
def test_assess_is_unchanged_by_whitespace_and_case(phrase, treatment):
    loud = "  ".join(phrase.upper().split(" "))
    assert triage.assess(loud, treatment) == triage.assess(phrase, treatment)


@given(PHRASES, st.integers(min_value=200, max_value=2000))
@settings(max_examples=25, deadline=None)
def test_repeated_text_is_read_to_the_end(phrase, repeats):
    # A red flag at the end of a long message is found, however the text before it was built.
    text = (phrase + " ") * repeats
    text = text[: MAX_TEXT_CHARS - 100] + ". i can't breathe"
    alert = finishes(triage.assess, text)
    assert alert is not None and alert.urgency == "emergency"


def test_every_accepted_message_is_read_whole():
    # The channels refuse messages over max_message_chars, which may not exceed the library ceiling, so
    # triage never ignores a part of a message a patient could send.
    assert Settings().limits.max_message_chars <= MAX_TEXT_CHARS
    try:
        Settings.from_env({}, max_message_chars=MAX_TEXT_CHARS + 1)
    except ValueError as exc:
        assert "AFTERCARE_MAX_MESSAGE_CHARS" in str(exc)
    else:
        raise AssertionError("a cap above the library ceiling was accepted")


def test_text_past_the_ceiling_is_not_read():
    tail = " i can't breathe"
    assert triage.assess("fine " * (MAX_TEXT_CHARS // 5) + tail) is None
    assert triage.assess("fine " * (MAX_TEXT_CHARS // 5 - 10) + tail).urgency == "emergency"


def test_apostrophes_after_years_no_longer_backtrack():
    # 22 apostrophes took 2 s, each 4 more sixteen times as long; 40 would have taken hours.
    for count in (22, 40, 4000):
        text = "i had my implants put in 3 years ago " + "'" * count
        assert finishes(triage.assess, text, "breast_augmentation") is None
    text = "3 years' time and now a swelling"
    assert triage.assess(text, "breast_augmentation").pattern == "late_implant_change"


def test_clause_breaks_are_found_once_per_message(monkeypatch):
    # The old lookup rescanned the text from its start for every symptom match: quadratic in its length.
    scanned: list[int] = []
    clause = negation._CLAUSE

    class Counting:
        def finditer(self, text, *args):
            scanned.append(len(text) if not args else args[-1] - (args[0] if len(args) > 1 else 0))
            return clause.finditer(text, *args)

    monkeypatch.setattr(negation, "_CLAUSE", Counting())
    text = "no-pus-" * 2000  # 14,000 characters, 2,000 symptom matches, each negated
    assert finishes(triage.assess, text, "filler", dt.timedelta(days=30)) is None
    assert sum(scanned) <= len(negation.normalise(text))
