"""Client addresses behind trusted proxies and the bounded rate limiter (bot/limits.py)."""

from __future__ import annotations

from bot.config import parse_networks
from bot.limits import RateLimiter, client_address


def test_rate_limiter_counts_per_key_in_its_window():
    now = [0.0]
    limiter = RateLimiter(3, window=60, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # another key has its own count
    now[0] = 60.5
    assert limiter.allow("a")  # its minute is over


def test_rate_limiter_memory_is_bounded():
    now = [0.0]
    limiter = RateLimiter(3, window=60, max_keys=100, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    for i in range(10_000):
        limiter.allow(f"flood-{i}")
    assert len(limiter) == 100 and all(len(t) <= 3 for t in limiter._seen.values())
    assert limiter.allow("a")  # forgotten under the flood: a fresh start, never a crash or growth


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    proxies = parse_networks("127.0.0.1, 10.0.0.0/8")
    assert client_address("127.0.0.1", "198.51.100.7", proxies) == "198.51.100.7"
    assert client_address("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", proxies) == "198.51.100.7"
    assert client_address("198.51.100.9", "6.6.6.6", proxies) == "198.51.100.9"
    assert client_address("127.0.0.1", "not an address", proxies) == "127.0.0.1"
    assert client_address(None, None, proxies) == "unknown"
