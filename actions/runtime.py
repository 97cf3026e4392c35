"""The assistant the action server serves, held so that a new index can replace it atomically."""

from __future__ import annotations

import threading

from bot.assistant import Assistant
from bot.config import Settings
from bot.corpus import CorpusError
from bot.index import StaleIndexError
from bot.logs import configure_logging


class AssistantUnavailable(ImportError):
    """The corpus or index cannot be served. An ImportError, because that is what makes rasa-sdk
    refuse to start instead of serving an action that would fail on every message."""


def load_assistant(settings: Settings | None = None) -> Assistant:
    """Load the assistant from settings (the environment by default), or raise AssistantUnavailable."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    try:
        return Assistant.load(settings)
    except (CorpusError, StaleIndexError, FileNotFoundError) as exc:
        raise AssistantUnavailable(str(exc)) from exc


_lock = threading.Lock()
_current: Assistant | None = None


def current() -> Assistant:
    """The assistant serving messages now (loaded on first use)."""
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = load_assistant()
    return _current


def replace(assistant: Assistant) -> None:
    """Serve `assistant` from now on; a message already being answered finishes with the old one."""
    global _current
    with _lock:
        _current = assistant
