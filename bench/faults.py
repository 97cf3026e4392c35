"""`make bench-faults`: what patients see when a part of `make cluster` fails under 10 messages/s.

For each fault, the cluster (2 Rasa replicas, 2 action servers, PostgreSQL, Redis, nginx) takes open-loop
load (bench/load.py's multi-turn conversations) for --seconds; --at seconds in, the fault happens:

    rasa        one Rasa replica is killed (SIGKILL); the supervisor restarts it, as under `make cluster`
    actions     one action server is killed (SIGKILL); the supervisor restarts it
    redis       Redis (Rasa's lock store) is stopped; the supervisor starts it again
    postgresql  PostgreSQL (tracker store and the app's store) is restarted (pg_ctlcluster restart)

Every message sent gets one outcome: `answered`, `told` (a reply saying the assistant has trouble, with
the clinic and the emergency number: the patient is not left waiting), or `lost` (no reply: a timeout, a
refused connection, a 5xx or an empty reply). Per fault it prints those counts, the 5xx among the lost,
and the time to recover: from the fault until the last message that was not answered (after it, every
message was). Prints figures; asserts nothing.

    .venv/bin/python bench/faults.py [--seconds 40] [--at 10] [--rate 10] [--faults rasa,...]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from common import supervise_in_background  # noqa: E402
from load import SERVER_ENV, SLOW_DOWN, Send, message, questions, schedule  # noqa: E402

TROUBLE = "having trouble"  # bot/alerts.py trouble_reply: the reply when the assistant cannot answer
FAULTS = ("rasa", "actions", "redis", "postgresql")


@dataclass
class Outcome:
    due: float  # seconds after the load started
    kind: str  # answered, told, lost
    detail: str = ""


@dataclass
class Run:
    fault: str
    fault_at: float
    outcomes: list[Outcome] = field(default_factory=list)
    note: str = ""

    def count(self, kind: str) -> int:
        return sum(o.kind == kind for o in self.outcomes)

    def server_errors(self) -> int:
        return sum(o.detail.startswith("http 5") for o in self.outcomes)

    def recovery(self) -> float:
        """Seconds from the fault to the last message not answered (0 when every message was)."""
        missed = [o.due for o in self.outcomes if o.kind != "answered" and o.due >= self.fault_at - 1]
        return max(0.0, max(missed) - self.fault_at) if missed else 0.0


async def post(client: httpx.AsyncClient, url: str, send: Send, text: str, start: float, run: Run) -> None:
    due = start + send.at
    await asyncio.sleep(max(0.0, due - time.perf_counter()))
    kind, detail = "lost", ""
    try:
        response = await client.post(url, json={"sender": send.sender, "message": text})
        replies = " ".join(m.get("text") or "" for m in response.json()) if response.is_success else ""
        if not response.is_success:
            detail = f"http {response.status_code}"
        elif not replies.strip():
            detail = "empty reply"
        elif TROUBLE in replies or SLOW_DOWN in replies:
            kind, detail = "told", "trouble reply" if TROUBLE in replies else "rate-limited reply"
        else:
            kind = "answered"
    except httpx.TimeoutException:
        detail = "timeout"
    except (httpx.HTTPError, ValueError) as exc:
        detail = type(exc).__name__
    run.outcomes.append(Outcome(send.at, kind, detail))


async def offer(url: str, sends: list[Send], texts: list[str], timeout: float, run: Run) -> None:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        start = time.perf_counter() + 0.2
        await asyncio.gather(*(post(client, url, s, message(s, texts), start, run) for s in sends))


def postgres_cluster() -> tuple[str, str] | None:
    """(version, name) of the machine's PostgreSQL cluster, from pg_lsclusters (as scripts/system.sh)."""
    try:
        line = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    parts = line.split()
    return (parts[0], parts[1]) if len(parts) >= 2 else None


def inject(fault: str, cluster) -> str:
    """Cause the fault; what was done. Servers of the cluster are only stopped here: the supervisor starts
    them again from its own thread, as under `make cluster` (a server started from this short-lived timer
    thread would die with it: scripts/stack.py die_with_launcher)."""
    if fault in ("rasa", "actions", "redis"):
        server = next(
            s for s in cluster.servers if s.name.startswith({"rasa": "rasa", "actions": "action"}.get(fault, fault))
        )
        server.process.kill()
        return f"killed {server.name}"
    found = postgres_cluster()
    if found is None:
        return "PostgreSQL not restarted: pg_lsclusters not found"
    done = subprocess.run(["pg_ctlcluster", *found, "restart"], capture_output=True, text=True)
    if done.returncode:
        return f"PostgreSQL restart failed: {done.stderr.strip()[:120]}"
    return f"PostgreSQL {found[0]}/{found[1]} restarted"


def under_fault(fault: str, cluster, args, texts: list[str]) -> Run:
    run = Run(fault, args.at)
    sends = schedule(args.rate, args.seconds, 2.0, tag=f"fault-{fault}-")
    timer = threading.Timer(args.at, lambda: setattr(run, "note", inject(fault, cluster)))
    timer.start()
    asyncio.run(offer(cluster.public_url + "/webhooks/rest/webhook", sends, texts, args.timeout, run))
    timer.join()
    return run


def line(run: Run) -> str:
    lost = [o.detail for o in run.outcomes if o.kind == "lost"]
    kinds = ", ".join(f"{lost.count(k)} {k}" for k in sorted(set(lost)))
    return (
        f"{run.fault:<10} sent {len(run.outcomes)}: answered {run.count('answered')}, told {run.count('told')}, "
        f"lost {run.count('lost')}{f' ({kinds})' if kinds else ''}; 5xx {run.server_errors()}; "
        f"recovered {run.recovery():.1f} s after the fault  [{run.note}]"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--at", type=float, default=10.0, help="seconds into the load the fault happens")
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=15.0)
    parser.add_argument("--faults", default=",".join(FAULTS))
    args = parser.parse_args(argv)
    from cluster import Cluster, Ports, missing_programs

    if missing := missing_programs():
        print(f"not measured: {', '.join(missing)} not installed (make system)", file=sys.stderr)
        return 1
    texts = questions()
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster(
            Ports.free(2, 2), workdir=Path(tmp), database_prefix="aftercare_benchfaults", env=dict(SERVER_ENV)
        )
        cluster.start(timeout=600, report=lambda m: print(f"   {m}", flush=True))
        stop_supervising = supervise_in_background(cluster.servers, lambda m: print(f"   ({m})", flush=True))
        try:
            warm = Run("warm-up", float("inf"))
            asyncio.run(
                offer(
                    cluster.public_url + "/webhooks/rest/webhook",
                    schedule(5, 20, 2.0, tag="warm-"),
                    texts,
                    args.timeout,
                    warm,
                )
            )
            print(f"warm-up    sent {len(warm.outcomes)}: answered {warm.count('answered')}", flush=True)
            for fault in args.faults.split(","):
                print(line(under_fault(fault, cluster, args, texts)), flush=True)
                time.sleep(5)  # restarted servers settle before the next fault
        finally:
            stop_supervising()
            cluster.stop()
            cluster.drop_databases()
    return 0


if __name__ == "__main__":
    sys.exit(main())
