"""Start, health-check and stop the three servers (action server, Rasa, web page).

Used by `make run` (fixed ports, logs under var/logs), by `make cluster` (scripts/cluster.py: the same
servers, several of each, behind nginx) and by the end-to-end tests (free ports, temporary tracker
store), so all of them exercise exactly the same commands.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "var" / "models" / "aftercare.tar.gz"
VENV, VENV_RASA = ROOT / ".venv" / "bin", ROOT / ".venv-rasa" / "bin"
# Rasa's SQL tracker store, writing handoff form answers as "[removed]" (channels/private_tracker.py).
TRACKER_STORE = "channels.private_tracker.PrivateSQLTrackerStore"


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


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_launcher() -> None:
    """In a server's process before exec: the kernel kills it when the launcher dies, however it dies.

    A launcher killed without its clean-up (SIGKILL, a test run's timeout) otherwise left its servers
    running, each holding a port, a gigabyte and a share of the CPU."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


@dataclass
class Server:
    name: str
    command: list[str]
    health_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    probe: Callable[[], bool] | None = None  # for servers that do not speak HTTP (Redis); else GET health_url

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
            preexec_fn=die_with_launcher,
        )

    def healthy(self) -> bool:
        return self.probe() if self.probe else http_ok(self.health_url)

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def stop(self, grace: float = 10.0) -> None:
        self.ask_to_stop()
        self.wait_stopped(time.monotonic() + grace)

    def ask_to_stop(self) -> None:
        """SIGTERM to the server's process group, without waiting."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def wait_stopped(self, deadline: float) -> None:
        """Wait until the server has exited; SIGKILL its group if it is still running at `deadline`."""
        if self.process is None:
            return
        try:
            self.process.wait(max(deadline - time.monotonic(), 0.0))
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

    @property
    def sender_secret_file(self) -> Path:
        """The key file of this run's conversation ids (see bot/sender_ids.py), unless configured."""
        return sender_secret_file(self.env, self.workdir)

    def conversation_id(self, channel: str, raw_id: str) -> str:
        """The id Rasa stores for `raw_id` on `channel` (how tests find a conversation in the tracker store)."""
        from bot.sender_ids import conversation_id

        return conversation_id(load_secret_file(self.sender_secret_file), channel, raw_id)

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
            f'action_endpoint:\n  url: "{self.action_url}/webhook"\n'
            f'tracker_store:\n  type: {TRACKER_STORE}\n  dialect: sqlite\n  db: "{self.workdir / "tracker.db"}"\n',
            encoding="utf-8",
        )
        return path

    def build(self) -> None:
        env = server_env(self.env)
        # Tickets, unanswered questions and feedback of this run live in its working folder (var/ for
        # `make run`), unless a database is configured: the action server and the web app share it.
        env.setdefault("DATABASE_URL", self.database_url)
        env.update(shared_key_files(env, self.workdir))
        # Browsers may call Rasa and the action server only from this run's web app, unless configured.
        if not any(env.get(k) or os.environ.get(k) for k in ("AFTERCARE_ALLOWED_ORIGINS", "AFTERCARE_PUBLIC_URL")):
            env["AFTERCARE_ALLOWED_ORIGINS"] = f"{self.web_url},http://localhost:{self.web_port}"
        logs = self.workdir / "logs"
        self.servers = [
            action_server(self.action_port, env, logs / "actions.log"),
            rasa_server(self.rasa_port, self.model, self.write_endpoints(), self.credentials, env, logs / "rasa.log"),
            web_server(
                self.web_port,
                {**env, "AFTERCARE_RASA_URL": self.rasa_url, "AFTERCARE_ACTION_SERVER_URL": self.action_url},
                logs / "web.log",
            ),
        ]

    def start(self, timeout: float = 240.0, report=lambda message: None) -> None:
        """Start all servers and wait until each answers its health check; raise with its log if not."""
        self.build()
        launch(self.servers, timeout, report)

    def stop(self) -> None:
        stop_all(self.servers)


# Keys that several servers of a run must share, by setting and file name in the run's working folder:
# conversation ids and web session ids (every Rasa replica), and Rasa's token for the action servers.
SHARED_KEYS = {"AFTERCARE_SENDER_SECRET_FILE": "sender-secret", "AFTERCARE_ACTION_SECRET_FILE": "action-secret"}


def shared_key_file(setting: str, env: dict[str, str], workdir: Path) -> Path:
    """A shared key file of a run: the setting if configured, else its file in the run's working folder."""
    return Path(os.environ.get(setting) or env.get(setting) or workdir / SHARED_KEYS[setting])


def sender_secret_file(env: dict[str, str], workdir: Path) -> Path:
    """The sender-id key file of a run: AFTERCARE_SENDER_SECRET_FILE if set, else one in its working folder."""
    return shared_key_file("AFTERCARE_SENDER_SECRET_FILE", env, workdir)


def shared_key_files(env: dict[str, str], workdir: Path) -> dict[str, str]:
    """The run's shared key files as settings, each made (random, 0600) before any server starts.

    Every server of the run is pointed at the same file, so all share one key; a server makes only its
    default file itself and refuses a named one that is missing, hence the launcher makes it first."""
    files = {}
    for setting in SHARED_KEYS:
        path = shared_key_file(setting, env, workdir)
        if not (env.get(setting) or os.environ.get(setting)):
            load_secret_file(path)  # a configured file must exist already; the servers say so if it does not
        files[setting] = str(path)
    return files


def load_secret_file(path: Path) -> bytes:
    """The key in `path`, made (random, 0600) when missing: bot/secret_file.py, the console's helper."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the bot package, when run as scripts/stack.py
    from bot.secret_file import load_secret

    return load_secret(path, create=True)


def server_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment every server of a run gets (no telemetry, unbuffered logs), plus the run's own."""
    return {"RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1", **extra}


def action_server(port: int, env: dict[str, str], log: Path, name: str = "action server") -> Server:
    """The action server (actions/server.py) on a loopback port."""
    return Server(
        name,
        [str(VENV / "python"), "-m", "actions.server", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        log,
        env,
    )


def rasa_server(
    port: int, model: Path, endpoints: Path, credentials: Path, env: dict[str, str], log: Path, name: str = "rasa"
) -> Server:
    """A Rasa server with the project's channels, on a loopback port."""
    command = [
        str(VENV_RASA / "rasa"), "run",
        "--model", str(model),
        "--endpoints", str(endpoints),
        "--credentials", str(credentials),
        "--port", str(port),
        "--interface", "127.0.0.1",
        "--cors", *allowed_origins(env),
    ]  # fmt: skip
    # The connectors in channels/ are imported by Rasa from the project folder.
    path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", os.environ.get("PYTHONPATH", ""))]))
    return Server(name, command, f"http://127.0.0.1:{port}/", log, {**env, "PYTHONPATH": path})


def allowed_origins(env: dict[str, str]) -> list[str]:
    """The origins whose pages may call Rasa from a browser (AFTERCARE_ALLOWED_ORIGINS, bot/config.py)."""
    from bot.config import Settings  # the project is installed in .venv; imported late, stack.py runs bare too

    return Settings.from_env({**os.environ, **env}).security.origins


def web_server(port: int, env: dict[str, str], log: Path, name: str = "web") -> Server:
    """The web app (widget, demo page, console) under uvicorn, on a loopback port."""
    # --no-proxy-headers: uvicorn would otherwise take X-Forwarded-For from any local process as the client's
    # address; the app reads it itself, from AFTERCARE_TRUSTED_PROXIES only.
    return Server(
        name,
        [
            str(VENV / "uvicorn"),
            "--factory",
            "web.app:app_from_environment",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-proxy-headers",
        ],
        f"http://127.0.0.1:{port}/healthz",
        log,
        env,
    )


def launch(servers: list[Server], timeout: float, report=lambda message: None) -> None:
    """Start servers and wait until each answers its health check; stop them and raise with the log if not."""
    for server in servers:
        server.start()
    deadline = time.monotonic() + timeout
    pending = list(servers)
    while pending:
        for server in list(pending):
            if server.healthy():
                pending.remove(server)
                report(f"{server.name} is up ({server.health_url})")
            elif server.exited():
                stop_all(servers)
                raise RuntimeError(f"{server.name} exited during start-up. Log:\n{server.log_tail()}")
        if pending and time.monotonic() > deadline:
            stop_all(servers)
            names = ", ".join(s.name for s in pending)
            tails = "\n".join(f"--- {s.name}\n{s.log_tail()}" for s in pending)
            raise RuntimeError(f"not healthy after {timeout:.0f}s: {names}\n{tails}")
        time.sleep(0.5)


def stop_all(servers: list[Server], grace: float = 10.0) -> None:
    """Stop servers: signal each in the reverse of their start order (front ends first), then wait for all
    at once, so a stack stops in its slowest server's time rather than in the sum of them."""
    for server in reversed(servers):
        server.ask_to_stop()
    deadline = time.monotonic() + grace
    for server in reversed(servers):
        server.wait_stopped(deadline)


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
            self.report(
                f"{name} stopped unexpectedly (exit code {code}); restarting in {wait:.0f} s. Log: {server.log_path}"
            )


def main() -> int:
    """`make run`: start everything on the standard ports, print where to talk, stop on Ctrl-C."""
    stack = Stack()
    if not stack.model.exists():
        print(f"error: no trained Rasa model at {stack.model}; run `make train`.", file=sys.stderr)
        return 1
    busy = [p for p in (stack.rasa_port, stack.action_port, stack.web_port) if not port_free(p)]
    if busy:
        print(
            f"error: port(s) {', '.join(map(str, busy))} already in use; stop whatever uses them first.",
            file=sys.stderr,
        )
        return 1
    print("Starting the action server, Rasa and the web page (about a minute)...", flush=True)
    return serve(
        stack,
        lambda: (
            "\nThe aftercare assistant is running:\n"
            f"  Demo clinic page:   {stack.web_url}/  (chat widget at the bottom right)\n"
            f"  Front desk console: {stack.web_url}/desk  (create an account: .venv/bin/bot user add NAME --role admin)\n"
            f'  Widget for a site:  <script src="{stack.web_url}/widget.js" data-title="..." async></script>\n'
            f"  Rasa REST:          curl -s {stack.rasa_url}/webhooks/rest/webhook "
            '-d \'{"sender": "me", "message": "can I go to the gym after botox?"}\'\n'
            f"  Rasa socket.io:     {stack.rasa_url}/socket.io\n"
            f"  Logs:               {stack.workdir / 'logs'}/\n"
            "Press Ctrl-C to stop."
        ),
    )


def serve(launcher, banner: Callable[[], str], failures: tuple[type[Exception], ...] = (RuntimeError,)) -> int:
    """Start the launcher's servers (a Stack or a Cluster), print the banner, keep them running until Ctrl-C
    or SIGTERM, then stop them all; the exit code."""
    stop_on_signals()
    try:
        launcher.start(report=lambda m: print(f"  {m}", flush=True))
        print(banner(), flush=True)
        supervise(launcher.servers)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except failures as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        launcher.stop()


def supervise(servers: list[Server]) -> None:
    """Until Ctrl-C: a crashed server is restarted (with backoff), the others keep serving."""
    supervisor = Supervisor(servers, report=lambda m: print(m, file=sys.stderr, flush=True))
    supervisor.started = {s.name: time.monotonic() for s in servers}
    while True:
        supervisor.step()
        time.sleep(1)


def stop_on_signals() -> None:
    """Make Ctrl-C (SIGINT) and SIGTERM raise KeyboardInterrupt, so the launcher stops every server."""
    # Installed explicitly: a shell that starts the launcher in the background leaves SIGINT ignored, and
    # Python then would not raise on it.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def port_free(port: int) -> bool:
    """Nothing accepts connections on this loopback port."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


if __name__ == "__main__":
    sys.exit(main())
