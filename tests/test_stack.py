"""`make run`'s supervisor (scripts/stack.py): crashed servers restart with backoff, the rest keep running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from stack import Supervisor


class FakeServer:
    def __init__(self, name: str) -> None:
        self.name, self.log_path, self.process = name, Path(f"/tmp/{name}.log"), None
        self.dead, self.starts = False, 0

    def exited(self) -> bool:
        return self.dead

    def start(self) -> None:
        self.dead, self.starts = False, self.starts + 1


def test_crash_restarts_only_that_server_with_growing_waits():
    now = [0.0]
    rasa, actions = FakeServer("rasa"), FakeServer("action server")
    said: list[str] = []
    supervisor = Supervisor([rasa, actions], report=said.append, clock=lambda: now[0])
    waits = []
    for _ in range(7):  # crashing again at once each time
        actions.dead = True
        supervisor.step()
        waits.append(supervisor.due["action server"] - now[0])
        now[0] = supervisor.due["action server"]
        supervisor.step()
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    assert actions.starts == 7 and rasa.starts == 0
    assert (
        "action server stopped unexpectedly" in said[0]
        and "restarting in 1 s" in said[0]
        and said[1] == "action server restarted"
    )


def test_a_server_that_stayed_up_starts_the_backoff_again():
    now = [0.0]
    web = FakeServer("web")
    supervisor = Supervisor([web], report=lambda m: None, clock=lambda: now[0])
    for _ in range(3):
        web.dead = True
        supervisor.step()
        now[0] = supervisor.due["web"]
        supervisor.step()
    now[0] += 61
    web.dead = True
    supervisor.step()
    assert supervisor.due["web"] - now[0] == 1


def test_servers_die_with_a_launcher_killed_without_clean_up(tmp_path):
    """A launcher killed by SIGKILL (a test run's timeout, an OOM kill) leaves no server running."""
    scripts = Path(__file__).resolve().parent.parent / "scripts"
    launcher = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                f"import sys; sys.path.insert(0, {str(scripts)!r}); from pathlib import Path; from stack import Server\n"
                f"s = Server('sleeper', [sys.executable, '-c', 'import time; time.sleep(120)'], '', Path({str(tmp_path / 'x.log')!r}))\n"
                "s.start(); print(s.process.pid, flush=True); time.sleep(120)"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    server_pid = int(launcher.stdout.readline())
    os.kill(server_pid, 0)  # running
    launcher.send_signal(signal.SIGKILL)
    launcher.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            return
        # Reaped by init once dead; until then a zombie still answers kill(pid, 0).
        if Path(f"/proc/{server_pid}/stat").read_text().split(") ")[-1].startswith("Z"):
            return
        time.sleep(0.1)
    os.kill(server_pid, signal.SIGKILL)
    raise AssertionError("the server outlived its launcher")
