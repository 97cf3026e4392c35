"""`make cluster`: the production topology on this machine, from Debian's packages and the project's venvs.

PostgreSQL (Rasa's SQL tracker store and the app's store, one database each), Redis (Rasa's lock store,
so any replica may take any turn of a conversation), N Rasa replicas, M action servers, the web app, and
nginx in front on one port. Rasa reaches the action servers through a second nginx port, so any replica
uses any action server. The servers are the ones `make run` starts (scripts/stack.py), with the same
commands, supervisor and Ctrl-C handling.

    python scripts/cluster.py --rasa 2 --actions 2 --port 8080
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import secrets
import shutil
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import yaml

from stack import (
    MODEL,
    ROOT,
    VENV,
    Server,
    action_server,
    free_port,
    launch,
    port_free,
    rasa_server,
    serve,
    server_env,
    shared_key_files,
    stop_all,
    web_server,
)  # fmt: skip

TEMPLATE = ROOT / "deploy" / "nginx" / "cluster.conf.template"
# The role `make system` creates (scripts/system.sh); AFTERCARE_CLUSTER_POSTGRES points elsewhere.
DEFAULT_POSTGRES = "postgresql://aftercare:aftercare@127.0.0.1:5432"
NGINX_HEALTH_PATH = "/nginx-health"
# Conversation locks only: they live for one turn, so Redis keeps nothing on disk.
REDIS_LOCK_DB = 1
# Seconds a conversation's lock outlives a Rasa replica that died holding it (Rasa's default: 60). The next
# message of that conversation waits this long; a turn must finish within it (action timeout 6 s, NLU).
LOCK_LIFETIME_SECONDS = 12


def find_program(name: str) -> str | None:
    """The program on PATH, or in the sbin folders Debian installs daemons into (not on a user's PATH)."""
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/local/sbin") / name) if os.access(p, os.X_OK)), None
    )


def redis_answers(port: int) -> bool:
    """Redis on this loopback port answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Ports:
    """Every loopback port of one cluster."""

    public: int  # nginx: widget, channels, console
    actions_balancer: int  # nginx: Rasa -> action servers
    redis: int
    web: int
    rasa: list[int]
    actions: list[int]

    @classmethod
    def standard(cls, rasa: int, actions: int, public: int = 8080) -> Ports:
        """Fixed ports for `make cluster`, clear of `make run`'s 5005/5055/8000."""
        return cls(public, public + 1, 6390, 8100, [5105 + i for i in range(rasa)], [5155 + i for i in range(actions)])

    @classmethod
    def free(cls, rasa: int, actions: int) -> Ports:
        """Free ports, for tests and benches that run next to other stacks."""
        return cls(
            free_port(),
            free_port(),
            free_port(),
            free_port(),
            [free_port() for _ in range(rasa)],
            [free_port() for _ in range(actions)],
        )

    def all(self) -> list[int]:
        return [self.public, self.actions_balancer, self.redis, self.web, *self.rasa, *self.actions]


@dataclass
class Cluster:
    """The running cluster: ports, working folder, databases and every server, started in two phases."""

    ports: Ports
    workdir: Path = ROOT / "var" / "cluster"
    postgres: str = field(default_factory=lambda: os.environ.get("AFTERCARE_CLUSTER_POSTGRES", DEFAULT_POSTGRES))
    database_prefix: str = "aftercare_cluster"  # databases <prefix>_tracker and <prefix>_store
    model: Path = MODEL
    credentials: Path = ROOT / "credentials.yml"
    env: dict[str, str] = field(default_factory=dict)
    # One per run: the web app's publish reaches every action server with it; nothing outside this run has it.
    reload_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    phases: list[list[Server]] = field(default_factory=list)

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.public}"

    @property
    def action_urls(self) -> list[str]:
        """Each action server directly (the reload fan-out); Rasa goes through the balancer instead."""
        return [f"http://127.0.0.1:{port}" for port in self.ports.actions]

    @property
    def servers(self) -> list[Server]:
        return [server for phase in self.phases for server in phase]

    def database(self, purpose: str) -> str:
        return f"{self.database_prefix}_{purpose}"

    @property
    def store_url(self) -> str:
        """The app's store (tickets, unanswered questions, console users), shared by actions and web."""
        return self.postgres.replace("postgresql://", "postgresql+psycopg://", 1) + "/" + self.database("store")

    def prepare_databases(self) -> None:
        """Create the two databases if missing, and bring the store's schema to head once, before the
        action servers and the web app start (each would otherwise race to migrate a new database)."""
        from store import Store

        with psycopg.connect(self.postgres + "/postgres", autocommit=True, connect_timeout=5) as db:
            for purpose in ("tracker", "store"):
                name = self.database(purpose)
                if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                    db.execute(f'CREATE DATABASE "{name}"')
        Store.open(self.store_url).close()

    def drop_databases(self) -> None:
        """Remove both databases (tests clean up after themselves)."""
        with psycopg.connect(self.postgres + "/postgres", autocommit=True, connect_timeout=5) as db:
            for purpose in ("tracker", "store"):
                db.execute(f'DROP DATABASE IF EXISTS "{self.database(purpose)}" WITH (FORCE)')

    def write_endpoints(self) -> Path:
        """Rasa's endpoints: action servers via the balancer, SQL tracker store, Redis lock store."""
        pg = urlsplit(self.postgres)
        # The tracker store class of the committed endpoints.yml (Rasa's SQL store, or a subclass of it).
        tracker = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))["tracker_store"]["type"]
        path = self.workdir / "endpoints.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Holds the database password: private to the user, like Rasa's SQLite file in `make run`.
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(
            "# Written by scripts/cluster.py for this run; deploy/k8s/configmap.yaml has the cluster's copy.\n"
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.ports.actions_balancer}/webhook"\n'
            f"tracker_store:\n  type: {tracker}\n  dialect: postgresql\n"
            f'  url: "{pg.hostname}"\n  port: {pg.port or 5432}\n  db: "{self.database("tracker")}"\n'
            f'  username: "{pg.username}"\n  password: "{pg.password or ""}"\n'
            "lock_store:\n  type: redis\n"
            f'  url: "127.0.0.1"\n  port: {self.ports.redis}\n  db: {REDIS_LOCK_DB}\n  key_prefix: aftercare\n',
            encoding="utf-8",
        )
        return path

    def write_nginx_conf(self) -> Path:
        """deploy/nginx/cluster.conf.template with this cluster's ports and folders filled in."""
        from bot.config import Settings

        prefix = self.workdir / "nginx"
        for sub in ("logs", "temp"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)

        def upstream(ports: list[int]) -> str:
            return "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in ports)

        values = {
            "prefix": str(prefix),
            "user": pwd.getpwuid(os.getuid()).pw_name,
            "port": str(self.ports.public),
            "actions_port": str(self.ports.actions_balancer),
            "rasa_servers": upstream(self.ports.rasa),
            "action_servers": upstream(self.ports.actions),
            "web_servers": upstream([self.ports.web]),
            # The apps refuse bigger bodies with a clear 413 themselves; nginx only must not refuse first.
            "max_body_bytes": str(Settings.from_env().limits.max_request_bytes + 4096),
            "nginx_health_path": NGINX_HEALTH_PATH,
        }
        text = re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], TEMPLATE.read_text(encoding="utf-8"))
        path = prefix / "nginx.conf"
        path.write_text(text, encoding="utf-8")
        return path

    def build(self) -> None:
        """Redis first (Rasa connects to it at start-up), then everything else at once."""
        logs = self.workdir / "logs"
        env = server_env(
            {
                "DATABASE_URL": self.store_url,
                "AFTERCARE_RELOAD_TOKEN": self.reload_token,
                # Every request arrives from nginx: its X-Forwarded-For names the client (per-address limits), and
                # pages are served from nginx's address (browser origins).
                "AFTERCARE_TRUSTED_PROXIES": "127.0.0.1",
                "AFTERCARE_PUBLIC_URL": self.public_url,
                "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_SECONDS),
                **self.env,
            }
        )
        # One sender-id key and one action-server key for every replica, made here before any starts.
        env.update(shared_key_files(env, self.workdir))
        redis = Server(
            "redis",
            [
                find_program("redis-server") or "redis-server",
                "--port",
                str(self.ports.redis),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            f"redis://127.0.0.1:{self.ports.redis}",
            logs / "redis.log",
            probe=lambda: redis_answers(self.ports.redis),
        )
        endpoints = self.write_endpoints()
        actions = [
            action_server(port, env, logs / f"actions-{i}.log", f"action server {i}")
            for i, port in enumerate(self.ports.actions, 1)
        ]
        rasas = [
            rasa_server(port, self.model, endpoints, self.credentials, env, logs / f"rasa-{i}.log", f"rasa {i}")
            for i, port in enumerate(self.ports.rasa, 1)
        ]
        web = web_server(
            self.ports.web,
            {
                **env,
                # The widget's socket.io and the demo page's relay go through nginx, like a patient's browser.
                "AFTERCARE_RASA_URL": self.public_url,
                "AFTERCARE_ACTION_SERVER_URL": ",".join(self.action_urls),
            },
            logs / "web.log",
        )
        conf = self.write_nginx_conf()
        nginx = Server(
            "nginx",
            [
                find_program("nginx") or "nginx",
                "-p",
                str(conf.parent),
                "-c",
                str(conf),
                "-e",
                str(conf.parent / "logs" / "error.log"),
            ],
            f"{self.public_url}{NGINX_HEALTH_PATH}",
            logs / "nginx.log",
        )
        self.phases = [[redis], [*actions, *rasas, web, nginx]]

    def start(self, timeout: float = 300.0, report=lambda message: None) -> None:
        """Prepare the databases, start every server and wait until each is healthy; raise with logs if not."""
        self.prepare_databases()
        self.build()
        started: list[Server] = []
        try:
            for phase in self.phases:
                started += phase
                launch(phase, timeout, report)
        except BaseException:
            stop_all(started)
            raise

    def stop(self) -> None:
        stop_all(self.servers)

    def rasa_servers(self) -> list[Server]:
        return [s for s in self.servers if s.name.startswith("rasa ")]


def missing_programs() -> list[str]:
    """The Debian packages `make cluster` needs that are not installed (`make system` installs them)."""
    return [
        package
        for package, program in (("redis-server", "redis-server"), ("nginx", "nginx"))
        if not find_program(program)
    ]


def main(argv: list[str] | None = None) -> int:
    """`make cluster`: start everything, print where to talk, stop on Ctrl-C."""
    parser = argparse.ArgumentParser(description="The aftercare assistant as a cluster on this machine")
    parser.add_argument("--rasa", type=int, default=2, help="Rasa replicas (default 2)")
    parser.add_argument("--actions", type=int, default=2, help="action servers (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's public port (default 8080)")
    args = parser.parse_args(argv)
    if args.rasa < 1 or args.actions < 1:
        print("error: --rasa and --actions must be at least 1", file=sys.stderr)
        return 1
    cluster = Cluster(Ports.standard(args.rasa, args.actions, args.port))
    if not cluster.model.exists():
        print(f"error: no trained Rasa model at {cluster.model}; run `make train`.", file=sys.stderr)
        return 1
    if missing := missing_programs():
        print(f"error: {', '.join(missing)} not installed; run `make system`.", file=sys.stderr)
        return 1
    busy = [p for p in cluster.ports.all() if not port_free(p)]
    if busy:
        print(
            f"error: port(s) {', '.join(map(str, busy))} already in use; stop whatever uses them first.",
            file=sys.stderr,
        )
        return 1
    print(
        f"Starting Redis, {args.rasa} Rasa replica(s), {args.actions} action server(s), the web app and nginx "
        "(a minute or two)...",
        flush=True,
    )
    begun = time.monotonic()
    url, ports = cluster.public_url, cluster.ports
    return serve(
        cluster,
        lambda: (
            f"\nThe aftercare cluster is running ({time.monotonic() - begun:.0f} s to start), all through nginx at {url}:\n"
            f"  Demo clinic page:   {url}/\n"
            f"  Front desk console: {url}/desk  (accounts: DATABASE_URL={cluster.store_url} {VENV}/bot user add NAME --role admin)\n"
            f"  Rasa REST:          curl -s {url}/webhooks/rest/webhook "
            '-d \'{"sender": "me", "message": "can I go to the gym after botox?"}\'\n'
            f"  Rasa socket.io:     {url}/socket.io\n"
            f"  Rasa replicas:      {', '.join(map(str, ports.rasa))}; action servers: {', '.join(map(str, ports.actions))} "
            f"(behind 127.0.0.1:{ports.actions_balancer}); Redis {ports.redis}\n"
            f"  Logs:               {cluster.workdir / 'logs'}/ and {cluster.workdir / 'nginx' / 'logs'}/\n"
            "Press Ctrl-C to stop."
        ),
        failures=(RuntimeError, OSError, psycopg.Error),
    )  # a server that would not start, a database out of reach


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # the store and bot packages, for the databases and the body cap
    sys.exit(main())
