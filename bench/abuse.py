"""`make bench-abuse`: what a legitimate patient sees while the service is attacked or failing. Prints
numbers; asserts nothing. Everything runs on loopback, with bounded loops that stop by themselves.

    attacks   six senders at once send over-long messages and pattern bombs (within the cap) in a loop,
              while one patient asks ordinary questions: the patient's p50/p95 and whether every reply
              was a cited answer
    hung      Rasa with an action server that accepts connections and never answers: time until an
              emergency message gets the emergency number, and until a question gets a reply
    killed    the action server of the running stack is killed: time until a question gets a reply,
              then the server is started again: time until answers are cited again

    .venv/bin/python bench/abuse.py
"""

from __future__ import annotations

import socket
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from common import percentile  # noqa: E402
from stack import MODEL, Stack, free_port, http_ok  # noqa: E402

QUESTIONS = [
    "can I go to the gym after botox?", "how long will my lips stay swollen after filler?",
    "when can I shower after surgery?", "can I fly the day after filler?", "when can I wear makeup after botox?",
]  # fmt: skip
EMERGENCY = "i had lip filler an hour ago and now my throat feels tight and i can't breathe properly"
ATTACKER_SECONDS = 40.0
PATIENT_TURNS = 20


def say(stack: Stack, message: str, sender: str | None = None, timeout: float = 120) -> tuple[float, str]:
    started = time.perf_counter()
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                             json={"sender": sender or uuid.uuid4().hex, "message": message}, timeout=timeout)
    text = "\n".join(m.get("text", "") for m in response.json()) if response.ok else f"HTTP {response.status_code}"
    return time.perf_counter() - started, text


def attacks(stack: Stack, cap: int) -> None:
    bombs = [
        "x" * (cap + 1),  # over the cap: refused before NLU
        "no-pus-" * (cap // 7),  # every symptom negated: the old negation lookup was quadratic
        "i had my implants 3 years ago " + "'" * (cap - 40),  # the old late-implant pattern was exponential
        ("can't " * (cap // 6))[:cap],
    ]
    stop = time.monotonic() + ATTACKER_SECONDS
    sent = [0]

    def attacker(n: int) -> None:
        while time.monotonic() < stop:
            try:
                say(stack, bombs[(n + sent[0]) % len(bombs)], timeout=60)
            except requests.RequestException:
                pass
            sent[0] += 1

    threads = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    latencies, cited = [], 0
    for turn in range(PATIENT_TURNS):
        seconds, text = say(stack, QUESTIONS[turn % len(QUESTIONS)])
        latencies.append(seconds)
        cited += "Sources:" in text
    for t in threads:
        t.join(ATTACKER_SECONDS + 60)
    print(f"attacks   6 attackers, {sent[0]} attack messages; patient n={len(latencies)} "
          f"p50={statistics.median(latencies) * 1000:.0f} ms p95={percentile(latencies, .95) * 1000:.0f} ms "
          f"cited answers {cited}/{len(latencies)}")


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


def killed(stack: Stack) -> None:
    actions = stack.servers[0]
    actions.process.kill()
    actions.process.wait()
    seconds, text = say(stack, QUESTIONS[1])
    print(f"killed    question with the action server dead: reply after {seconds:.1f} s: {text[:70]!r}")
    started = time.perf_counter()
    actions.start()
    while True:
        _, text = say(stack, QUESTIONS[0])
        if "Sources:" in text or time.perf_counter() - started > 180:
            break
        time.sleep(0.5)
    print(f"killed    restarted: cited answers again after {time.perf_counter() - started:.1f} s")


def main() -> int:
    if not MODEL.exists():
        print(f"no trained Rasa model at {MODEL}: run `make train`", file=sys.stderr)
        return 1
    import tempfile

    from bot.config import Settings

    cap = Settings.from_env().max_message_chars
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(rasa_port=free_port(), action_port=free_port(), web_port=free_port(), workdir=Path(tmp) / "run")
        stack.start(timeout=300)
        try:
            attacks(stack, cap)
            killed(stack)
        finally:
            stack.stop()
        hung(Path(tmp) / "hung")
    return 0


if __name__ == "__main__":
    sys.exit(main())
