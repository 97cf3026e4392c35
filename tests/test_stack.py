"""`make run`'s supervisor (scripts/stack.py): crashed servers restart with backoff, the rest keep running."""

from __future__ import annotations

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
    assert "action server stopped unexpectedly" in said[0] and "restarting in 1 s" in said[0] and said[1] == "action server restarted"


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
