"""Console security: signed session cookies, CSRF tokens and sign-in rate limits."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "desk_session"
COOKIE_PATH = "/desk"
SESSION_SECONDS = 12 * 3600
SIGNIN_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USER = 5  # a password guesser gets five tries per account per window
MAX_ATTEMPTS_PER_IP = 20  # and twenty sign-ins per address, whatever the account


def load_secret(path: Path) -> bytes:
    """The cookie-signing key: read from `path`, created (random, owner-only) on first use."""
    path = Path(path)
    if path.exists():
        key = path.read_bytes().strip()
        if len(key) >= 32:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    try:
        os.link(temp, path)  # first writer wins; a concurrent process reads the same key
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
    return path.read_bytes().strip()


@dataclass(frozen=True)
class Session:
    """What the cookie holds: who signed in (None before sign-in) and the CSRF token of this session."""

    username: str | None
    csrf: str


class Sessions:
    """Reads and writes the signed, time-limited session cookie."""

    def __init__(self, secret: bytes, max_age: int = SESSION_SECONDS):
        self._serializer = URLSafeTimedSerializer(secret, salt="aftercare-desk-session")
        self.max_age = max_age

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also covers expired cookies
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        username = data.get("u")
        return Session(username if isinstance(username, str) else None, data["csrf"])

    def new(self, username: str | None) -> Session:
        """A fresh session with a fresh CSRF token (signing in never keeps the old token)."""
        return Session(username, secrets.token_urlsafe(32))

    def dump(self, session: Session) -> str:
        return self._serializer.dumps({"u": session.username, "csrf": session.csrf})


def csrf_matches(session: Session | None, token: str | None) -> bool:
    return bool(session and token) and hmac.compare_digest(session.csrf.encode(), token.encode())


class SignInLimiter:
    """Sliding-window limits on sign-in: failures per username, attempts per client address.

    In memory, per web process: a restart forgets, which is fine for slowing down password guessing."""

    def __init__(self, per_user: int = MAX_FAILURES_PER_USER, per_ip: int = MAX_ATTEMPTS_PER_IP,
                 window: float = SIGNIN_WINDOW_SECONDS, clock=time.monotonic):
        self.per_user, self.per_ip, self.window, self.clock = per_user, per_ip, window, clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._attempts: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, events: deque[float], now: float) -> deque[float]:
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def retry_after(self, username: str, ip: str) -> int:
        """Seconds until this sign-in may be tried, 0 if it may be tried now."""
        now = self.clock()
        with self._lock:
            waits = []
            user = self._recent(self._failures[username], now)
            if len(user) >= self.per_user:
                waits.append(user[0] + self.window - now)
            address = self._recent(self._attempts[ip], now)
            if len(address) >= self.per_ip:
                waits.append(address[0] + self.window - now)
        return int(max(waits)) + 1 if waits else 0

    def record(self, username: str, ip: str, success: bool) -> None:
        now = self.clock()
        with self._lock:
            self._attempts[ip].append(now)
            if success:
                self._failures.pop(username, None)
            else:
                self._failures[username].append(now)
