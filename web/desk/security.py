"""Console security: the signing secret, signed session cookies, CSRF tokens, client addresses and sign-in
throttling."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer

# The key file (generated 0600 on first run, refused when short) is shared with the Rasa process's sender
# ids, so its helpers live in the standard-library module bot.secret_file; re-exported for runtime and routes.
from bot.limits import Network, client_address  # noqa: F401 - the console's callers import it from here
from bot.secret_file import SecretError, load_secret  # noqa: F401

COOKIE = "desk_session"
COOKIE_PATH = "/desk"
SESSION_SECONDS = 12 * 3600

# Throttling: a few free tries, then a delay that doubles with each further failure (15 s ... 15 min).
FREE_TRIES_PER_ACCOUNT_AND_ADDRESS = 5  # someone mistyping their own password
FREE_TRIES_PER_ADDRESS = 20  # one client guessing across many accounts
FREE_TRIES_PER_ACCOUNT = 50  # many clients guessing one account; addresses it signed in from are spared
FIRST_DELAY_SECONDS = 15.0
MAX_DELAY_SECONDS = 15 * 60.0
FORGET_SECONDS = 3600.0  # an hour without a failure clears a counter
MAX_TRACKED_KEYS = 10_000  # per table: the limiter's memory is bounded whatever an attacker sends
KNOWN_ADDRESSES_PER_ACCOUNT = 8

K = TypeVar("K")
V = TypeVar("V")


def cookies_secure(setting: str, public_url: str) -> bool:
    """Whether session cookies carry `Secure`: `on`, `off`, or `auto` (on when the public URL is https)."""
    if setting == "auto":
        return urlsplit(public_url).scheme == "https"
    return setting == "on"


@dataclass(frozen=True)
class Session:
    """What the cookie holds: who signed in (None before sign-in), the CSRF token of this session and the
    account's session version when it was issued (a newer version in the database ends the session)."""

    username: str | None
    csrf: str
    version: int | None = None


class Sessions:
    """Reads and writes the signed, time-limited session cookie."""

    def __init__(self, secret: bytes, max_age: int = SESSION_SECONDS):
        self._serializer = URLSafeTimedSerializer(secret, salt="aftercare-desk-session")
        self.max_age = max_age

    def read(self, cookie: str | None) -> Session | None:
        """The session in a cookie, or None when it is absent, forged or expired."""
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also covers expired cookies
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        username, version = data.get("u"), data.get("v")
        return Session(
            username if isinstance(username, str) else None, data["csrf"], version if isinstance(version, int) else None
        )

    def new(self, username: str | None, version: int | None = None) -> Session:
        """A fresh session with a fresh CSRF token (signing in never keeps the old token)."""
        return Session(username, secrets.token_urlsafe(32), version)

    def dump(self, session: Session) -> str:
        """The signed cookie value for a session."""
        return self._serializer.dumps({"u": session.username, "csrf": session.csrf, "v": session.version})


def csrf_matches(session: Session | None, token: str | None) -> bool:
    """Whether `token` is this session's CSRF token (compared in constant time)."""
    return bool(session and token) and hmac.compare_digest(session.csrf.encode(), token.encode())


# ------------------------------------------------------------------------------------------- client address


def limiter_key(address: str) -> str:
    """One key per client: an IPv6 address counts as its /64, which one household or host usually owns."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


# ------------------------------------------------------------------------------------------- throttling


class BoundedDict(Generic[K, V]):
    """A dict holding at most `max_items` keys; the least recently used one goes first."""

    def __init__(self, max_items: int):
        self.max_items = max_items
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def set(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class Failures:
    """Failed sign-ins counted under one key, and when the last one happened."""

    count: int
    last: float


def delay_after(failures: int, free: int) -> float:
    """Seconds to wait after `failures` failures when `free` are allowed without waiting."""
    if failures < free:
        return 0.0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** min(failures - free, 20))


class SignInLimiter:
    """Slows password guessing without locking the real user out.

    Failures are counted per account and address, per address and per account; past a few free tries
    each further failure doubles the wait. The per-account count applies only to addresses the account has
    not signed in from, so guesses from elsewhere slow the guesser, not the user at their usual desk.
    In memory, per web process, bounded: a restart forgets, which is fine for slowing guessing down."""

    def __init__(self, clock=time.monotonic, max_keys: int = MAX_TRACKED_KEYS):
        self.clock = clock
        self._pairs: BoundedDict[tuple[str, str], Failures] = BoundedDict(max_keys)
        self._addresses: BoundedDict[str, Failures] = BoundedDict(max_keys)
        self._accounts: BoundedDict[str, Failures] = BoundedDict(max_keys)
        self._known: BoundedDict[str, tuple[str, ...]] = BoundedDict(max_keys)
        self._lock = threading.Lock()

    def _wait(self, table: BoundedDict, key, free: int, now: float) -> float:
        failures = table.get(key)
        if failures is None:
            return 0.0
        if now - failures.last > FORGET_SECONDS:
            table.pop(key)
            return 0.0
        return max(0.0, failures.last + delay_after(failures.count, free) - now)

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until this sign-in may be tried, 0 if it may be tried now."""
        ip, now = limiter_key(address), self.clock()
        with self._lock:
            waits = [
                self._wait(self._pairs, (username, ip), FREE_TRIES_PER_ACCOUNT_AND_ADDRESS, now),
                self._wait(self._addresses, ip, FREE_TRIES_PER_ADDRESS, now),
            ]
            if ip not in (self._known.get(username) or ()):
                waits.append(self._wait(self._accounts, username, FREE_TRIES_PER_ACCOUNT, now))
        wait = max(waits)
        return int(wait) + 1 if wait > 0 else 0

    def record(self, username: str, address: str, success: bool) -> None:
        """Count one sign-in that was tried (not one refused for waiting)."""
        ip, now = limiter_key(address), self.clock()
        with self._lock:
            if success:
                # Only this account from this address starts afresh: signing in to one's own account must not
                # clear the failures an address ran up against other accounts.
                self._pairs.pop((username, ip))
                known = tuple(a for a in self._known.get(username) or () if a != ip)
                self._known.set(username, (ip, *known)[:KNOWN_ADDRESSES_PER_ACCOUNT])
                return
            for table, key in ((self._pairs, (username, ip)), (self._addresses, ip), (self._accounts, username)):
                failures = table.get(key)
                if failures is None or now - failures.last > FORGET_SECONDS:
                    failures = Failures(0, now)
                table.set(key, Failures(failures.count + 1, now))

    def clear(self) -> None:
        """Forget every count (tests, or an operator after an incident)."""
        with self._lock:
            for table in (self._pairs, self._addresses, self._accounts, self._known):
                table.clear()

    def tracked(self) -> int:
        """How many keys the limiter holds in all (its memory, for tests and monitoring)."""
        return len(self._pairs) + len(self._addresses) + len(self._accounts) + len(self._known)
