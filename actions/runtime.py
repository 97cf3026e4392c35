"""The action server's assistant: one bot.runtime.Runtime per process, started by actions/server.py with the
settings it read (or, for an action run without the server, from the environment on first use)."""

from __future__ import annotations

import threading

from bot.assistant import Assistant
from bot.config import Settings
from bot.runtime import AssistantUnavailable, Runtime

__all__ = ["AssistantUnavailable", "current", "reload", "start"]

_lock = threading.Lock()
_runtime: Runtime | None = None


def start(settings: Settings) -> Runtime:
    """Hold and load the assistant for `settings`; raises AssistantUnavailable and then holds nothing."""
    global _runtime
    runtime = Runtime(settings)
    runtime.current()
    with _lock:
        _runtime = runtime
    return runtime


def _held() -> Runtime:
    global _runtime
    if _runtime is None:
        with _lock:
            if _runtime is None:
                _runtime = Runtime(Settings.from_env())
    return _runtime


def current() -> Assistant:
    """The assistant serving messages now."""
    return _held().current()


def reload() -> tuple[Assistant, Assistant | None]:
    """Load corpus and index again and serve them; (new, old). On AssistantUnavailable the old keeps serving."""
    return _held().reload()
