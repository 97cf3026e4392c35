"""`make bench-abuse`: what a legitimate patient sees while the service is attacked or failing. Prints
numbers; asserts nothing. Everything runs on loopback, with bounded loops that stop by themselves.

While each attack runs (six attackers at once, for ATTACK_SECONDS), one patient asks ordinary questions
from an address of its own; each line gives the patient's p50/p95, replies received and cited answers:

    bombs     over-long messages and pattern bombs (within the cap)
    flood     one address sending ordinary questions, each from a new sender id (the address limit)
    spread    ordinary questions from a new sender id and a new address each time (capacity only)
    forged    /api/chat with chat ids that were altered or made up: how many reached an existing
              conversation (none should)
    tickets   handoffs with a phone number, each from a new sender id, from one address: tickets filed

Faults, with `make run`'s supervisor restarting crashed servers (scripts/stack.py, Supervisor):

    hung      Rasa with an action server that accepts connections and never answers: time until an
              emergency message gets the emergency number, and until a question gets a reply
    killed    the action server is killed: what a question gets, and the time until answers are cited again
    web       the web app is killed: what the widget page and /api/chat give, whether Rasa still answers,
              and the time until /api/chat answers again
    locked    the store's SQLite file is locked by another process for LOCK_SECONDS: what a patient finishing
              a handoff is told, and the time until a handoff files a ticket again

    .venv/bin/python bench/abuse.py
"""

from __future__ import annotations

import socket
import sqlite3
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from common import percentile, supervise_in_background  # noqa: E402
from stack import MODEL, Stack, free_port, http_ok  # noqa: E402

QUESTIONS = [
    "can I go to the gym after botox?", "how long will my lips stay swollen after filler?",
    "when can I shower after surgery?", "can I fly the day after filler?", "when can I wear makeup after botox?",
]  # fmt: skip
EMERGENCY = "i had lip filler an hour ago and now my throat feels tight and i can't breathe properly"
ATTACK_SECONDS = 30.0
ATTACKERS = 6
PATIENT_TURNS = 15
LOCK_SECONDS = 15.0
PATIENT_ADDRESS = "198.51.100.7"  # the bench's stack trusts X-Forwarded-For from loopback
ATTACKER_ADDRESS = "203.0.113.66"
SLOW_DOWN = "faster than I can answer"  # the rate-limit reply (bot/alerts.py slow_down_reply)
HANDOFF = ["can I talk to a real person?", "Mallory Flood", "+1 555 010 0000", "/affirm"]


def say(
    stack: Stack, message: str, sender: str | None = None, timeout: float = 120, address: str = PATIENT_ADDRESS
) -> tuple[float, str]:
    started = time.perf_counter()
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        headers={"X-Forwarded-For": address},
        json={"sender": sender or uuid.uuid4().hex, "message": message},
        timeout=timeout,
    )
    text = "\n".join(m.get("text", "") for m in response.json()) if response.ok else f"HTTP {response.status_code}"
    return time.perf_counter() - started, text


def while_attacked(stack: Stack, name: str, attack: Callable[[int], str | None], detail: Callable[[], str]) -> None:
    """Run `attack(n)` in a loop on ATTACKERS threads while the patient asks PATIENT_TURNS questions."""
    stop = time.monotonic() + ATTACK_SECONDS
    counts = {"sent": 0, "errors": 0}

    def attacker(n: int) -> None:
        while time.monotonic() < stop:
            try:
                attack(n)
            except requests.RequestException:
                counts["errors"] += 1
            counts["sent"] += 1

    threads = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(ATTACKERS)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    latencies, replied, cited = [], 0, 0
    for turn in range(PATIENT_TURNS):
        seconds, text = say(stack, QUESTIONS[turn % len(QUESTIONS)])
        latencies.append(seconds)
        replied += bool(text.strip()) and not text.startswith("HTTP")
        cited += "Sources:" in text
    for t in threads:
        t.join(ATTACK_SECONDS + 60)
    print(
        f"{name:<9} {ATTACKERS} attackers, {counts['sent']} attack requests ({counts['errors']} failed), {detail()}; "
        f"patient n={len(latencies)} p50={statistics.median(latencies) * 1000:.0f} ms "
        f"p95={percentile(latencies, 0.95) * 1000:.0f} ms replies {replied}/{len(latencies)} "
        f"cited {cited}/{len(latencies)}",
        flush=True,
    )


def attacks(stack: Stack, cap: int) -> None:
    bombs = [
        "x" * (cap + 1),  # over the cap: refused before NLU
        "no-pus-" * (cap // 7),  # every symptom negated: the old negation lookup was quadratic
        "i had my implants 3 years ago " + "'" * (cap - 40),  # the old late-implant pattern was exponential
        ("can't " * (cap // 6))[:cap],
    ]
    turn = [0]

    def bomb(n: int) -> None:
        turn[0] += 1
        say(stack, bombs[(n + turn[0]) % len(bombs)], timeout=60, address=f"203.0.113.{n + 1}")

    while_attacked(stack, "bombs", bomb, lambda: "over-long and pattern-bomb messages")

    waits = [0]

    def flood(n: int) -> None:
        _, text = say(stack, QUESTIONS[n % len(QUESTIONS)], timeout=60, address=ATTACKER_ADDRESS)
        waits[0] += SLOW_DOWN in text

    while_attacked(stack, "flood", flood, lambda: f"{waits[0]} told to wait (address limit)")

    spread_count = [0]

    def spread(n: int) -> None:
        spread_count[0] += 1
        say(
            stack,
            QUESTIONS[n % len(QUESTIONS)],
            timeout=60,
            address=f"10.{n}.{spread_count[0] // 250 % 250}.{spread_count[0] % 250 + 1}",
        )

    while_attacked(stack, "spread", spread, lambda: "new sender and address each time")

    owner = requests.post(f"{stack.web_url}/api/chat", json={"message": QUESTIONS[1]}, timeout=60).json()["sender"]
    joined = [0]

    def forged(n: int) -> None:
        named = owner.split(".")[0] + "." + uuid.uuid4().hex if n % 2 else owner.split(".")[0]
        reply = requests.post(
            f"{stack.web_url}/api/chat",
            json={"sender": named, "message": "and the gym?"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            timeout=60,
        ).json()
        joined[0] += reply.get("sender") == owner or reply.get("new_session") is False

    while_attacked(stack, "forged", forged, lambda: f"{joined[0]} reached an existing conversation")

    from store import Store

    store = Store.open(stack.database_url)
    before = len(store.tickets())

    def tickets(n: int) -> None:
        sender = uuid.uuid4().hex
        for line in HANDOFF:
            say(stack, line, sender, timeout=60, address=ATTACKER_ADDRESS)

    while_attacked(stack, "tickets", tickets, lambda: f"{len(store.tickets()) - before} tickets filed")


class HungServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.listener.close()
        for conn in self.held:
            conn.close()


def hung(workdir: Path) -> None:
    server = HungServer()
    stack = Stack(rasa_port=free_port(), action_port=server.port, web_port=free_port(), workdir=workdir)
    stack.build()
    rasa = stack.servers[1]
    rasa.start()
    try:
        deadline = time.monotonic() + 240
        while not http_ok(f"{stack.rasa_url}/") and time.monotonic() < deadline:
            time.sleep(0.5)
        seconds, text = say(stack, EMERGENCY)
        print(f"hung      emergency: reply after {seconds:.1f} s, emergency number given: {'Call 911 now' in text}")
        seconds, text = say(stack, QUESTIONS[0])
        print(f"hung      question: reply after {seconds:.1f} s: {text[:70]!r}")
    finally:
        rasa.stop()
        server.close()


def until(check: Callable[[], bool], limit: float = 180.0) -> float:
    """Seconds until `check()` holds (polled every 0.5 s), or `limit`."""
    started = time.perf_counter()
    while not check() and time.perf_counter() - started < limit:
        time.sleep(0.5)
    return time.perf_counter() - started


def answered(request: Callable[[], bool]) -> Callable[[], bool]:
    """`request` as a check that counts a refused connection or a timeout as not yet."""

    def check() -> bool:
        try:
            return request()
        except requests.RequestException:
            return False

    return check


def kill(stack: Stack, index: int) -> float:
    """Kill one server of the stack at once (SIGKILL); the time it died."""
    server = stack.servers[index]
    server.process.kill()
    server.process.wait()
    return time.perf_counter()


def killed(stack: Stack) -> None:
    died = kill(stack, 0)
    seconds, text = say(stack, QUESTIONS[1])
    print(f"killed    question with the action server dead: reply after {seconds:.1f} s: {text[:70]!r}")
    until(answered(lambda: "Sources:" in say(stack, QUESTIONS[0], timeout=30)[1]))
    print(
        f"killed    restarted by the supervisor: cited answers again {time.perf_counter() - died:.1f} s after the kill",
        flush=True,
    )


def web_killed(stack: Stack) -> None:
    died = kill(stack, 2)
    try:
        page = f"HTTP {requests.get(f'{stack.web_url}/widget.js', timeout=5).status_code}"
    except requests.RequestException as exc:
        page = type(exc).__name__
    _, text = say(stack, QUESTIONS[2])
    print(f"web       web app dead: /widget.js {page}; Rasa still answers with citations: {'Sources:' in text}")
    until(answered(lambda: requests.post(f"{stack.web_url}/api/chat", json={"message": QUESTIONS[0]}, timeout=30).ok))
    print(
        f"web       restarted by the supervisor: /api/chat answers {time.perf_counter() - died:.1f} s after the kill",
        flush=True,
    )


def filed(stack: Stack, store, name: str) -> bool:
    sender = uuid.uuid4().hex
    for line in ["can I talk to a real person?", name, "+1 555 010 0123", "/affirm"]:
        say(stack, line, sender, timeout=60)
    return any(t.name == name for t in store.tickets())


def locked(stack: Stack) -> None:
    from store import Store

    store = Store.open(stack.database_url)
    path = stack.database_url.removeprefix("sqlite:///")
    lock = sqlite3.connect(path, timeout=1, isolation_level=None, check_same_thread=False)  # released by a timer
    lock.execute("BEGIN EXCLUSIVE")
    released = threading.Timer(LOCK_SECONDS, lambda: lock.execute("ROLLBACK"))
    started = time.perf_counter()
    released.start()
    sender = uuid.uuid4().hex
    for line in ["can I talk to a real person?", "Lock Tester", "+1 555 010 0124", "/affirm"]:
        seconds, text = say(stack, line, sender, timeout=60)
        print(
            f"locked    store locked for {LOCK_SECONDS:.0f} s: {line!r} -> after {seconds:.1f} s: "
            f"{' '.join(text.split())[:110]!r}",
            flush=True,
        )
    _, question = say(stack, QUESTIONS[3])
    print(f"locked    a question meanwhile is answered with citations: {'Sources:' in question}")
    released.join()
    n = [0]

    def files_again() -> bool:
        n[0] += 1
        return filed(stack, store, f"Lock Tester {'abcdefghijklmnopqrstuvwxyz'[n[0] % 26].upper()}{'x' * (n[0] // 26)}")

    until(files_again)
    print(
        f"locked    a handoff files a ticket again {time.perf_counter() - started:.1f} s after the lock began "
        f"(lock released at {LOCK_SECONDS:.0f} s)",
        flush=True,
    )
    lock.close()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="what a patient sees during attacks and faults")
    parser.add_argument(
        "--only", default="attacks,killed,web,locked,hung", help="comma-separated parts to run (default: all)"
    )
    only = set(parser.parse_args(argv).only.split(","))
    if not MODEL.exists():
        print(f"no trained Rasa model at {MODEL}: run `make train`", file=sys.stderr)
        return 1
    import tempfile

    from bot.config import Settings

    cap = Settings.from_env().limits.max_message_chars
    with tempfile.TemporaryDirectory() as tmp:
        # Each client's address comes from X-Forwarded-For, as behind a proxy: the patient has its own.
        stack = Stack(
            rasa_port=free_port(),
            action_port=free_port(),
            web_port=free_port(),
            workdir=Path(tmp) / "run",
            env={"AFTERCARE_TRUSTED_PROXIES": "127.0.0.1"},
        )
        stack.start(timeout=300)
        stop_supervising = supervise_in_background(stack.servers, lambda m: print(f"          ({m})", flush=True))
        try:
            for part, run in (
                ("attacks", lambda: attacks(stack, cap)),
                ("killed", lambda: killed(stack)),
                ("web", lambda: web_killed(stack)),
                ("locked", lambda: locked(stack)),
            ):
                if part in only:
                    run()
        finally:
            stop_supervising()
            stack.stop()
        if "hung" in only:
            hung(Path(tmp) / "hung")
    return 0


if __name__ == "__main__":
    sys.exit(main())
