"""What the console holds while the web app runs: settings, the store, the assistant used for answer
search (bot.runtime: loaded on first use, swapped after a publish), session signing, client addresses and the sign-in
limiter."""

from __future__ import annotations

import logging
import threading

from bot.config import DEFAULT_DESK_SECRET_FILE, Settings, parse_networks
from bot.runtime import AssistantUnavailable, Runtime
from bot.secret_file import derived_token
from web.desk.security import Sessions, SignInLimiter, client_address, cookies_secure, load_secret
from web.desk.services import QuestionGrouper

log = logging.getLogger("aftercare.desk")


class Desk:
    def __init__(self, settings: Settings, store=None, limiter: SignInLimiter | None = None, embedder=None):
        self.settings = settings
        self._store = store
        # Answer search: the same holder of assistant and model as the action server's.
        self.runtime = Runtime(settings, embedder=embedder)
        self._lock = threading.RLock()
        # Raises SecretError on a short or unreadable key, or a configured file that is missing: the console
        # does not start rather than sign cookies with a weak or throwaway key.
        secret_file = settings.security.desk_secret_file
        key = load_secret(secret_file, create=secret_file == DEFAULT_DESK_SECRET_FILE)
        self.sessions = Sessions(key)
        # The web app's /api/chat relay signs the chat ids it issues with a key of its own, derived from this one.
        self.chat_key = derived_token(key, "api-chat-session").encode()
        self.limiter = limiter or SignInLimiter()
        self.secure_cookies = cookies_secure(settings.security.secure_cookies, settings.security.public_url)
        self.trusted_proxies = parse_networks(settings.security.trusted_proxies)
        # One corpus change at a time: a draft write, an index rebuild and a reload are one step.
        self.corpus_lock = threading.Lock()
        # Unanswered questions are embedded once, not on every view of /desk/unanswered.
        self.question_groups = QuestionGrouper()

    def client_address(self, peer: str | None, forwarded_for: str | None) -> str:
        """The address a request came from, believing X-Forwarded-For only from a configured trusted proxy."""
        return client_address(peer, forwarded_for, self.trusted_proxies)

    @property
    def store(self):
        if self._store is None:
            with self._lock:
                if self._store is None:
                    from store import Store  # storage is imported only when the console is used

                    self._store = Store.open(self.settings.storage.database_url)
        return self._store

    @property
    def embedder(self):
        """The process's embedding model, shared with answer search."""
        return self.runtime.embedder()

    def assistant(self):
        """The assistant for answer search, reloaded when a newer index has been saved (by `bot index`, the
        console or another process); raises AssistantUnavailable with the reason."""
        try:
            return self.runtime.newest()
        except AssistantUnavailable:
            log.warning("answer search unavailable")
            raise

    def reload_assistant(self) -> None:
        """Load the corpus and index again (after a publish); keep the old assistant if that fails."""
        self.runtime.reload()
