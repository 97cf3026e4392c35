"""End to end: the real action server and the real Rasa server (trained model) on free ports,
spoken to over REST and socket.io exactly as the web page and channels do."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests
import socketio

from stack import ROOT, Server, free_port

pytestmark = pytest.mark.e2e


def rest(stack, message, sender=None):
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender or uuid.uuid4().hex, "message": message},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def custom(messages):
    return next((m["custom"] for m in messages if "custom" in m), None)


def test_rest_answer_is_cited_and_disclaimed(stack):
    messages = rest(stack, "can I go to the gym after botox?")
    payload = custom(messages)
    assert payload["type"] == "answer" and payload["thread_id"] == "botox-exercise"
    text = texts(messages)
    assert "How long after Botox can I work out or go to the gym?" in text
    assert "Sources:" in text and "[1]" in text and "https://demo-clinic.example/" in text
    assert payload["disclaimer"] in text and "911" in payload["disclaimer"]
    assert len(payload["citations"]) >= 2 and all(
        c["answer_id"].startswith("botox-exercise#") for c in payload["citations"]
    )


def test_misspelled_treatment_and_slang(stack):
    payload = custom(rest(stack, "how long till i can hit the gym after my BOTIOX"))
    assert payload["thread_id"] == "botox-exercise"


def test_treatment_is_carried_across_turns(stack):
    sender = uuid.uuid4().hex
    assert (
        custom(rest(stack, "I had juvederm in my lips this morning, how long will they be swollen?", sender))[
            "thread_id"
        ]
        == "filler-lip-swelling"
    )
    assert custom(rest(stack, "and when can I go back to the gym?", sender))["thread_id"] == "filler-exercise"


def test_clarification_click_completes_the_question(stack):
    sender = uuid.uuid4().hex
    asked = custom(rest(stack, "when can I go back to the gym after my injections?", sender))
    assert asked["type"] == "clarify"
    filler = next(b for b in asked["buttons"] if b["title"] == "Dermal filler")
    assert custom(rest(stack, filler["payload"], sender))["thread_id"] == "filler-exercise"


def test_emergency_over_rest(stack):
    messages = rest(stack, "i had lip filler an hour ago and now my throat feels tight and i can't breathe properly")
    payload = custom(messages)
    assert payload["type"] == "urgent" and payload["urgency"] == "emergency"
    assert "Call 911 now" in texts(messages) and not payload["citations"]


def test_small_talk_and_honesty(stack):
    assert "automated" in texts(rest(stack, "hello")).lower()
    assert "not a doctor" in texts(rest(stack, "am I talking to a bot?")).lower()


def test_unanswerable_question_is_honest(stack):
    text = texts(rest(stack, "what is the capital of peru?"))
    assert "aftercare" in text.lower() and "Sources:" not in text


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "x" * 20000,
        "🙂🙂🙂🙂",
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
        "¿Puedo hacer ejercicio después del bótox?",
        "ボトックスの後にジムに行けますか",
    ],
    ids=["empty", "whitespace", "20k-chars", "emoji", "html", "spanish", "japanese"],
)
def test_bad_input_gets_a_sensible_reply(stack, message):
    messages = rest(stack, message)
    text = texts(messages)
    assert messages and text.strip(), messages
    assert "Traceback" not in text and "Exception" not in text
    assert "<script>" not in text


def chat(stack, message, sender=None):
    body = {"message": message} if sender is None else {"sender": sender, "message": message}
    reply = requests.post(f"{stack.web_url}/api/chat", json=body, timeout=60)
    assert reply.status_code == 200, reply.text[:500]
    return reply.json()


def test_web_page_relays_to_rasa(stack):
    page = requests.get(f"{stack.web_url}/", timeout=10)
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    first = chat(stack, "I had juvederm in my lips this morning, how long will they be swollen?")
    assert first["new_session"] and custom(first["messages"])["thread_id"] == "filler-lip-swelling"
    # The id the relay issued carries the conversation on: the treatment is remembered.
    second = chat(stack, "and when can I go back to the gym?", first["sender"])
    assert second["sender"] == first["sender"] and not second["new_session"]
    assert custom(second["messages"])["thread_id"] == "filler-exercise"
    bad = requests.post(f"{stack.web_url}/api/chat", data="not json", timeout=10)
    assert bad.status_code == 400 and "message" in bad.json()["error"]


def test_a_relay_client_cannot_name_another_conversation(stack):
    """/api/chat used to pass on whatever sender id the client sent: knowing (or guessing) an id was
    enough to write into that conversation and read its replies."""
    owner = chat(stack, "I had juvederm in my lips this morning, how long will they be swollen?")
    stored = tracker_events(stack, owner["sender"])
    forged = owner["sender"].split(".")[0] + "." + "0" * 32
    for named in ("web-test", forged):
        other = chat(stack, "and when can I go back to the gym?", named)
        assert other["new_session"] and other["sender"] not in (named, owner["sender"])
        # Answered, in its own conversation: no remembered treatment, so the filler thread is not assumed.
        assert other["messages"] and (custom(other["messages"]) or {}).get("thread_id") != "filler-exercise"
        assert tracker_events(stack, named) == 0
    assert tracker_events(stack, owner["sender"]) == stored


def test_socketio_conversation(stack):
    client = socketio.Client(reconnection=False)
    replies: list[dict] = []
    got_answer = threading.Event()
    confirmed = threading.Event()
    session: list[str] = []

    @client.on("session_confirm")
    def _confirm(session_id):
        session.append(session_id)  # issued and signed by the server
        confirmed.set()

    @client.on("bot_uttered")
    def _uttered(data):
        # Rasa's socket.io channel sends each paragraph of a reply as its own message; the custom
        # payload comes last.
        replies.append(data)
        if "custom" in data:
            got_answer.set()

    client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["websocket"], wait_timeout=20)
    try:
        client.emit("session_request", {"session_id": None})
        assert confirmed.wait(20), "no session_confirm from Rasa"
        client.emit(
            "user_uttered",
            {"message": "how long do I wear my compression garment after lipo?", "session_id": session[0]},
        )
        assert got_answer.wait(60), f"no cited answer over socket.io; got {replies}"
    finally:
        client.disconnect()
    text = "\n\n".join(r.get("text") or "" for r in replies)
    assert "How long do I have to wear the compression garment after liposuction?" in text
    assert "Sources:" in text and "911" in text
    payload = next(r for r in replies if "custom" in r)["custom"]
    assert payload["thread_id"] == "liposuction-compression" and payload["citations"]


def test_action_server_refuses_a_stale_index(tmp_path):
    port = free_port()
    server = Server(
        "action server",
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "actions.server", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        tmp_path / "actions.log",
        {"AFTERCARE_INDEX_DIR": str(tmp_path / "no-index")},
    )
    server.start()
    try:
        assert server.process.wait(120) != 0
    finally:
        server.stop()
    log = server.log_tail(200)
    assert "no index has been built" in log and "bot index" in log


# --- bounded input: an over-long message never reaches NLU, and the patient is told -------------


def tracker_events(stack, sender, channel="rest") -> int:
    import sqlite3

    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        return db.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ?", (stack.conversation_id(channel, sender),)
        ).fetchone()[0]


def test_overlong_rest_message_gets_a_reply_not_nlu(stack, settings):
    sender = uuid.uuid4().hex
    story = "My lips are still a bit swollen after filler and I keep worrying about it. " * 200
    messages = rest(stack, story[: settings.limits.max_message_chars + 1], sender)
    text = texts(messages)
    assert "too long for me" in text and f"{settings.limits.max_message_chars:,}" in text
    assert f"call {settings.clinic.emergency_number}" in text
    assert tracker_events(stack, sender) == 0  # refused before Rasa read it: nothing stored, no NLU
    # At the cap exactly it is an ordinary message.
    assert "too long" not in texts(rest(stack, story[: settings.limits.max_message_chars], sender))


@pytest.mark.parametrize(
    "body", [{"message": {"text": "hi"}}, {"message": ["hi"]}, ["hi"], {"message": "hi", "sender": 5}]
)
def test_rest_request_of_the_wrong_shape_is_a_clear_400(stack, body):
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
    assert response.status_code == 400 and "must be strings" in response.json()["error"]


def test_oversized_body_is_refused_and_service_goes_on(stack, settings):
    huge = "x" * (settings.limits.max_request_bytes + 1)
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex, "message": huge}, timeout=60
    )
    assert response.status_code == 413
    # The next patient is answered as usual.
    assert custom(rest(stack, "can I go to the gym after botox?"))["thread_id"] == "botox-exercise"
    web = requests.post(
        f"{stack.web_url}/api/chat", data=b"{" + b" " * settings.limits.max_request_bytes + b"}", timeout=30
    )
    assert web.status_code == 413 and "too large" in web.json()["error"]


def test_overlong_socketio_message_gets_a_reply(stack, settings):
    client = socketio.Client(reconnection=False)
    replies: list[dict] = []
    got = threading.Event()
    confirmed = threading.Event()
    session: list[str] = []
    client.on("session_confirm", lambda session_id: (session.append(session_id), confirmed.set()))

    @client.on("bot_uttered")
    def _uttered(data):
        replies.append(data)
        got.set()

    client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["websocket"], wait_timeout=20)
    try:
        client.emit("session_request", {})
        assert confirmed.wait(20)
        session_id = session[0]
        client.emit("user_uttered", {"message": "help " * settings.limits.max_message_chars, "session_id": session_id})
        assert got.wait(30), "no reply to an over-long socket.io message"
        got.clear()
        client.emit("user_uttered", {"message": {"text": "hi"}, "session_id": session_id})
        assert got.wait(30), "no reply to a socket.io message that is not text"
    finally:
        client.disconnect()
    assert "too long for me" in replies[0]["text"] and "only read text" in replies[1]["text"]


def test_conversation_and_store_files_are_private(stack):
    rest(stack, "how much does a neck lift cost?")  # no answer on file: stored as unanswered
    for name in ("tracker.db", "aftercare.db"):
        assert (stack.workdir / name).stat().st_mode & 0o777 == 0o600, name


# --- Sender identity (issue 11, part 3) ---------------------------------------------------------


class WebClient:
    """A socket.io client as the widget is: asks for a session, records what the server confirms and says."""

    def __init__(self, stack) -> None:
        self.client = socketio.Client(reconnection=False)
        self.sessions: list[str] = []
        self.replies: list[dict] = []
        self.confirmed, self.replied = threading.Event(), threading.Event()
        self.client.on("session_confirm", lambda sid: (self.sessions.append(sid), self.confirmed.set()))
        self.client.on("bot_uttered", lambda data: (self.replies.append(data), self.replied.set()))
        self.client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["websocket"], wait_timeout=20)

    def session(self, asked) -> str:
        self.confirmed.clear()
        self.client.emit("session_request", {"session_id": asked})
        assert self.confirmed.wait(20), "no session_confirm"
        return self.sessions[-1]

    def say(self, message: str, session_id: str) -> None:
        self.client.emit("user_uttered", {"message": message, "session_id": session_id})

    def close(self) -> None:
        self.client.disconnect()


def test_a_web_client_cannot_join_another_clients_conversation(stack):
    a, b = WebClient(stack), WebClient(stack)
    try:
        chosen = uuid.uuid4().hex  # a client-made id, as any client could send
        a_id = a.session(chosen)
        assert a_id != chosen  # the server issues its own, signed
        assert a.session(a_id) == a_id  # ... and keeps it on reconnect
        # Client B asks for A's old, client-made id, and for A's id with a forged signature: fresh ids.
        assert b.session(chosen) not in (chosen, a_id)
        forged = a_id.split(".")[0] + "." + "0" * 32
        b_id = b.session(forged)
        assert b_id not in (forged, a_id)
        b.replied.clear()
        a.say("I had juvederm in my lips this morning, how long will they be swollen?", a_id)
        assert a.replied.wait(60)
        time.sleep(2)
        assert b.replies == []  # B never hears A's conversation
        # B writing under a made-up or forged id is refused: nothing stored, a reply says why.
        for made_up in (chosen, forged):
            b.replied.clear()
            b.say("and when can I go back to the gym?", made_up)
            assert b.replied.wait(20) and "could not be verified" in b.replies[-1]["text"]
            assert tracker_events(stack, made_up, "socketio") == 0
        assert tracker_events(stack, a_id, "socketio") > 0
    finally:
        a.close()
        b.close()


def test_conversation_ids_name_their_channel_and_hold_no_raw_sender(stack):
    import sqlite3

    sender = "+15550104242"
    reply = rest(stack, "can I fly after filler?", sender)
    assert reply and all(m["recipient_id"] == sender for m in reply)  # the reply still names the caller
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        ids = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert stack.conversation_id("rest", sender) in ids and sender not in ids
    assert all(i.split(":")[0] in ("rest", "web") and len(i.split(":")[1]) == 64 for i in ids)
    # The same raw id on another channel is another conversation.
    assert stack.conversation_id("twilio", sender) != stack.conversation_id("rest", sender)


def test_action_server_answers_rasa_only(stack):
    """The webhook runs any action with the sender and slots it is sent: without Rasa's token anyone who
    reached its port could file a handoff in a patient's name or have answers composed for any id."""
    from bot.secret_file import ACTION_WEBHOOK, derived_token, load_secret

    call = {
        "next_action": "action_answer_aftercare",
        "sender_id": "rest:someone",
        "version": "3.6.21",
        "tracker": {"sender_id": "rest:someone", "slots": {}, "latest_message": {"text": "hi"}, "events": []},
        "domain": {},
    }
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "Basic x"}):
        refused = requests.post(f"{stack.action_url}/webhook", json=call, headers=headers, timeout=10)
        assert refused.status_code == 401 and "Rasa server only" in refused.json()["error"]
        assert requests.get(f"{stack.action_url}/actions", headers=headers, timeout=10).status_code == 401
    assert requests.get(f"{stack.action_url}/health", timeout=10).status_code == 200  # probes stay open
    token = derived_token(load_secret(stack.workdir / "action-secret", create=False), ACTION_WEBHOOK)
    listed = requests.get(f"{stack.action_url}/actions", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert listed.status_code == 200 and listed.json()
    # Rasa's own calls carry the token: its questions are still answered by the action server.
    assert custom(rest(stack, "can I fly after filler?"))["thread_id"] == "filler-flying"
