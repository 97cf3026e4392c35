"""Messaging channels end to end: the real Rasa server (trained model, the connectors in channels/) and
the real action server, driven through each channel's inbound webhook with the platforms' own request
shapes and signatures. The platforms' APIs (Twilio, Telegram, Slack, Graph) are a local stub HTTP server
that the connectors' `api_url` / `graph_url` point at; the stub records every outbound call, and the
tests check those are the channel-formatted replies. The REST channel is configured as in
credentials.production.yml (`require_token: true`): only callers with the REST token are answered, and the
web app's relay sends it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sqlite3
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests

from replies import plain, slack, telegram
from replies.plain import MESSENGER_LIMIT, SMS_LIMIT
from stack import MODEL, Stack, free_port

pytestmark = pytest.mark.e2e

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
TWILIO_PUBLIC_URL = "https://bot.clinic.example/webhooks/twilio/webhook"  # what Twilio signs, behind a proxy
SMS_NUMBER, WHATSAPP_NUMBER = "+15550100", "whatsapp:+14155238886"
TELEGRAM_TOKEN = "123456789:AAHtestTokenForTheStubServer_abcdefgh"
TELEGRAM_SECRET = "telegram-secret-token-for-tests"
TELEGRAM_BOT = "aftercare_test_bot"
SLACK_SECRET = "slack-signing-secret-for-tests"
FB_SECRET = "facebook-app-secret-for-tests"
FB_PAGE = "1029384756"
GYM = "can I go to the gym after botox?"
SENDER_LIMIT, ADDRESS_LIMIT = 4, 10
REST_TOKEN = "rest-token-for-the-channels-test-0123456789"
AUTHORIZED = {"Authorization": f"Bearer {REST_TOKEN}"}
EMERGENCY = "i had lip filler an hour ago and now my throat feels tight and i can't breathe properly"


class PlatformStub:
    """One HTTP server standing in for Twilio, Telegram, Slack and the Graph API; records each call."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.lock = threading.Lock()
        self.accept_set_webhook = False  # refuse at first: Rasa must start when Telegram fails
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                call = {"path": self.path, "headers": dict(self.headers), "raw": body}
                kind = self.headers.get("Content-Type", "")
                if "json" in kind:
                    call["json"] = json.loads(body or b"null")
                else:
                    call["form"] = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
                with stub.lock:
                    stub.calls.append(call)
                status, answer = stub.answer(call)
                data = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, call: dict) -> tuple[int, dict]:
        path = call["path"]
        if path.startswith("/twilio/"):
            form = call["form"]
            return 201, {
                "sid": "SM" + uuid.uuid4().hex,
                "status": "queued",
                "to": form.get("To"),
                "body": form.get("Body"),
            }
        if path.startswith("/telegram/"):
            method = path.rsplit("/", 1)[1]
            if method == "getMe":
                return 200, {
                    "ok": True,
                    "result": {"id": 42, "is_bot": True, "first_name": "Aftercare", "username": TELEGRAM_BOT},
                }
            if method == "setWebhook" and not self.accept_set_webhook:
                return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            if method == "sendMessage":
                chat = int(call["form"]["chat_id"])
                return 200, {
                    "ok": True,
                    "result": {"message_id": 7, "date": 0, "chat": {"id": chat, "type": "private"}},
                }
            return 200, {"ok": True, "result": True}
        if path.startswith("/slack/"):
            return 200, {"ok": True, "channel": call["json"].get("channel"), "ts": "1700000000.000200"}
        if path.startswith("/graph/"):
            return 200, {"recipient_id": call["json"]["recipient"]["id"], "message_id": "m_" + uuid.uuid4().hex}
        return 404, {"error": "unknown path"}

    def find(self, prefix: str, match=lambda call: True) -> list[dict]:
        with self.lock:
            return [c for c in self.calls if c["path"].startswith(prefix) and match(c)]

    def wait_for(self, prefix: str, match, count: int = 1, timeout: float = 90.0) -> list[dict]:
        """Calls matching, once at least `count` arrived (Slack answers its webhook before replying)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.find(prefix, match)
            if len(found) >= count:
                time.sleep(0.5)  # let the rest of a multi-part reply land
                return self.find(prefix, match)
            time.sleep(0.2)
        return self.find(prefix, match)

    def close(self) -> None:
        self.server.shutdown()


def credentials(stub: PlatformStub) -> str:
    return f"""
channels.bounded.RestInput:
  require_token: true
channels.bounded.SocketIOInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
channels.twilio_verified.TwilioVerifiedInput:
  account_sid: "{TWILIO_SID}"
  auth_token: "{TWILIO_TOKEN}"
  twilio_number: "{SMS_NUMBER}"
  webhook_url: "{TWILIO_PUBLIC_URL}"
  api_url: "{stub.url}/twilio"
channels.telegram.TelegramInput:
  access_token: "{TELEGRAM_TOKEN}"
  verify: "{TELEGRAM_BOT}"
  webhook_url: "https://bot.clinic.example/webhooks/telegram/webhook"
  secret_token: "{TELEGRAM_SECRET}"
  api_url: "{stub.url}/telegram"
channels.slack.SlackInput:
  slack_token: "xoxb-test-token"
  slack_signing_secret: "{SLACK_SECRET}"
  api_url: "{stub.url}/slack/api/"
channels.facebook.FacebookInput:
  verify: "fb-verify-token"
  secret: "{FB_SECRET}"
  page-access-token: "fb-page-token"
  graph_url: "{stub.url}/graph/v2.12"
"""


@pytest.fixture(scope="module")
def stub():
    running = PlatformStub()
    yield running
    running.close()


@pytest.fixture(scope="module")
def stack(built_index, stub, tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained Rasa model at {MODEL}: run `make train` (make test does it first)")
    workdir = tmp_path_factory.mktemp("channels-stack")
    creds = workdir / "credentials.yml"
    creds.write_text(credentials(stub), encoding="utf-8")
    running = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        web_port=free_port(),
        workdir=workdir,
        credentials=creds,
        # Low rate limits, for the abuse tests at the end of this module (each test here uses fresh senders,
        # and only the last test sends more than a couple of web-channel messages).
        env={
            "AFTERCARE_INDEX_DIR": os.environ["AFTERCARE_INDEX_DIR"],
            "AFTERCARE_SENDER_MESSAGES_PER_MINUTE": str(SENDER_LIMIT),
            "AFTERCARE_ADDRESS_MESSAGES_PER_MINUTE": str(ADDRESS_LIMIT),
            "AFTERCARE_TRUSTED_PROXIES": "127.0.0.1",  # as behind a proxy on this host
            "AFTERCARE_REST_TOKEN": REST_TOKEN,
        },
    )
    running.start(timeout=600)  # a shared, busy machine can take minutes to load the model
    yield running
    running.stop()


CHANNELS = ("twilio", "telegram", "slack", "facebook", "rest", "socketio")


def events_for(stack: Stack, sender: str) -> int:
    """Events stored for this raw sender id on any channel (Rasa stores `<channel>:<keyed hash>`)."""
    ids = {sender} | {stack.conversation_id(c, sender) for c in CHANNELS}
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        return db.execute(
            f"SELECT COUNT(*) FROM events WHERE sender_id IN ({','.join('?' * len(ids))})", tuple(ids)
        ).fetchone()[0]


# --- Twilio: SMS and WhatsApp -------------------------------------------------------------------


def twilio_signature(url: str, form: dict, token: str = TWILIO_TOKEN) -> str:
    """Twilio's documented scheme: HMAC-SHA1 over the URL plus each field name and value, sorted."""
    signed = url + "".join(f"{k}{form[k]}" for k in sorted(form))
    return base64.b64encode(hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def twilio_form(sender: str, body: str, to: str = SMS_NUMBER) -> dict:
    sid = "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "US", "ToState": "OR", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "PORTLAND",
        "FromZip": "97201", "SmsSid": sid, "FromState": "OR", "SmsStatus": "received", "FromCity": "PORTLAND",
        "Body": body, "FromCountry": "US", "To": to, "ToZip": "97201", "NumSegments": "1", "MessageSid": sid,
        "AccountSid": TWILIO_SID, "From": sender, "ApiVersion": "2010-04-01",
    }  # fmt: skip


def post_twilio(stack: Stack, form: dict, signature: str | None) -> requests.Response:
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return requests.post(f"{stack.rasa_url}/webhooks/twilio/webhook", data=form, headers=headers, timeout=120)


def new_phone() -> str:
    return "+1555" + str(uuid.uuid4().int)[:7]


def sms_to(stub: PlatformStub, phone: str) -> list[dict]:
    return [c["form"] for c in stub.find("/twilio/", lambda c: c["form"].get("To") == phone)]


def test_twilio_signed_sms_gets_a_plain_text_reply_within_1600_chars(stack, stub, assistant):
    phone = new_phone()
    form = twilio_form(phone, GYM)
    response = post_twilio(stack, form, twilio_signature(TWILIO_PUBLIC_URL, form))
    assert response.status_code == 204, response.text
    sent = sms_to(stub, phone)
    assert sent and all(m["From"] == SMS_NUMBER for m in sent)
    assert all(c["path"] == f"/twilio/2010-04-01/Accounts/{TWILIO_SID}/Messages.json" for c in stub.find("/twilio/"))
    bodies = [m["Body"] for m in sent]
    # Exactly the SMS rendering of the assistant's reply: one message per part, not one per paragraph.
    outcome = assistant.ask(GYM)
    assert bodies == plain.sms(outcome.reply)
    text = "\n".join(bodies)
    assert all(len(b) <= SMS_LIMIT for b in bodies)
    assert "How long after Botox can I work out or go to the gym?" in text
    assert "[1] " in text and "https://demo-clinic.example/" in text
    assert not any(mark in text for mark in ("*", "<", ">", "_", "`"))


def test_twilio_whatsapp_reply_comes_from_the_whatsapp_sender(stack, stub):
    phone = "whatsapp:" + new_phone()
    form = twilio_form(phone, GYM, to=WHATSAPP_NUMBER)
    assert post_twilio(stack, form, twilio_signature(TWILIO_PUBLIC_URL, form)).status_code == 204
    sent = sms_to(stub, phone)
    assert sent and all(m["From"] == WHATSAPP_NUMBER and len(m["Body"]) <= SMS_LIMIT for m in sent)
    assert "Sources:" in "\n".join(m["Body"] for m in sent)


def tracker_bytes(stack: Stack) -> bytes:
    """Everything the SQLite tracker store holds on disk (the database and its journal files)."""
    return b"".join(p.read_bytes() for p in stack.workdir.glob("tracker.db*"))


def test_the_tracker_store_holds_no_phone_number_or_platform_id(stack, stub):
    phone, whatsapp, chat = new_phone(), "whatsapp:" + new_phone(), 7_000_000_000 + uuid.uuid4().int % 10**9
    for sender, to in ((phone, SMS_NUMBER), (whatsapp, WHATSAPP_NUMBER)):
        for text in (GYM, "and can I drink wine after it?"):
            form = twilio_form(sender, text, to=to)
            assert post_twilio(stack, form, twilio_signature(TWILIO_PUBLIC_URL, form)).status_code == 204
    assert post_telegram(stack, telegram_update(chat, GYM)).status_code == 200
    user, channel = "U" + uuid.uuid4().hex[:8].upper(), "D" + uuid.uuid4().hex[:8].upper()
    body = slack_event(user, channel, GYM)
    assert (
        requests.post(
            f"{stack.rasa_url}/webhooks/slack/webhook", data=body, headers=slack_headers(body), timeout=60
        ).status_code
        == 200
    )
    stub.wait_for("/slack/api/chat.postMessage", lambda c: c["json"]["channel"] == channel)
    deadline = time.monotonic() + 60
    while (
        not (len(sms_to(stub, phone)) >= 2 and sms_to(stub, whatsapp) and telegram_sent(stub, chat))
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
    assert sms_to(stub, phone) and sms_to(stub, whatsapp) and telegram_sent(stub, chat)  # replies reach them
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        ids = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert {
        stack.conversation_id("twilio", phone),
        stack.conversation_id("twilio", whatsapp),
        stack.conversation_id("telegram", str(chat)),
        stack.conversation_id("slack", user),
    } <= ids
    assert stack.conversation_id("twilio", whatsapp).startswith("whatsapp:")
    assert stack.conversation_id("twilio", phone).startswith("sms:")
    stored = tracker_bytes(stack)
    for raw in (phone[1:], whatsapp.split("+")[1], str(chat), user, channel):  # digits, in any stored form
        assert raw.encode() not in stored, "a raw sender id is in the tracker store"


def test_twilio_emergency_sms_leads_with_what_to_do(stack, stub):
    phone = new_phone()
    form = twilio_form(phone, EMERGENCY)
    assert post_twilio(stack, form, twilio_signature(TWILIO_PUBLIC_URL, form)).status_code == 204
    (first, *_) = [m["Body"] for m in sms_to(stub, phone)]
    assert first.startswith("URGENT: This could be an emergency. Call 911 now")


def test_twilio_domain_responses_are_one_sms_not_one_per_paragraph(stack, stub):
    phone = new_phone()
    form = twilio_form(phone, "hello")
    assert post_twilio(stack, form, twilio_signature(TWILIO_PUBLIC_URL, form)).status_code == 204
    (greeting,) = [m["Body"] for m in sms_to(stub, phone)]
    assert "automated" in greeting.lower()


TEXT_OUTPUT_SCRIPT = """
import asyncio, json, sys
sys.path.insert(0, sys.argv[1])
from channels.twilio_verified import TwilioTextOutput
sent = []
class Recording(TwilioTextOutput):
    async def _send_message(self, message_data):
        sent.append(message_data)
out = Recording("AC" + "0" * 32, "token", "+15550100")
buttons = [{"title": "Yes, contact me", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}, {"title": "Cancel", "payload": "/cancel"}]
asyncio.run(out.send_text_with_buttons("+15550111", "Do you agree?", buttons))
asyncio.run(out.send_text_message("+15550111", "First.\\n\\nSecond."))
asyncio.run(out.send_text_message("+15550111", "Long. " * 700))
print(json.dumps(sent))
"""


def test_twilio_text_output_shows_reply_words_not_payloads():
    """Messages the action does not render (form questions with buttons) still read well by SMS."""
    import subprocess

    from stack import ROOT

    result = subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", TEXT_OUTPUT_SCRIPT, str(ROOT)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    sent = json.loads(result.stdout.strip().splitlines()[-1])
    assert sent[0] == {
        "to": "+15550111",
        "from_": "+15550100",
        "body": "Do you agree?\n\nYou can reply: Yes, contact me / No / Cancel",
    }
    assert sent[1]["body"] == "First.\n\nSecond."
    long_parts = [m["body"] for m in sent[2:]]
    assert len(long_parts) == 3 and all(len(b) <= SMS_LIMIT for b in long_parts)
    assert [b.split(" ", 1)[0] for b in long_parts] == ["(1/3)", "(2/3)", "(3/3)"]  # SMS can arrive out of order
    assert " ".join(b.split(" ", 1)[1] for b in long_parts).split() == ("Long. " * 700).split()


@pytest.mark.parametrize(
    "forge",
    [
        lambda form: None,  # no signature header
        lambda form: "",
        lambda form: twilio_signature(TWILIO_PUBLIC_URL, form, token="not-the-auth-token"),
        lambda form: twilio_signature(TWILIO_PUBLIC_URL, {**form, "Body": "something else"}),  # body tampered
        lambda form: twilio_signature("https://attacker.example/webhooks/twilio/webhook", form),
    ],
    ids=["missing", "empty", "wrong-token", "tampered-body", "other-url"],
)
def test_twilio_forged_requests_are_rejected_before_processing(stack, stub, forge):
    phone = new_phone()
    form = twilio_form(phone, GYM)
    response = post_twilio(stack, form, forge(form))
    assert response.status_code == 403 and "X-Twilio-Signature" in response.text
    # A valid request right after is processed (so the server was able to), but the forged one left
    # no trace: no message sent, no conversation stored.
    other = new_phone()
    valid = twilio_form(other, "hello")
    assert post_twilio(stack, valid, twilio_signature(TWILIO_PUBLIC_URL, valid)).status_code == 204
    assert sms_to(stub, other) and events_for(stack, other) > 0
    assert sms_to(stub, phone) == [] and events_for(stack, phone) == 0


# --- Telegram -----------------------------------------------------------------------------------


def telegram_update(chat_id: int, text: str) -> dict:
    return {
        "update_id": int(time.time() * 1000) % 1_000_000_000,
        "message": {
            "message_id": 1365,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Pat", "language_code": "en"},
            "chat": {"id": chat_id, "first_name": "Pat", "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }


def post_telegram(stack: Stack, update: dict, secret: str | None = TELEGRAM_SECRET) -> requests.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return requests.post(f"{stack.rasa_url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=120)


def telegram_sent(stub: PlatformStub, chat_id: int) -> list[dict]:
    return [
        c["form"]
        for c in stub.find(f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage", lambda c: c["form"]["chat_id"] == str(chat_id))
    ]


def test_rasa_started_though_telegram_refused_the_webhook_and_registers_it_later(stack, stub):
    refused = stub.find(f"/telegram/bot{TELEGRAM_TOKEN}/setWebhook")
    assert refused, "the connector tries to register its webhook at start-up"
    assert "telegram.set_webhook.failed" in stack.servers[1].log_tail(400)
    stub.accept_set_webhook = True
    response = requests.get(f"{stack.rasa_url}/webhooks/telegram/set_webhook", timeout=30)
    assert response.status_code == 200 and response.text == "Webhook setup successful"
    registered = stub.find(f"/telegram/bot{TELEGRAM_TOKEN}/setWebhook")[-1]["form"]
    assert registered == {
        "url": "https://bot.clinic.example/webhooks/telegram/webhook",
        "secret_token": TELEGRAM_SECRET,
    }


def test_telegram_update_gets_markdown_v2_with_inline_buttons(stack, stub, assistant):
    chat = 900_000_000 + uuid.uuid4().int % 1_000_000
    response = post_telegram(stack, telegram_update(chat, GYM))
    assert response.status_code == 200 and response.text == "success"
    sent = telegram_sent(stub, chat)
    outcome = assistant.ask(GYM)
    expected = telegram.telegram(outcome.reply)
    assert [m["text"] for m in sent] == [m["text"] for m in expected]
    assert all(m["parse_mode"] == "MarkdownV2" for m in sent)
    assert sent[0]["text"].startswith("Closest question on file: *How long after Botox")
    assert "\\[1\\] [" in sent[0]["text"] and "](https://demo-clinic.example/" in sent[0]["text"]
    keyboard = json.loads(sent[-1]["reply_markup"])["inline_keyboard"]
    assert keyboard == expected[-1]["reply_markup"]["inline_keyboard"] and keyboard


def test_telegram_button_press_is_a_message(stack, stub):
    chat = 900_000_000 + uuid.uuid4().int % 1_000_000
    assert (
        post_telegram(stack, telegram_update(chat, "when can I go back to the gym after my injections?")).status_code
        == 200
    )
    clarify = telegram_sent(stub, chat)[-1]
    buttons = [row[0] for row in json.loads(clarify["reply_markup"])["inline_keyboard"]]
    filler = next(b for b in buttons if b["text"] == "Dermal filler")
    update = telegram_update(chat, "")
    press = {
        "update_id": update["update_id"] + 1,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": update["message"]["from"],
            "message": {
                **update["message"],
                "from": {"id": 42, "is_bot": True, "first_name": "Aftercare"},
                "text": "x",
            },
            "chat_instance": "-1234",
            "data": filler["callback_data"],
        },
    }
    before = len(telegram_sent(stub, chat))
    assert post_telegram(stack, press).status_code == 200
    answer = telegram_sent(stub, chat)[before:]
    assert answer and "Dermal filler" not in answer[0]["text"] and "Closest question on file" in answer[0]["text"]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"], ids=["missing", "empty", "wrong"])
def test_telegram_updates_without_the_secret_token_are_rejected(stack, stub, secret):
    chat = 900_000_000 + uuid.uuid4().int % 1_000_000
    response = post_telegram(stack, telegram_update(chat, GYM), secret)
    assert response.status_code == 403
    assert telegram_sent(stub, chat) == [] and events_for(stack, str(chat)) == 0


# --- Slack --------------------------------------------------------------------------------------


def slack_headers(body: bytes, secret: str = SLACK_SECRET) -> dict:
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def slack_event(user: str, channel: str, text: str) -> bytes:
    ts = f"{time.time():.6f}"
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "event": {
                "type": "message",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": ts,
                "event_ts": ts,
                "channel_type": "im",
            },
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0001", "user_id": "UBOT", "is_bot": True}],
        }
    ).encode()


def test_slack_signed_event_gets_mrkdwn_blocks(stack, stub, assistant):
    user, channel = "U" + uuid.uuid4().hex[:8].upper(), "D" + uuid.uuid4().hex[:8].upper()
    body = slack_event(user, channel, GYM)
    response = requests.post(
        f"{stack.rasa_url}/webhooks/slack/webhook", data=body, headers=slack_headers(body), timeout=60
    )
    assert response.status_code == 200
    outcome = assistant.ask(GYM)
    expected = slack.slack(outcome.reply)
    posted = stub.wait_for(
        "/slack/api/chat.postMessage", lambda c: c["json"]["channel"] == channel, count=len(expected)
    )
    assert [p["json"]["blocks"] for p in posted] == [m["blocks"] for m in expected]
    assert posted[0]["headers"]["Authorization"] == "Bearer xoxb-test-token"
    sections = [b["text"]["text"] for b in posted[0]["json"]["blocks"] if b["type"] == "section"]
    assert any(s.startswith('> "') for s in sections)
    assert any("<https://demo-clinic.example/" in s and "|" in s for s in sections)


def test_slack_event_with_a_bad_signature_is_refused(stack, stub):
    user, channel = "U" + uuid.uuid4().hex[:8].upper(), "D" + uuid.uuid4().hex[:8].upper()
    body = slack_event(user, channel, GYM)
    response = requests.post(
        f"{stack.rasa_url}/webhooks/slack/webhook", data=body, headers=slack_headers(body, "not-the-secret"), timeout=60
    )
    assert response.status_code == 400  # Rasa's own Slack check
    assert stub.find("/slack/", lambda c: c["json"].get("channel") == channel) == [] and events_for(stack, user) == 0


# --- Messenger ----------------------------------------------------------------------------------


def messenger_event(psid: str, text: str) -> bytes:
    now = int(time.time() * 1000)
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": FB_PAGE,
                    "time": now,
                    "messaging": [
                        {
                            "sender": {"id": psid},
                            "recipient": {"id": FB_PAGE},
                            "timestamp": now,
                            "message": {"mid": "m_" + uuid.uuid4().hex, "text": text},
                        }
                    ],
                }
            ],
        }
    ).encode()


def hub_signature(body: bytes, algorithm=hashlib.sha1, secret: str = FB_SECRET) -> str:
    prefix = "sha1" if algorithm is hashlib.sha1 else "sha256"
    return f"{prefix}=" + hmac.new(secret.encode(), body, algorithm).hexdigest()


def messenger_sent(stub: PlatformStub, psid: str) -> list[dict]:
    return [
        c["json"]["message"]
        for c in stub.find(
            "/graph/v2.12/me/messages", lambda c: c["json"]["recipient"]["id"] == psid and "message" in c["json"]
        )
    ]


@pytest.mark.parametrize(
    "header,algorithm", [("X-Hub-Signature", hashlib.sha1), ("X-Hub-Signature-256", hashlib.sha256)]
)
def test_messenger_signed_event_gets_plain_text_and_quick_replies(stack, stub, assistant, header, algorithm):
    psid = str(uuid.uuid4().int)[:16]
    body = messenger_event(psid, GYM)
    response = requests.post(
        f"{stack.rasa_url}/webhooks/facebook/webhook",
        data=body,
        headers={"Content-Type": "application/json", header: hub_signature(body, algorithm)},
        timeout=120,
    )
    assert response.status_code == 200 and response.text == "success"
    outcome = assistant.ask(GYM)
    assert messenger_sent(stub, psid) == plain.messenger(outcome.reply)
    sent = messenger_sent(stub, psid)
    assert all(len(m["text"]) <= MESSENGER_LIMIT for m in sent)
    assert sent[-1]["quick_replies"] and "Sources:" in "\n".join(m["text"] for m in sent)
    calls = stub.find("/graph/v2.12/me/messages", lambda c: c["json"]["recipient"]["id"] == psid)
    assert calls[0]["raw"] and "access_token=fb-page-token" in calls[0]["path"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Hub-Signature": "sha1=" + "0" * 40}, {"X-Hub-Signature-256": "sha256=abc"}, {"X-Hub-Signature": "md5=1"}],
    ids=["missing", "wrong-sha1", "wrong-sha256", "odd-algorithm"],
)
def test_messenger_event_with_a_bad_signature_is_rejected(stack, stub, headers):
    psid = str(uuid.uuid4().int)[:16]
    body = messenger_event(psid, GYM)
    response = requests.post(
        f"{stack.rasa_url}/webhooks/facebook/webhook",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=60,
    )
    assert response.status_code == 403
    assert stub.find("/graph/", lambda c: c["json"]["recipient"]["id"] == psid) == [] and events_for(stack, psid) == 0


def test_messenger_subscription_handshake(stack):
    ok = requests.get(
        f"{stack.rasa_url}/webhooks/facebook/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": "fb-verify-token", "hub.challenge": "1158201444"},
        timeout=30,
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    bad = requests.get(
        f"{stack.rasa_url}/webhooks/facebook/webhook",
        params={"hub.verify_token": "x", "hub.challenge": "1"},
        timeout=30,
    )
    assert bad.status_code == 403


def test_web_channels_keep_the_rich_payload(stack):
    messages = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        headers=AUTHORIZED,
        json={"sender": uuid.uuid4().hex, "message": GYM},
        timeout=60,
    ).json()
    assert any(m.get("custom", {}).get("thread_id") == "botox-exercise" for m in messages)
    assert any("Sources:" in (m.get("text") or "") for m in messages)


# --- bounded input on every connector -----------------------------------------------------------


def test_every_connector_answers_an_overlong_message_itself(stack, stub, settings):
    story = "I had filler in my lips last week and they still feel a little lumpy when I press them. " * 100
    story = story[: settings.limits.max_message_chars + 1]

    phone = new_phone()
    form = twilio_form(phone, story)
    assert post_twilio(stack, form, twilio_signature(TWILIO_PUBLIC_URL, form)).status_code == 204
    (sms,) = [m["Body"] for m in sms_to(stub, phone)]

    chat = 900_000_000 + uuid.uuid4().int % 1_000_000
    assert post_telegram(stack, telegram_update(chat, story)).status_code == 200
    (telegram,) = [m["text"] for m in telegram_sent(stub, chat)]

    user, channel = "U" + uuid.uuid4().hex[:8].upper(), "D" + uuid.uuid4().hex[:8].upper()
    body = slack_event(user, channel, story)
    assert requests.post(
        f"{stack.rasa_url}/webhooks/slack/webhook", data=body, headers=slack_headers(body), timeout=60
    ).ok
    (slack,) = stub.wait_for("/slack/api/chat.postMessage", lambda c: c["json"]["channel"] == channel, count=1)

    psid = str(uuid.uuid4().int)[:16]
    body = messenger_event(psid, story)
    headers = {"Content-Type": "application/json", "X-Hub-Signature": hub_signature(body)}
    assert requests.post(f"{stack.rasa_url}/webhooks/facebook/webhook", data=body, headers=headers, timeout=60).ok
    (messenger,) = [m["text"] for m in messenger_sent(stub, psid)]

    for reply in (sms, telegram, slack["json"]["text"], messenger):
        assert "too long for me" in reply and "call 911" in reply
    # None of them reached NLU or the tracker store.
    assert [events_for(stack, s) for s in (phone, str(chat), user, psid)] == [0, 0, 0, 0]


# --- abuse limits: rate limits with a polite reply, CORS only for the configured origins -------------


def test_a_sender_over_the_rate_limit_is_asked_to_wait_and_an_emergency_still_gets_the_number(stack, stub):
    phone = new_phone()
    for n in range(SENDER_LIMIT + 2):
        text = EMERGENCY if n == SENDER_LIMIT + 1 else f"hello {n}"
        form = twilio_form(phone, text)
        assert post_twilio(stack, form, twilio_signature(TWILIO_PUBLIC_URL, form)).status_code == 204
    deadline = time.monotonic() + 60
    while len(sms_to(stub, phone)) < SENDER_LIMIT + 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    replies = [m["Body"] for m in sms_to(stub, phone)]
    limited = [r for r in replies if "faster than I can answer" in r]
    assert len(limited) == 1 and "911" in limited[0]
    assert any("911" in r and "faster" not in r for r in replies[-2:])  # the emergency over the limit
    # The refused messages never reached NLU: only the allowed ones are in the conversation.
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        users = db.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
            (stack.conversation_id("twilio", phone),),
        ).fetchone()[0]
    assert users == SENDER_LIMIT


def test_cors_and_socketio_only_for_the_configured_origins(stack):
    allowed, other = stack.web_url, "https://attacker.example"
    for url in (f"{stack.rasa_url}/webhooks/rest/webhook", f"{stack.action_url}/webhook"):
        for origin, expected in ((allowed, allowed), (other, None)):
            preflight = requests.options(
                url, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=10
            )
            assert preflight.headers.get("Access-Control-Allow-Origin") == expected, (url, origin)
    # Long-polling, spoken as a browser does (the websocket client library sends an Origin of its own, and
    # python-socketio's client waits out a 25 s long poll on each disconnect): the handshake, then the
    # namespace connect, which the server answers with CONNECT (40) or CONNECT_ERROR (44).
    assert socketio_connect_packet(stack, other).startswith("44")
    assert socketio_connect_packet(stack, allowed).startswith("40")


def socketio_connect_packet(stack, origin: str) -> str:
    """The server's answer to a socket.io namespace connect over Engine.IO 4 long-polling from `origin`."""
    url, headers = f"{stack.rasa_url}/socket.io/", {"Origin": origin}
    opened = requests.get(url, params={"EIO": "4", "transport": "polling"}, headers=headers, timeout=10)
    assert opened.status_code == 200 and opened.text.startswith("0"), opened.text[:200]
    session = {"EIO": "4", "transport": "polling", "sid": json.loads(opened.text[1:])["sid"]}
    assert requests.post(url, params=session, data="40", headers=headers, timeout=10).status_code == 200
    answer = requests.get(url, params=session, headers=headers, timeout=10).text
    requests.post(url, params=session, data="1", headers=headers, timeout=10)  # close the Engine.IO session
    return answer


def test_one_address_over_the_rate_limit_is_asked_to_wait(stack):
    from concurrent.futures import ThreadPoolExecutor

    def send(address):
        # From the trusted proxy on loopback, the client is the X-Forwarded-For hop it names.
        response = requests.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            headers={"X-Forwarded-For": address, **AUTHORIZED},
            json={"sender": uuid.uuid4().hex, "message": "hello"},
            timeout=120,
        )
        assert response.status_code == 200
        return "\n".join(m.get("text", "") for m in response.json())

    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(send, ["203.0.113.7"] * (ADDRESS_LIMIT + 2)))
    limited = [r for r in replies if "faster than I can answer" in r]
    assert len(limited) == 2 and all("911" in r for r in limited)
    # Another address, and loopback clients (the web app's relay speaks for many patients), are not limited.
    assert "faster" not in send("198.51.100.9")
    assert not any("faster" in send("127.0.0.1") for _ in range(ADDRESS_LIMIT + 2))


# --- the REST channel as in production: only callers with the token (credentials.production.yml) ----------


def test_the_production_credentials_require_the_rest_token():
    import yaml

    from stack import ROOT

    production = yaml.safe_load((ROOT / "credentials.production.yml").read_text(encoding="utf-8"))
    assert production["channels.bounded.RestInput"] == {"require_token": True}
    assert set(production) == {"channels.bounded.RestInput", "channels.bounded.SocketIOInput"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-the-token"},
        {"Authorization": REST_TOKEN},
        {"Authorization": f"Basic {REST_TOKEN}"},
    ],
    ids=["none", "wrong", "no-scheme", "basic"],
)
def test_rest_without_the_token_is_refused(stack, headers):
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        headers=headers,
        timeout=60,
        json={"sender": uuid.uuid4().hex, "message": "can I fly after filler?"},
    )
    assert response.status_code == 401 and "AFTERCARE_REST_TOKEN" in response.json()["error"]


def test_rest_with_the_token_and_the_web_relay_are_answered(stack):
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        headers=AUTHORIZED,
        timeout=60,
        json={"sender": uuid.uuid4().hex, "message": "can I fly after filler?"},
    )
    assert response.status_code == 200 and any("custom" in m for m in response.json())
    relayed = requests.post(
        f"{stack.web_url}/api/chat", json={"sender": "web-test", "message": "can I fly after filler?"}, timeout=60
    )
    assert relayed.status_code == 200 and relayed.json()["messages"]
