"""`make cluster` end to end: 2 Rasa replicas and 2 action servers on PostgreSQL and Redis behind nginx
(scripts/cluster.py), everything reached through nginx's one port as a patient's browser would."""

from __future__ import annotations

import signal
import threading
import uuid

import pytest
import requests
import socketio

from cluster import Cluster, Ports, missing_programs
from stack import MODEL

pytestmark = pytest.mark.e2e

REPLICAS, ACTION_SERVERS = 2, 2


@pytest.fixture(scope="module")
def cluster(built_index, tmp_path_factory):
    missing = missing_programs()
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (`make system` installs them)")
    if not MODEL.exists():
        pytest.fail(f"no trained Rasa model at {MODEL}: run `make train` (make test does it first)")
    from conftest import _RUN_INDEX

    running = Cluster(
        Ports.free(REPLICAS, ACTION_SERVERS),
        workdir=tmp_path_factory.mktemp("cluster"),
        database_prefix=f"aftercare_cluster_test_{uuid.uuid4().hex[:8]}",
        env={"AFTERCARE_INDEX_DIR": str(_RUN_INDEX)},
    )
    try:
        running.start(timeout=420)
        yield running
    finally:
        running.stop()
        running.drop_databases()


def rest(cluster: Cluster, message: str, sender: str) -> tuple[list[dict], str]:
    """Rasa's replies through nginx, and the replica (host:port) that gave them."""
    response = requests.post(
        f"{cluster.public_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=120
    )
    assert response.status_code == 200, response.text[:500]
    return response.json(), response.headers["X-Upstream"]


def custom(messages: list[dict]) -> dict:
    return next(m["custom"] for m in messages if "custom" in m)


def test_rest_message_gets_a_cited_answer(cluster):
    messages, _ = rest(cluster, "can I go to the gym after botox?", uuid.uuid4().hex)
    payload = custom(messages)
    assert payload["type"] == "answer" and payload["thread_id"] == "botox-exercise"
    assert len(payload["citations"]) >= 2 and "Sources:" in "\n".join(m.get("text", "") for m in messages)


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_socketio_conversation(cluster, transport):
    client = socketio.Client(reconnection=False)
    confirmed, replied = threading.Event(), threading.Event()
    received: list[dict] = []
    session: list[str] = []
    client.on("session_confirm", lambda session_id: (session.append(session_id), confirmed.set()))

    @client.on("bot_uttered")
    def on_bot(data):
        received.append(data)
        if "custom" in data:
            replied.set()

    # Polling sends every packet as its own request: this only works when nginx keeps them on one replica.
    client.connect(cluster.public_url, socketio_path="/socket.io", transports=[transport], wait_timeout=20)
    try:
        client.emit("session_request", {"session_id": None})
        assert confirmed.wait(20), "no session_confirm through nginx"
        # The id is signed by the replica that issued it; every replica checks it with the same key.
        client.emit(
            "user_uttered",
            {"message": "how long do I wear my compression garment after lipo?", "session_id": session[0]},
        )
        assert replied.wait(120), f"no answer over {transport}; got {received}"
    finally:
        # Rasa's Engine.IO server answers a pending long-poll only at its next ping (25 s), so a polling
        # client that waits for its read loop waits for nothing: send Engine.IO's close and leave the loop be.
        client.eio.disconnect(abort=transport == "polling")
    assert custom(received)["thread_id"] == "liposuction-compression"


def test_widget_page_and_console_answer(cluster):
    widget = requests.get(f"{cluster.public_url}/widget.js", timeout=10)
    assert widget.status_code == 200 and "session_request" in widget.text
    # The widget talks to the address patients reach, not to a replica.
    assert cluster.public_url in widget.text
    assert requests.get(f"{cluster.public_url}/", timeout=10).status_code == 200
    desk = requests.get(f"{cluster.public_url}/desk", timeout=10)
    assert desk.status_code == 200 and "/desk" in desk.url


def test_conversations_keep_their_state_across_replicas(cluster):
    """nginx balances every request, so consecutive turns of one sender land on different replicas; the
    treatment named in the first turn still shapes the second, so the tracker and lock stores are shared."""
    served: dict[str, list[str]] = {}
    for sender in (uuid.uuid4().hex, uuid.uuid4().hex):
        messages, first = rest(
            cluster, "I had juvederm in my lips this morning, how long will they be swollen?", sender
        )
        assert custom(messages)["thread_id"] == "filler-lip-swelling"
        messages, second = rest(cluster, "and when can I go back to the gym?", sender)
        assert custom(messages)["thread_id"] == "filler-exercise"
        served[sender] = [first, second]
    assert all(len(set(replicas)) == 2 for replicas in served.values()), (
        f"a conversation stayed on one replica: {served}"
    )


def test_publish_reload_reaches_every_action_server(cluster):
    from bot.config import Settings
    from web.desk.services import ask_bot_to_reload

    settings = Settings.from_env({}, action_server_url=",".join(cluster.action_urls), reload_token=cluster.reload_token)
    reloaded, message = ask_bot_to_reload(settings)
    assert reloaded, message
    assert f"all {ACTION_SERVERS} action servers" in message
    wrong = Settings.from_env({}, action_server_url=",".join(cluster.action_urls), reload_token="not-the-token")
    assert ask_bot_to_reload(wrong)[0] is False


def test_messages_go_through_with_one_replica_killed(cluster):
    first = cluster.rasa_servers()[0]
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(10)
    answered = set()
    for message in ("can I fly after filler?", "can I go to the gym after botox?", "hello", "can I fly after filler?"):
        messages, upstream = rest(cluster, message, uuid.uuid4().hex)
        assert messages, f"no reply to {message!r}"
        answered.add(upstream.split(", ")[-1])  # a refused replica, then the one that answered
    assert answered == {f"127.0.0.1:{cluster.ports.rasa[1]}"}


@pytest.mark.parametrize(
    "setting, name",
    [("AFTERCARE_SENDER_SECRET_FILE", "sender-secret"), ("AFTERCARE_ACTION_SECRET_FILE", "action-secret")],
)
def test_every_server_gets_one_shared_key_made_before_they_start(tmp_path, monkeypatch, setting, name):
    """Servers making a key at once would each keep their own: conversations and web sessions begun on
    one replica would be refused by the other, and action servers would refuse Rasa's calls."""
    monkeypatch.delenv(setting, raising=False)
    planned = Cluster(Ports.free(3, 2), workdir=tmp_path)
    planned.build()
    readers = [s for s in planned.servers if s.name.startswith(("rasa", "action"))]
    assert len(readers) == 5
    assert {server.env[setting] for server in readers} == {str(tmp_path / name)}
    key = tmp_path / name
    assert len(key.read_bytes()) >= 32 and key.stat().st_mode & 0o777 == 0o600
