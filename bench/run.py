"""`make bench`: latency and start-up figures. Prints numbers; asserts nothing (targets in the README).

retrieval   the decision path in-process (triage, embed, search, compose), one message at a time
rest c=1    a message through Rasa's REST channel and the action server, one sender at a time
rest c=10   ten senders at once
encodes     model calls per message with and without the recent-vectors cache, message by message
            alternately in one run (the cache is emptied before each message: only sharing within it counts)
start-up    action server from launch until /health answers (model and index loaded); Rasa from launch
            until it answers, with the project's connectors (DIET's weights built eagerly,
            channels/model_load.py) and with Rasa's own REST channel alone (its traced build), alternately
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bot.assistant import Assistant  # noqa: E402
from bot.config import Settings  # noqa: E402
from common import row  # noqa: E402
from stack import MODEL, Server, Stack, free_port, rasa_server  # noqa: E402


def messages() -> list[str]:
    items = yaml.safe_load((ROOT / "tests" / "devset" / "questions.yml").read_text())
    return [i["text"] for i in items]


def bench_retrieval(texts: list[str]) -> None:
    assistant = Assistant.load(Settings.from_env())
    for text in texts[:10]:
        assistant.ask(text)  # warm-up
    samples = []
    for text in texts:
        started = time.perf_counter()
        assistant.ask(text)
        samples.append((time.perf_counter() - started) * 1000)
    row("retrieval (in-process)", samples, "target p50 <= 15 ms")


def bench_encodes(texts: list[str]) -> None:
    assistant = Assistant.load(Settings.from_env())
    embedder, encode = assistant.embedder, assistant.embedder._encode
    calls = {"off": 0, "on": 0}
    samples: dict[str, list[float]] = {"off": [], "on": []}
    mode = "off"

    def counting(batch, *args):
        calls[mode] += 1
        return encode(batch, *args)

    embedder._encode = counting
    for text in texts:
        for mode, size in (("off", 0), ("on", 256)):
            embedder.recent_size = size
            embedder._recent.clear()
            started = time.perf_counter()
            assistant.ask(text)
            samples[mode].append((time.perf_counter() - started) * 1000)
    embedder._encode, embedder.recent_size = encode, 256
    for mode in ("off", "on"):
        row(f"encodes, cache {mode}", samples[mode], f"{calls[mode] / len(texts):.2f} model calls/message")
    ratio = statistics.median(samples["on"]) / statistics.median(samples["off"])
    print(f"{'encodes':<22} p50 ratio on/off {ratio:.2f}")


def post(url: str, text: str, sender: str) -> float:
    started = time.perf_counter()
    response = requests.post(url, json={"sender": sender, "message": text}, timeout=60)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def bench_rest(stack: Stack, texts: list[str]) -> None:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    for text in texts[:10]:
        post(url, text, "warmup")
    samples = [post(url, text, f"c1-{i}") for i, text in enumerate(texts)]
    row("rest, concurrency 1", samples, "target p50 <= 150 ms")
    jobs = [(text, f"c10-{i % 10}-{uuid.uuid4().hex[:6]}") for i, text in enumerate(texts)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=10) as pool:
        samples = list(pool.map(lambda job: post(url, *job), jobs))
    rate = len(jobs) / (time.perf_counter() - started)
    row("rest, concurrency 10", samples, f"{rate:.1f} messages/s")


def seconds_to_healthy(server: Server) -> float:
    """Start the server and time it until its health check answers."""
    started = time.perf_counter()
    server.start()
    while not server.healthy():
        if server.exited():
            raise SystemExit(f"{server.name} failed:\n{server.log_tail()}")
        time.sleep(0.05)
    return time.perf_counter() - started


def bench_startup(env: dict[str, str]) -> None:
    times = []
    for _ in range(3):
        port = free_port()
        server = Server(
            "action server",
            [str(ROOT / ".venv" / "bin" / "python"), "-m", "actions.server", "--port", str(port)],
            f"http://127.0.0.1:{port}/health",
            Path(tempfile.mkdtemp()) / "actions.log",
            env,
        )
        times.append(seconds_to_healthy(server))
        server.stop()
    print(
        f"{'action server start-up':<22} n={len(times):<5} median={statistics.median(times):6.1f} s  (model + index load)"
    )


def bench_rasa_startup(runs: int = 2) -> None:
    folder = Path(tempfile.mkdtemp())
    endpoints, stock = folder / "endpoints.yml", folder / "rasa-rest.yml"
    endpoints.write_text("action_endpoint:\n  url: http://127.0.0.1:9/webhook\n", encoding="utf-8")
    stock.write_text("rest:\n", encoding="utf-8")
    times: dict[str, list[float]] = {"project connectors": [], "Rasa's own REST": []}
    for _ in range(runs):
        for name, credentials in (("project connectors", ROOT / "credentials.yml"), ("Rasa's own REST", stock)):
            port = free_port()
            server = rasa_server(port, MODEL, endpoints, credentials, {"PYTHONUNBUFFERED": "1"}, folder / "rasa.log")
            times[name].append(seconds_to_healthy(server))
            server.stop()
    for name, samples in times.items():
        label = f"rasa start-up, {name}"
        print(f"{label:<36} n={len(samples):<3} median={statistics.median(samples):6.1f} s")


def main() -> None:
    texts = messages()
    print(f"Benchmarks on {len(texts)} dev-set questions (tests/devset/questions.yml)\n")
    bench_retrieval(texts)
    bench_encodes(texts)
    bench_startup({"PYTHONUNBUFFERED": "1"})
    bench_rasa_startup()
    stack = Stack(
        rasa_port=free_port(), action_port=free_port(), web_port=free_port(), workdir=Path(tempfile.mkdtemp())
    )
    stack.start(timeout=300)
    try:
        bench_rest(stack, texts)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
