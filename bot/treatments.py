"""Treatment vocabulary: canonical names, labels, and finding treatments named in free text.

The surface forms (brands, slang, misspellings) live in one place, the Rasa NLU synonyms file,
so the NLU model and the library always agree on what "juviderm" or "tox" means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import LoadError


class VocabularyError(LoadError):
    """The treatment synonyms file (the Rasa NLU file) is missing or not NLU data."""


LABELS = {
    "neuromodulator": "Botox and other anti-wrinkle injections",
    "filler": "Dermal filler",
    "sculptra": "Sculptra",
    "radiesse": "Radiesse",
    "laser": "Laser resurfacing",
    "ipl": "IPL / photofacial",
    "chemical_peel": "Chemical peel",
    "microneedling": "Microneedling",
    "kybella": "Kybella",
    "coolsculpting": "CoolSculpting",
    "thread_lift": "Thread lift",
    "rhinoplasty": "Rhinoplasty (nose job)",
    "blepharoplasty": "Eyelid surgery",
    "facelift": "Facelift",
    "liposuction": "Liposuction",
    "breast_augmentation": "Breast augmentation",
    "abdominoplasty": "Tummy tuck",
    "surgery_general": "Cosmetic surgery",
    "general": "Any treatment",
}
# The canonical treatment names, in the order error messages list them; a thread's `treatments` uses these.
TREATMENTS = tuple(LABELS)

SURGERY = frozenset(
    {"rhinoplasty", "blepharoplasty", "facelift", "liposuction", "breast_augmentation", "abdominoplasty"}
)


INJECTABLES = frozenset({"neuromodulator", "filler", "sculptra", "radiesse", "kybella"})
_INJECTION_WORDS = re.compile(r"\b(?:injections?|injectables?|injected|jabs?|shots?|needles?)\b", re.IGNORECASE)


def family(text: str) -> frozenset[str] | None:
    """The treatments a message implies without naming one ("my injections"), or None."""
    return INJECTABLES if _INJECTION_WORDS.search(text) else None


def label(treatment: str) -> str:
    """Human-readable name of a canonical treatment."""
    return LABELS.get(treatment, treatment.replace("_", " ").capitalize())


def applies_to(thread_treatments: tuple[str, ...], treatment: str) -> bool:
    """Whether a thread about `thread_treatments` answers for a patient who had `treatment`."""
    if treatment in thread_treatments or "general" in thread_treatments:
        return True
    return "surgery_general" in thread_treatments and treatment in SURGERY


@dataclass(frozen=True)
class Vocabulary:
    """Maps lowercase surface forms to canonical treatments."""

    forms: dict[str, str]
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Longest forms first so "lip filler" wins over "filler"; word boundaries so "tox" never matches "detox".
        alternatives = "|".join(re.escape(f) for f in sorted(self.forms, key=len, reverse=True))
        object.__setattr__(self, "_pattern", re.compile(rf"(?<![\w])({alternatives})(?![\w])"))

    def find(self, text: str) -> list[str]:
        """Canonical treatments named in `text`, in order of first mention, without repeats."""
        found: list[str] = []
        for match in self._pattern.finditer(text.lower()):
            canonical = self.forms[match.group(1)]
            if canonical not in found:
                found.append(canonical)
        return found

    def canonical(self, value: str | None) -> str | None:
        """Canonical treatment for an entity value or surface form; None if unknown."""
        if not value:
            return None
        value = value.strip().lower()
        if value in LABELS:
            return value
        return self.forms.get(value)


def load_vocabulary(path: Path) -> Vocabulary:
    """Read the `synonym:` entries of a Rasa NLU file into a Vocabulary; raises VocabularyError."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: cannot read the treatment synonyms ({exc})") from None
    items = (data.get("nlu") or []) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise VocabularyError(f"{path}: expected Rasa NLU data (a mapping whose `nlu:` is a list)")
    forms: dict[str, str] = {}
    for item in (i for i in items if isinstance(i, dict)):
        canonical = item.get("synonym")
        if canonical not in LABELS:
            continue
        forms[canonical.replace("_", " ")] = canonical
        for line in str(item.get("examples", "")).splitlines():
            form = line.strip().removeprefix("- ").strip().lower()
            if form:
                forms[form] = canonical
    return Vocabulary(forms=forms)
