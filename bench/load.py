"""`make bench-load`: open-loop load on Rasa's REST channel, against `make run`, `make cluster` and a bare Rasa bot.

Open loop: every message has a send time fixed in advance by the offered rate, and is sent then whether or
not earlier replies came back; latency runs from that scheduled time to the reply, so queueing counts. Each
sender holds a 3-turn conversation (a dev-set question, a follow-up, a thanks), one message every
--gap seconds; rate x gap senders are talking at once. Errors: non-2xx, timeouts, empty replies.

Per system, one after another (never two at once), after a warm-up: p50/p95/p99 at 5, 10 and 20
messages/s offered, then upward (15, 25, 30, 35, 40, 50, 60) until p95 > 500 ms or an error; the highest rate held
before that is its max rate. Then the peak RSS of each of its processes, and the ratios to the bare bot.
Prints figures; asserts nothing. The load generator runs on the same machine and takes CPU from the servers.

    .venv/bin/python bench/load.py [--seconds 30] [--warmup 10] [--gap 2] [--systems bare,run,cluster]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

# E402 below: these helpers are importable only once scripts/ is on sys.path, just above.
from bare_rasa import BareRasa  # noqa: E402
from common import percentile  # noqa: E402
from stack import Server, Stack, free_port  # noqa: E402

REPORTED_RATES = (5, 10, 20)
LADDER = (5, 10, 15, 20, 25, 30, 35, 40, 50, 60)
P95_LIMIT_MS = 500.0
# Every sender of the bench comes from 127.0.0.1: the per-address limit (meant for one abusive client) is lifted.
SERVER_ENV = {"AFTERCARE_ADDRESS_MESSAGES_PER_MINUTE": "1000000"}
SLOW_DOWN = "faster than I can answer"  # the rate-limit reply (channels/bounded.py): not an answer
FOLLOW_UPS = ["and what about the gym?", "what about makeup?", "and can I drink alcohol?", "is flying ok?"]
THANKS = ["thanks!", "ok thank you", "great, thanks"]


@dataclass(frozen=True)
class Send:
    at: float  # seconds after the step starts
    sender: str
    turn: int  # 0 question, 1 follow-up, 2 thanks
    conversation: int  # picks the texts: the same numbers on every system, so all get the same messages


def schedule(rate: float, seconds: float, gap: float, turns: int = 3, tag: str = "") -> list[Send]:
    """Message i at i/rate; lane i % K (K = rate x gap senders) sends every gap s, a new sender every `turns`."""
    lanes = max(1, round(rate * gap))
    sends = []
    for i in range(int(rate * seconds)):
        lane, round_ = i % lanes, i // lanes
        conversation = round_ // turns * lanes + lane
        sends.append(Send(i / rate, f"{tag}{conversation}", round_ % turns, conversation))
    return sends


def message(send: Send, questions: list[str]) -> str:
    """The text for a send: a dev-set question, a follow-up, a thanks, by conversation number."""
    n = send.conversation
    return [questions[n % len(questions)], FOLLOW_UPS[n % len(FOLLOW_UPS)], THANKS[n % len(THANKS)]][send.turn % 3]


@dataclass
class Step:
    """What one offered rate produced."""

    rate: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q) if self.latencies_ms else math.inf

    @property
    def held(self) -> bool:
        return self.error_count == 0 and self.p(0.95) <= P95_LIMIT_MS


def next_rate(steps: dict[float, Step]) -> float | None:
    """The next rate to offer: every reported rate, and the ladder upward while each step held."""
    failed = any(not s.held for s in steps.values())
    for rate in sorted(set(LADDER) | set(REPORTED_RATES)):
        if rate not in steps and (rate in REPORTED_RATES or not failed):
            return rate
    return None


def max_rate(steps: dict[float, Step]) -> float:
    """The highest rate held with every lower measured rate held too (0 if the first failed)."""
    best = 0.0
    for rate in sorted(steps):
        if not steps[rate].held:
            break
        best = rate
    return best


async def post(client: httpx.AsyncClient, url: str, send: Send, text: str, due: float, step: Step) -> None:
    await asyncio.sleep(max(0.0, due - time.perf_counter()))
    try:
        response = await client.post(url, json={"sender": send.sender, "message": text})
        if not 200 <= response.status_code < 300:
            kind = f"http {response.status_code}"
        elif not (text := " ".join(m.get("text") or "" for m in response.json()).strip()):
            kind = "empty reply"
        elif SLOW_DOWN in text:
            kind = "rate-limited reply"
        else:
            step.latencies_ms.append((time.perf_counter() - due) * 1000)
            return
    except httpx.TimeoutException:
        kind = "timeout"
    except (httpx.HTTPError, ValueError) as exc:
        kind = type(exc).__name__
    step.errors[kind] = step.errors.get(kind, 0) + 1


async def offer(url: str, sends: list[Send], questions: list[str], rate: float, timeout: float) -> Step:
    """Send every message at its scheduled time, wait for all replies (or timeouts)."""
    step = Step(rate)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        start = time.perf_counter() + 0.2
        await asyncio.gather(*(post(client, url, s, message(s, questions), start + s.at, step) for s in sends))
    step.seconds = time.perf_counter() - start
    return step


def questions() -> list[str]:
    return [i["text"] for i in yaml.safe_load((ROOT / "tests" / "devset" / "questions.yml").read_text())]


def peak_rss_mb(servers: list[Server]) -> dict[str, float | None]:
    """Peak RSS (VmHWM) of each server's processes, summed per server: its process group (own session).
    None for a server that has exited (its peak is gone with it)."""
    groups = {s.process.pid: s.name for s in servers if s.process and s.process.poll() is None}
    peaks: dict[str, float | None] = {s.name: None for s in servers}
    peaks.update(dict.fromkeys(groups.values(), 0.0))
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            pgrp = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2])
            if pgrp in groups:
                hwm = next(line for line in (proc / "status").read_text().splitlines() if line.startswith("VmHWM"))
                peaks[groups[pgrp]] += int(hwm.split()[1]) / 1024
        except (OSError, StopIteration, IndexError, ValueError):
            continue  # exited meanwhile, or a kernel thread
    return peaks


class Unavailable(Exception):
    """A system this machine cannot start; the bench says so and goes on."""


def run_system(workdir: Path):
    stack = Stack(
        rasa_port=free_port(), action_port=free_port(), web_port=free_port(), workdir=workdir, env=dict(SERVER_ENV)
    )
    return stack, lambda: stack.rasa_url, lambda: stack.servers


def bare_system(workdir: Path):
    bare = BareRasa(free_port(), free_port(), workdir)
    return bare, lambda: bare.url, lambda: bare.servers


def cluster_system(workdir: Path):
    try:
        from cluster import Cluster, Ports, missing_programs
    except ImportError as exc:
        raise Unavailable(f"scripts/cluster.py not importable: {exc}") from exc
    if missing := missing_programs():
        raise Unavailable(f"{', '.join(missing)} not installed")
    cluster = Cluster(Ports.free(2, 2), workdir=workdir, database_prefix="aftercare_benchload", env=dict(SERVER_ENV))
    return cluster, lambda: cluster.public_url, lambda: cluster.servers


SYSTEMS = {"bare": bare_system, "run": run_system, "cluster": cluster_system}


@dataclass
class Result:
    name: str
    steps: dict[float, Step] = field(default_factory=dict)
    rss_mb: dict[str, float | None] = field(default_factory=dict)
    unavailable: str = ""


def measure(name: str, args, texts: list[str], workdir: Path) -> Result:
    """Start one system, warm it up, offer the rates, read its peak RSS, stop it."""
    result = Result(name)
    try:
        system, url_of, servers_of = SYSTEMS[name](workdir / name)
        print(f"\n== {name}: starting", flush=True)
        system.start(timeout=600, report=lambda m: print(f"   {m}", flush=True))
    except Exception as exc:  # noqa: BLE001 - a system that cannot start is reported, the others still run
        result.unavailable = str(exc).splitlines()[0]
        print(f"== {name}: not measured ({result.unavailable})", flush=True)
        return result
    cleanup = getattr(system, "drop_databases", None)  # the cluster's PostgreSQL databases are for this run only
    try:
        url = url_of() + "/webhooks/rest/webhook"
        asyncio.run(offer(url, schedule(5, args.warmup, args.gap, tag=f"warm-{name}-"), texts, 5, args.timeout))
        print(
            f"{'rate/s':>6} {'sent':>5} {'ok':>5} {'errors':>6} {'served/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'p99 ms':>8}  held",
            flush=True,
        )
        while (rate := next_rate(result.steps)) is not None:
            sends = schedule(rate, args.seconds, args.gap, tag=f"{name}-{rate}-")
            step = asyncio.run(offer(url, sends, texts, rate, args.timeout))
            result.steps[rate] = step
            print(step_line(step, len(sends)), flush=True)
            time.sleep(2)  # let the last replies' work (tracker writes) finish before the next step
        result.rss_mb = peak_rss_mb(servers_of())
        print(f"max rate with p95 <= {P95_LIMIT_MS:.0f} ms: {max_rate(result.steps):g}/s", flush=True)
        print(
            "peak RSS: "
            + ", ".join(f"{k} {v:.0f} MB" if v is not None else f"{k} exited" for k, v in result.rss_mb.items())
            + f"; total {sum(v for v in result.rss_mb.values() if v):.0f} MB",
            flush=True,
        )
    finally:
        system.stop()
        if cleanup:
            cleanup()
    return result


def fmt_ms(value: float) -> str:
    return f"{value:8.0f}" if math.isfinite(value) else f"{'-':>8}"


def step_line(step: Step, sent: int) -> str:
    errors = ", ".join(f"{k} {v}" for k, v in sorted(step.errors.items()))
    return (
        f"{step.rate:>6g} {sent:>5} {len(step.latencies_ms):>5} {step.error_count:>6} "
        f"{len(step.latencies_ms) / max(step.seconds, 1e-9):>8.1f} {fmt_ms(step.p(0.5))} {fmt_ms(step.p(0.95))} "
        f"{fmt_ms(step.p(0.99))}  {'yes' if step.held else 'no'}" + (f"  ({errors})" if errors else "")
    )


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b and math.isfinite(a) and math.isfinite(b) else "n/a"


def summary_line(result: Result, bare: Result) -> str:
    """`vs bare rasa: run max-rate ratio 0.75, p95@10 ratio 2.84`, or why the system was not measured."""
    if result.unavailable or not result.steps:
        return f"{result.name}: not measured ({result.unavailable or 'no steps'})"
    if bare.unavailable or not bare.steps:
        return f"{result.name}: no ratios (bare rasa not measured)"
    p95 = ratio(result.steps[10].p(0.95), bare.steps[10].p(0.95)) if 10 in result.steps and 10 in bare.steps else "n/a"
    return f"vs bare rasa: {result.name} max-rate ratio {ratio(max_rate(result.steps), max_rate(bare.steps))}, p95@10 ratio {p95}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Open-loop load on Rasa's REST channel")
    parser.add_argument("--seconds", type=float, default=30, help="length of each offered-rate step (default 30)")
    parser.add_argument("--warmup", type=float, default=10, help="warm-up at 5/s before the steps (default 10)")
    parser.add_argument("--gap", type=float, default=2, help="seconds between one sender's messages (default 2)")
    parser.add_argument("--timeout", type=float, default=15, help="a reply later than this is an error (default 15)")
    parser.add_argument("--systems", default="bare,run,cluster", help="in this order (default bare,run,cluster)")
    args = parser.parse_args(argv)
    names = [n for n in args.systems.split(",") if n]
    if unknown := [n for n in names if n not in SYSTEMS]:
        parser.error(f"unknown system(s) {', '.join(unknown)}; known: {', '.join(SYSTEMS)}")
    texts = questions()
    print(
        f"Open-loop load, {args.seconds:g} s per step, 3-turn conversations, one message per sender every "
        f"{args.gap:g} s, timeout {args.timeout:g} s; systems one after another",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        results = {n: measure(n, args, texts, Path(tmp)) for n in names}
    bare = results.get("bare", Result("bare", unavailable="not in --systems"))
    print()
    for name in ("run", "cluster"):  # the closing lines, one per system, always in this order
        result = results.get(name)
        if result is None:
            print(f"{name}: not measured (not in --systems)")
        elif name == "cluster" and result.unavailable:
            print("cluster: not measured (make cluster not available)")
        else:
            print(summary_line(result, bare))
    return 0


if __name__ == "__main__":
    sys.exit(main())
