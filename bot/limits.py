"""Who a request comes from and how often: the client address behind trusted proxies, and a rate limiter
in bounded memory. Standard library only: the Rasa process (channels/) and the web app both use it."""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict, deque

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: tuple[Network, ...]) -> str:
    """The client's address: the connection's peer, unless the peer is a trusted proxy; then the nearest
    X-Forwarded-For hop that is not a trusted proxy (hops further left are whatever the client wrote)."""
    address = peer or "unknown"
    if not forwarded_for or not _trusted(address, proxies):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed hop: keep the last address a trusted proxy vouched for
        if not _trusted(hop, proxies):
            return hop
        address = hop
    return address


class RateLimiter:
    """At most `limit` messages per `window` seconds per key, in bounded memory: each key keeps at most `limit`
    times, and past `max_keys` keys the least recently seen is forgotten (a flood of new senders cannot
    grow it; a forgotten key only starts afresh)."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 10_000, clock=time.monotonic) -> None:
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Count a message for `key`; False when it is over the limit (an over-limit message is not counted)."""
        now = self.clock()
        times = self._seen.get(key)
        if times is None:
            times = self._seen[key] = deque(maxlen=self.limit)
            while len(self._seen) > self.max_keys:
                self._seen.popitem(last=False)
        else:
            self._seen.move_to_end(key)
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True

    def __len__(self) -> int:
        return len(self._seen)
