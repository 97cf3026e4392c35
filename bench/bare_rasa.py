"""The bare Rasa reference bot for `make bench-load`: `rasa init` plus one trivial custom action.

Built once into var/bench/bare-rasa (rasa init, then a rule per intent that runs `action_hello_world`, then
one retrain) and reused while its marker file is there: training takes a few minutes. Served like the
project's Rasa (the same Server class): SQLite tracker store, REST channel only, no --enable-api, and an
action server from .venv-rasa (rasa_sdk comes with rasa), so every turn costs one action-server call.

    .venv/bin/python bench/bare_rasa.py   # build only (the bench builds it on first use as well)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

# E402 below: importable only once scripts/ is on sys.path, just above.
from stack import VENV_RASA, Server, launch, server_env, stop_all  # noqa: E402

BARE = ROOT / "var" / "bench" / "bare-rasa"
READY = BARE / ".bench-ready"  # written after the retrain with the custom action; its absence means rebuild
INTENTS = ["greet", "goodbye", "affirm", "deny", "mood_great", "mood_unhappy", "bot_challenge", "nlu_fallback"]

# Its own module name: `actions` on the import path would be the project's action package.
ACTION_CODE = '''"""The one trivial custom action of the bare reference bot."""

from rasa_sdk import Action


class ActionHelloWorld(Action):
    def name(self) -> str:
        return "action_hello_world"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="Hello World!")
        return []
'''


def rules_yaml() -> str:
    """One rule per intent (and NLU fallback): whatever the patient writes, the custom action answers."""
    rules = "".join(
        f"- rule: {i} runs the custom action\n  steps:\n  - intent: {i}\n  - action: action_hello_world\n"
        for i in INTENTS
    )
    return f'version: "3.1"\n\nrules:\n{rules}'


def build(report=print) -> None:
    """rasa init into BARE, add the custom action and its rules, retrain; skipped when already built."""
    if READY.exists():
        return
    BARE.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **server_env({})}
    report(f"building the bare Rasa bot in {BARE} (rasa init + retrain, a few minutes; cached afterwards)")
    if not (BARE / "domain.yml").exists():
        subprocess.run(
            [str(VENV_RASA / "rasa"), "init", "--no-prompt", "--init-dir", str(BARE)],
            cwd=BARE,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    (BARE / "bare_actions.py").write_text(ACTION_CODE, encoding="utf-8")
    (BARE / "data" / "rules.yml").write_text(rules_yaml(), encoding="utf-8")
    (BARE / "data" / "stories.yml").write_text('version: "3.1"\nstories: []\n', encoding="utf-8")  # rules only
    domain = (BARE / "domain.yml").read_text(encoding="utf-8")
    if "action_hello_world" not in domain:
        (BARE / "domain.yml").write_text(domain + "\nactions:\n- action_hello_world\n", encoding="utf-8")
    for old in (BARE / "models").glob("*.tar.gz"):
        old.unlink()  # the rasa init model has no custom action; `rasa run` would pick the newest anyway
    subprocess.run(
        [str(VENV_RASA / "rasa"), "train", "--fixed-model-name", "bare"],
        cwd=BARE,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    READY.write_text("built by bench/bare_rasa.py\n", encoding="utf-8")


class BareRasa:
    """The bare bot's Rasa and action server on the given ports; start() and stop() like Stack."""

    def __init__(self, rasa_port: int, action_port: int, workdir: Path) -> None:
        self.rasa_port, self.action_port, self.workdir = rasa_port, action_port, workdir
        self.servers: list[Server] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def write_endpoints(self) -> Path:
        path = self.workdir / "endpoints.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.action_port}/webhook"\n'
            f'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: "{self.workdir / "tracker.db"}"\n',
            encoding="utf-8",
        )
        return path

    def start(self, timeout: float = 300.0, report=lambda message: None) -> None:
        build(report)
        credentials = self.workdir / "credentials.yml"  # REST only (the default would be the project's file)
        endpoints = self.write_endpoints()
        credentials.write_text("rest:\n", encoding="utf-8")
        env = server_env({"PYTHONPATH": str(BARE)})
        logs = self.workdir / "logs"
        self.servers = [
            Server(
                "bare action server",
                [
                    str(VENV_RASA / "rasa"),
                    "run",
                    "actions",
                    "--actions",
                    "bare_actions",
                    "--port",
                    str(self.action_port),
                ],
                f"http://127.0.0.1:{self.action_port}/health",
                logs / "bare-actions.log",
                env,
            ),
            Server(
                "bare rasa",
                [
                    str(VENV_RASA / "rasa"),
                    "run",
                    "--model",
                    str(BARE / "models" / "bare.tar.gz"),
                    "--endpoints",
                    str(endpoints),
                    "--credentials",
                    str(credentials),
                    "--port",
                    str(self.rasa_port),
                    "--interface",
                    "127.0.0.1",
                ],
                f"{self.url}/",
                logs / "bare-rasa.log",
                env,
            ),
        ]
        launch(self.servers, timeout, report)

    def stop(self) -> None:
        stop_all(self.servers)


if __name__ == "__main__":
    build()
