"""Faults patients never see: the real Rasa server (trained model, this project's connectors) with an
action server that hangs, then one that is gone. Every message still gets a reply within the action
timeout, and a red flag still gets the emergency advice, from the triage rules in the Rasa process."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import pytest
import requests

from stack import MODEL, Stack, free_port, http_ok

pytestmark = pytest.mark.e2e

EMERGENCY = "i had lip filler an hour ago and now my throat feels tight and i can't breathe properly"


class HungServer:
    """Accepts connections on a port and never answers (an action server stuck in its work)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        """Gone: connections to the port are refused from now on."""
        self.listener.close()
        for conn in self.held:
            conn.close()


@pytest.fixture(scope="module")
def hung():
    server = HungServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def rasa_alone(hung, tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained Rasa model at {MODEL}: run `make train` (make test does it first)")
    stack = Stack(
        rasa_port=free_port(), action_port=hung.port, web_port=free_port(),
        workdir=tmp_path_factory.mktemp("faults"), env={"AFTERCARE_ACTION_TIMEOUT": "3"},
    )  # fmt: skip
    stack.build()
    rasa = stack.servers[1]
    rasa.start()
    deadline = time.monotonic() + 240
    while not http_ok(f"{stack.rasa_url}/"):
        assert not rasa.exited() and time.monotonic() < deadline, rasa.log_tail()
        time.sleep(0.5)
    yield stack
    rasa.stop()


def rest_texts(stack, message: str) -> str:
    # 30 s: well above the 3 s action timeout, far below Rasa's own 5-minute wait.
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex, "message": message}, timeout=30
    )
    assert response.status_code == 200
    return "\n".join(m.get("text", "") for m in response.json())


def test_hung_action_server_an_emergency_still_gets_the_emergency_number(rasa_alone):
    text = rest_texts(rasa_alone, EMERGENCY)
    assert "This could be an emergency. Call 911 now" in text and "breathing" in text


def test_hung_action_server_a_question_gets_a_trouble_reply(rasa_alone):
    text = rest_texts(rasa_alone, "can I go to the gym after botox?")
    assert "having trouble answering right now" in text and "call 911" in text
    assert "Sources:" not in text  # nothing is made up when no stored answer could be read


def test_dead_action_server_every_message_still_gets_a_reply(rasa_alone, hung):
    hung.close()
    assert "having trouble answering right now" in rest_texts(rasa_alone, "how long should I wait to fly after filler?")
    assert "Call 911 now" in rest_texts(rasa_alone, EMERGENCY)
    # Greetings are answered by Rasa itself, without the action server: no trouble reply on top.
    greeting = rest_texts(rasa_alone, "hello")
    assert greeting and "having trouble" not in greeting
