"""Start, health-check and stop the three servers (action server, Rasa, web page).

Used by `make run` (fixed ports, logs under var/logs) and by the end-to-end tests (free ports,
temporary tracker store), so both exercise exactly the same commands.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "var" / "models" / "aftercare.tar.gz"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except OSError:
        return False


@dataclass
class Server:
    name: str
    command: list[str]
    health_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so stopping it stops its children too
        )

    def healthy(self) -> bool:
        return http_ok(self.health_url)

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def stop(self, grace: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Stack:
    """The running assistant: ports, working folder and the three servers."""

    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8000
    workdir: Path = ROOT / "var"
    model: Path = MODEL
    credentials: Path = ROOT / "credentials.yml"  # Rasa's channels; tests pass their own
    env: dict[str, str] = field(default_factory=dict)
    servers: list[Server] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def database_url(self) -> str:
        """The database the servers share: DATABASE_URL / AFTERCARE_DATABASE_URL if set, else SQLite in workdir."""
        for name in ("DATABASE_URL", "AFTERCARE_DATABASE_URL"):
            if self.env.get(name) or os.environ.get(name):
                return self.env.get(name) or os.environ[name]
        return f"sqlite:///{self.workdir / 'aftercare.db'}"

    def write_endpoints(self) -> Path:
        """Rasa's endpoints file for these ports, with the SQLite tracker store in the working folder."""
        path = self.workdir / "endpoints.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Conversations hold what patients wrote: Rasa's SQLite file is created private (0600) before Rasa
        # opens it (SQLite keeps the mode of an existing file).
        tracker = self.workdir / "tracker.db"
        os.close(os.open(tracker, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(tracker, 0o600)
        path.write_text(
            "# Written by scripts/stack.py for this run; the committed endpoints.yml has the defaults.\n"
            f"action_endpoint:\n  url: \"{self.action_url}/webhook\"\n"
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: \"{self.workdir / 'tracker.db'}\"\n",
            encoding="utf-8",
        )
        return path

    def build(self) -> None:
        env = {"RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1", **self.env}
        # Tickets, unanswered questions and feedback of this run live in its working folder (var/ for
        # `make run`), unless a database is configured: the action server and the web app share it.
        env.setdefault("DATABASE_URL", self.database_url)
        logs = self.workdir / "logs"
        venv, venv_rasa = ROOT / ".venv" / "bin", ROOT / ".venv-rasa" / "bin"
        self.servers = [
            Server(
                "action server",
                [str(venv / "python"), "-m", "actions.server", "--port", str(self.action_port)],
                f"{self.action_url}/health",
                logs / "actions.log",
                env,
            ),
            Server(
                "rasa",
                [
                    str(venv_rasa / "rasa"), "run",
                    "--model", str(self.model),
                    "--endpoints", str(self.write_endpoints()),
                    "--credentials", str(self.credentials),
                    "--port", str(self.rasa_port),
                    "--interface", "127.0.0.1",
                    "--cors", "*",
                ],  # fmt: skip
                f"{self.rasa_url}/",
                logs / "rasa.log",
                # The connectors in channels/ are imported by Rasa from the project folder.
                {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", os.environ.get("PYTHONPATH", ""))]))},
            ),
            Server(
                "web",
                # --no-proxy-headers: uvicorn would otherwise take X-Forwarded-For from any local process as
                # the client's address; the app reads it itself, from AFTERCARE_TRUSTED_PROXIES only.
                [str(venv / "uvicorn"), "web.app:app", "--host", "127.0.0.1", "--port", str(self.web_port),
                 "--no-proxy-headers"],
                f"{self.web_url}/healthz",
                logs / "web.log",
                {**env, "AFTERCARE_RASA_URL": self.rasa_url, "AFTERCARE_ACTION_SERVER_URL": self.action_url},
            ),
        ]

    def start(self, timeout: float = 240.0, report=lambda message: None) -> None:
        """Start all servers and wait until each answers its health check; raise with its log if not."""
        self.build()
        for server in self.servers:
            server.start()
        deadline = time.monotonic() + timeout
        pending = list(self.servers)
        while pending:
            for server in list(pending):
                if server.healthy():
                    pending.remove(server)
                    report(f"{server.name} is up ({server.health_url})")
                elif server.exited():
                    self.stop()
                    raise RuntimeError(f"{server.name} exited during start-up. Log:\n{server.log_tail()}")
            if pending and time.monotonic() > deadline:
                self.stop()
                names = ", ".join(s.name for s in pending)
                tails = "\n".join(f"--- {s.name}\n{s.log_tail()}" for s in pending)
                raise RuntimeError(f"not healthy after {timeout:.0f}s: {names}\n{tails}")
            time.sleep(0.5)

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()


@dataclass
class Supervisor:
    """Restarts servers that exit, waiting longer after each crash in a row (1, 2, 4 ... 30 s), so one crash
    does not stop the other servers and a server that crashes at once is not restarted in a tight loop."""

    servers: list[Server]
    report: object = print
    clock: object = time.monotonic
    max_delay: float = 30.0
    steady_after: float = 60.0  # up this long: the next crash starts the backoff again
    crashes: dict[str, int] = field(default_factory=dict)
    due: dict[str, float] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)

    def delay(self, name: str) -> float:
        return min(self.max_delay, 2.0 ** max(self.crashes.get(name, 1) - 1, 0))

    def step(self) -> None:
        """Notice exited servers and restart those whose wait is over."""
        now = self.clock()
        for server in self.servers:
            name = server.name
            if name in self.due:
                if now >= self.due[name]:
                    del self.due[name]
                    server.start()
                    self.started[name] = now
                    self.report(f"{name} restarted")
                continue
            if not server.exited():
                continue
            if now - self.started.get(name, float("-inf")) >= self.steady_after:
                self.crashes[name] = 0
            self.crashes[name] = self.crashes.get(name, 0) + 1
            wait = self.delay(name)
            self.due[name] = now + wait
            code = server.process.returncode if server.process else None
            self.report(f"{name} stopped unexpectedly (exit code {code}); restarting in {wait:.0f} s. "
                        f"Log: {server.log_path}")


def main() -> int:
    """`make run`: start everything on the standard ports, print where to talk, stop on Ctrl-C."""
    stack = Stack()
    if not stack.model.exists():
        print(f"error: no trained Rasa model at {stack.model}; run `make train`.", file=sys.stderr)
        return 1
    busy = [p for p in (stack.rasa_port, stack.action_port, stack.web_port) if not _port_free(p)]
    if busy:
        print(f"error: port(s) {', '.join(map(str, busy))} already in use; stop whatever uses them first.", file=sys.stderr)
        return 1
    # Ctrl-C (SIGINT) and SIGTERM both stop all three servers. Installed explicitly: a shell that starts
    # `make run` in the background leaves SIGINT ignored, and Python then would not raise on it.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    print("Starting the action server, Rasa and the web page (about a minute)...", flush=True)
    try:
        stack.start(report=lambda m: print(f"  {m}", flush=True))
        print(
            "\nThe aftercare assistant is running:\n"
            f"  Demo clinic page:   {stack.web_url}/  (chat widget at the bottom right)\n"
            f"  Front desk console: {stack.web_url}/desk  (create an account: .venv/bin/bot user add NAME --role admin)\n"
            f"  Widget for a site:  <script src=\"{stack.web_url}/widget.js\" data-title=\"...\" async></script>\n"
            f"  Rasa REST:          curl -s {stack.rasa_url}/webhooks/rest/webhook "
            "-d '{\"sender\": \"me\", \"message\": \"can I go to the gym after botox?\"}'\n"
            f"  Rasa socket.io:     {stack.rasa_url}/socket.io\n"
            f"  Logs:               {stack.workdir / 'logs'}/\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        supervisor = Supervisor(stack.servers, report=lambda m: print(m, file=sys.stderr, flush=True))
        supervisor.started = {s.name: time.monotonic() for s in stack.servers}
        while True:  # until Ctrl-C: a crashed server is restarted, the others keep serving
            supervisor.step()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


if __name__ == "__main__":
    sys.exit(main())
