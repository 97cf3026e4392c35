"""The triage engine: applies the rules (bot/triage/rules.py) to a message as bot/triage/negation.py reads
it, adds the fever and lingering-symptom checks and an optional second opinion, and returns the most
urgent alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeGuard

from bot.triage.negation import Negations, normalise
from bot.triage.rules import EXPECTED_FOR, FEVER, LINGERING, RULES, Rule, Urgency

_RANK = {"emergency": 3, "clinic_now": 2, "clinic_soon": 1}


@dataclass(frozen=True)
class Alert:
    """A red flag found in a message."""

    urgency: Urgency
    pattern: str
    reason: str


def _applies(rule: Rule, treatment: str | None, elapsed: dt.timedelta | None = None) -> bool:
    if treatment in rule.unless:
        return rule.expected_for is not None and elapsed is not None and elapsed > rule.expected_for
    return not rule.only or treatment is None or treatment in rule.only


def _fever_alert(text: str) -> Alert | None:
    for m in FEVER.finditer(text):
        value = float(m.group(1).replace(",", "."))
        if 38.0 <= value <= 43.0 or 100.4 <= value <= 108.0:
            return Alert("clinic_now", "fever", "a temperature of 38 °C (100.4 °F) or more can mean an infection")
    return None


def _lingering_alert(negations: Negations, treatment: str | None, elapsed: dt.timedelta | None) -> Alert | None:
    window = EXPECTED_FOR.get(treatment or "")
    if window is None or elapsed is None or elapsed <= window:
        return None
    if any(not negations.negated(m.start()) for m in LINGERING.finditer(negations.text)):
        return Alert(
            "clinic_soon",
            "lingering",
            "swelling, bruising or redness that lasts longer than usual after this treatment should be checked",
        )
    return None


# A second opinion on a message (the semantic layer): (message, treatment) -> alert or None.
SecondOpinion = Callable[[str, "str | None"], "Alert | None"]


def most_urgent(*alerts: Alert | None) -> Alert | None:
    """The most urgent of some alerts (the first of equals), or None if there are none."""
    found = [a for a in alerts if a is not None]
    return max(found, key=lambda a: _RANK[a.urgency], default=None)


def assess(
    message: str,
    treatment: str | None = None,
    elapsed: dt.timedelta | None = None,
    semantic: SecondOpinion | None = None,
) -> Alert | None:
    """The most urgent red flag in a message, or None.

    `treatment` is the canonical treatment and `elapsed` the time since it, if known; `semantic` is the
    optional similarity layer (bot/semantic_triage.py), which can only add flags to those of the rules.
    """
    text = normalise(message)
    if not text:
        return None
    negations = Negations(text)
    found: list[Alert | None] = []
    for rule in RULES:
        if not _applies(rule, treatment, elapsed):
            continue
        if any(not negations.negated(m.start()) for m in rule.regex.finditer(text)):
            found.append(Alert(rule.urgency, rule.pattern, rule.reason))
    found += [_fever_alert(text), _lingering_alert(negations, treatment, elapsed)]
    if semantic is not None:
        found.append(semantic(message, treatment))
    return most_urgent(*found)


def reason_for(pattern: str) -> str:
    """The reason a rule gives for its red flag, by pattern name (a generic reason for an unknown name)."""
    # Kept for callers that have a name only; the semantic layer links through rules.CONCEPTS instead.
    for rule in RULES:
        if rule.pattern == pattern:
            return rule.reason
    return "this can be a sign of a complication that needs checking"


def is_urgent(alert: Alert | None) -> TypeGuard[Alert]:
    """Whether an alert replaces the answer (emergency or clinic now) rather than adding to it."""
    return alert is not None and alert.urgency in ("emergency", "clinic_now")
