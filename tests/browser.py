"""Real Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright (its own browser download
does not work here). Import the fixtures into a test module: `from browser import chromium, screenshot`."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per test module; each test opens its own context (fresh storage)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`make system` does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to var/screenshots/<name>.png (ignored by git) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def offsite(urls: list[str]) -> list[str]:
    """The URLs among these that go to a host other than this machine (data: and blob: URLs stay local)."""
    parts = [(u, urlsplit(u)) for u in urls]
    return [u for u, p in parts if p.scheme not in ("data", "blob", "about") and p.hostname not in LOCAL_HOSTS]


def record_requests(page) -> list[str]:
    """Collect the URL of every request and WebSocket the page opens from now on."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("websocket", lambda ws: urls.append(ws.url))
    return urls
