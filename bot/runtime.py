"""The assistant a server process holds: loaded on first use, replaced whole when a new index is served, so a
message already being answered finishes with the assistant it started with. One class serves the action
server (actions/runtime.py) and the web app's console (web/desk/runtime.py)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from bot.assistant import Assistant
from bot.config import Settings
from bot.embedding import Embedder
from bot.errors import LoadError
from bot.index import read_meta

log = logging.getLogger("aftercare.runtime")


class AssistantUnavailable(LoadError):
    """The corpus, index or model cannot be served; the message says which."""


Loader = Callable[[Settings, "Embedder | None"], Assistant]


class Runtime:
    """Holds one process's assistant and the embedding model it shares with everything else in the process."""

    def __init__(self, settings: Settings, loader: Loader = Assistant.load, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._loader = loader
        self._assistant: Assistant | None = None
        self._embedder = embedder  # given: a model the caller has loaded already
        self._lock = threading.RLock()
        self._reload_lock = threading.Lock()  # one reload at a time; a second waits, then loads the newest

    def load(self) -> Assistant:
        """A new assistant from the corpus and index on disk (the model reused), or AssistantUnavailable."""
        try:
            return self._loader(self.settings, self.embedder())
        except LoadError as exc:
            raise AssistantUnavailable(str(exc)) from exc

    def embedder(self) -> Embedder:
        """The process's embedding model, loaded once."""
        with self._lock:
            if self._embedder is None:
                held = self._assistant
                self._embedder = held.embedder if held is not None else Embedder.load(self.settings.corpus.model)
            return self._embedder

    def current(self) -> Assistant:
        """The assistant serving now (loaded on first use)."""
        assistant = self._assistant
        if assistant is None:
            with self._lock:
                if self._assistant is None:
                    self._assistant = self.load()
                assistant = self._assistant
        return assistant

    @property
    def loaded(self) -> Assistant | None:
        """The assistant held now, without loading one."""
        return self._assistant

    def replace(self, assistant: Assistant | None) -> None:
        """Serve `assistant` from now on (None: load again on next use)."""
        with self._lock:
            self._assistant = assistant
            if assistant is not None and self._embedder is None:
                self._embedder = assistant.embedder

    def reload(self) -> tuple[Assistant, Assistant | None]:
        """Load corpus and index from disk again and serve them; returns (new, old). Blocking: run it off the
        event loop. On AssistantUnavailable the old assistant keeps serving."""
        with self._reload_lock:
            started = time.perf_counter()
            old = self._assistant
            try:
                new = self.load()
            except AssistantUnavailable as exc:
                log.warning("reload refused", extra={"reason": str(exc)[:300]})
                raise
            self.replace(new)
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

    def newest(self) -> Assistant:
        """The assistant for the newest saved index (by `bot index`, the console or another process): reloaded
        when the saved index differs from the one served; the last good one keeps serving while a newer index
        cannot be (it may not fit the corpus yet)."""
        meta = read_meta(self.settings.corpus.index_dir)
        built_at = meta.built_at if meta else None
        held = self._assistant
        if held is not None and held.index.meta.built_at == built_at:
            return held
        try:
            return self.reload()[0]
        except AssistantUnavailable:
            if held is None:
                raise
            return held
