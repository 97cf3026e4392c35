"""The semantic layer of red-flag triage: similarity of a message's clauses to red-flag exemplars
(data/triage/exemplars.yml), embedded with the same model as the threads. It catches lay language and
typos the rules in bot/triage/ miss; it can only add flags, never remove one.

A clause counts when its best red-flag exemplar is at least `threshold` similar, and more similar than
every benign exemplar and every stored question (ordinary aftercare questions are the best contrast), by
`margin`. Clauses holding a negation or a hypothetical are skipped: embeddings read "no trouble breathing"
as close to "trouble breathing".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot import triage
from bot.embedding import MAX_ENCODED_CHARS, Embedder
from bot.errors import LoadError
from bot.triage.rules import CONCEPTS

LEVELS = ("emergency", "clinic_now", "clinic_soon")


# Words the red-flag rules hinge on. A misspelling of one ("throte", "brething", "swalow") is corrected before
# the rules and the similarity read the message again; only words the model's vocabulary does not know are
# touched, so a real word ("smelling", "tone") is never turned into a symptom.
SYMPTOM_WORDS = (
    "tongue",
    "throat",
    "breathe",
    "breathing",
    "breath",
    "swallow",
    "swallowing",
    "choking",
    "vision",
    "blurry",
    "blurred",
    "double",
    "seeing",
    "slurred",
    "speech",
    "swelling",
    "swollen",
    "faint",
    "fainted",
    "fainting",
    "collapse",
    "collapsed",
    "blood",
    "bleeding",
    "chest",
    "calf",
    "fever",
    "temperature",
    "blisters",
    "blister",
    "numb",
    "white",
    "purple",
    "mottled",
    "blotchy",
    "infected",
    "infection",
    "properly",
    "headache",
    "dizzy",
    "hives",
    "wheezing",
    "shivering",
    "shaking",
    "confused",
    "weakness",
    "weak",
    "drooping",
    "droopy",
    "eyelid",
    "painkillers",
    "unbearable",
    "agony",
    "dying",
    "really",
    "can't",
    "cannot",
    "closing",
    "tight",
    "bulging",
    "pus",
    "oozing",
    "smells",
    "throwing",
    "vomiting",
    "allergic",
    "reaction",
    "swallowed",
    "breathless",
)
_TOKEN = re.compile(r"[a-z']+")


class ExemplarError(LoadError):
    """The exemplar file is missing, not valid YAML, or an item lacks a field."""


@dataclass(frozen=True)
class Exemplar:
    """A red-flag message for one concept of the red-flag table."""

    text: str
    level: triage.Urgency  # one of LEVELS, checked when the file is loaded
    concept: str
    unless: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Match:
    """The closest red-flag exemplar to one clause, with how it compares to the benign contrast."""

    clause: str
    exemplar: Exemplar
    similarity: float
    benign: float


def load_exemplars(path: Path) -> tuple[list[Exemplar], list[str]]:
    """Red-flag exemplars and benign texts from a YAML file; raises ExemplarError naming the problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ExemplarError(f"{path}: cannot read red-flag exemplars ({exc})") from None
    exemplars = []
    for n, item in enumerate(data.get("red_flags") or [], 1):
        if (
            not isinstance(item, dict)
            or not item.get("text")
            or item.get("level") not in LEVELS
            or not item.get("concept")
        ):
            raise ExemplarError(f"{path}: red_flags item {n}: needs text, concept and level ({', '.join(LEVELS)})")
        # Loud at load: an unknown concept's alerts would have no reason to give the patient.
        if not isinstance(item["concept"], str) or item["concept"] not in CONCEPTS:
            raise ExemplarError(
                f"{path}: red_flags item {n}: unknown concept {item['concept']!r} "
                "(a rule name or another key of bot.triage.rules.CONCEPTS)"
            )
        exemplars.append(Exemplar(item["text"], item["level"], item["concept"], frozenset(item.get("unless") or ())))
    benign = [str(t) for t in data.get("benign") or []]
    if not exemplars:
        raise ExemplarError(f"{path}: no red_flags exemplars")
    return exemplars, benign


class SemanticTriage:
    """Red-flag similarity for messages; call it as triage's `semantic` second opinion."""

    def __init__(
        self, embedder: Embedder, exemplars: list[Exemplar], contrast: list[str], threshold: float, margin: float
    ):
        self.embedder = embedder
        self.exemplars = exemplars
        self.threshold = threshold
        self.margin = margin
        self.red = embedder.encode([e.text for e in exemplars])
        tokenizer = getattr(getattr(embedder, "_model", None), "tokenizer", None)
        self.known = frozenset(tokenizer.get_vocab()) if tokenizer is not None else frozenset()
        self.contrast = embedder.encode(contrast) if contrast else np.zeros((0, self.red.shape[1]), dtype=np.float32)

    @classmethod
    def load(
        cls, path: Path, embedder: Embedder, questions: list[str], threshold: float, margin: float
    ) -> "SemanticTriage":
        """Exemplars from `path`, contrasted with its benign texts and the stored `questions`."""
        exemplars, benign = load_exemplars(path)
        return cls(embedder, exemplars, benign + list(questions), threshold, margin)

    def corrected(self, message: str) -> str:
        """The message with misspelt symptom words corrected (unchanged without a known vocabulary)."""
        text = " ".join(message.lower().replace("’", "'").split())
        if not self.known:
            return text

        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            if len(word) < 4 or word in self.known or word in SYMPTOM_WORDS:
                return word
            close = difflib.get_close_matches(word, SYMPTOM_WORDS, n=1, cutoff=0.8)
            return close[0] if close else word

        return _TOKEN.sub(fix, text)

    def units(self, message: str) -> list[str]:
        """What is compared: each clause without a negation, and the message with the negated clauses left out."""
        text = message[:MAX_ENCODED_CHARS]
        every = triage.clauses(text)
        kept = [c for c in every if not triage.negated_clause(c)]
        if not kept:
            return []
        # Nothing left out: the whole is the message as retrieval reads it, so one vector serves both.
        whole = text if len(kept) == len(every) else " ".join(kept)
        # A single clause is the whole message again; comparing it twice only costs an encode.
        parts = [c for c in kept if len(c.split()) >= 2] if len(kept) > 1 else []
        return list(dict.fromkeys([whole, *parts]))

    def matches(self, message: str, treatment: str | None) -> list[Match]:
        """Per compared unit, its closest applicable red-flag exemplar (scores for threshold sweeps)."""
        units = self.units(message)
        if not units:
            return []
        vectors = self.embedder.encode(units)
        red = vectors @ self.red.T
        benign = (vectors @ self.contrast.T).max(axis=1) if len(self.contrast) else np.full(len(units), -1.0)
        allowed = np.array([treatment not in e.unless for e in self.exemplars])
        red[:, ~allowed] = -1.0
        best = red.argmax(axis=1)
        return [
            Match(u, self.exemplars[b], float(red[i, b]), float(benign[i])) for i, (u, b) in enumerate(zip(units, best))
        ]

    def __call__(self, message: str, treatment: str | None) -> triage.Alert | None:
        """The most urgent level the rules give the spelling-corrected message or a clause's exemplar gives."""
        fixed = self.corrected(message)
        reread = triage.assess(fixed, treatment) if fixed != " ".join(message.lower().split()) else None
        hits = [
            m
            for m in self.matches(fixed, treatment)
            if m.similarity >= self.threshold and m.similarity - m.benign >= self.margin
        ]
        alerts = [
            triage.Alert(m.exemplar.level, f"semantic:{m.exemplar.concept}", CONCEPTS[m.exemplar.concept].reason)
            for m in hits
        ]
        return triage.most_urgent(reread, *alerts)
