"""The assistant the action server serves, held so that a new index can replace it atomically."""

from __future__ import annotations

import logging
import threading
import time

from bot.assistant import Assistant
from bot.config import Settings
from bot.embedding import Embedder
from bot.errors import LoadError
from bot.logs import configure_logging

log = logging.getLogger("aftercare.runtime")


class AssistantUnavailable(ImportError):
    """The corpus or index cannot be served. An ImportError, because that is what makes rasa-sdk
    refuse to start instead of serving an action that would fail on every message."""


def load_assistant(settings: Settings | None = None, embedder: Embedder | None = None) -> Assistant:
    """Load the assistant from settings (the environment by default), or raise AssistantUnavailable."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    try:
        return Assistant.load(settings, embedder)
    except (LoadError, FileNotFoundError) as exc:
        raise AssistantUnavailable(str(exc)) from exc


_lock = threading.Lock()
_reload_lock = threading.Lock()
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


def reload(settings: Settings | None = None) -> tuple[Assistant, Assistant | None]:
    """Load corpus and index from disk again and serve them; returns (new, old). Blocking: run it off the
    event loop. On AssistantUnavailable the old assistant keeps serving."""
    with _reload_lock:  # one reload at a time; a second waits and then loads whatever is newest
        started = time.perf_counter()
        old = _current
        settings = settings or (old.settings if old else Settings.from_env())
        # The model does not change with the corpus: reuse it rather than load it again.
        embedder = old.embedder if old is not None and old.embedder.model_id == settings.model else None
        try:
            new = load_assistant(settings, embedder)
        except AssistantUnavailable as exc:
            log.warning("reload refused", extra={"reason": str(exc).splitlines()[0][:300]})
            raise
        replace(new)
        log.info(
            "reloaded",
            extra={
                "threads": len(new.corpus.threads),
                "previous_threads": len(old.corpus.threads) if old else None,
                "index_type": new.index.meta.index_type,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return new, old
