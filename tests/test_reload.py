"""Live reload: the running action server picks up a new index without a restart, while messages keep
being answered through Rasa; a stale or unreadable index is refused and the old one keeps serving."""

from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
import requests

from actions.server import check_token
from conftest import run_cli

pytestmark = pytest.mark.e2e

NEW_ID = "chemical-peel-scuba-diving"
NEW_QUESTION = "Can I go scuba diving or snorkelling in the sea after a chemical peel?"
NEW_THREAD = f"""\
id: {NEW_ID}
question: "{NEW_QUESTION}"
treatments: [chemical_peel]
tags: [water, timing]
status: published
source: "test_reload"
demo: true
answers:
  - author: {{name: "Dr. Test Diver", credentials: "MD", specialty: "Dermatologist", location: "Test City"}}
    body: "Keep your peeled face out of sea water and off scuba masks for 7 days, until the skin stops peeling."
  - author: {{name: "Dr. Second Reef", credentials: "MBBS", specialty: "Aesthetic Physician", location: "Reef Town"}}
    body: "Snorkelling and scuba diving can wait 10 days after a medium peel; salt water and mask pressure sting new skin."
"""
MESSAGES = [
    "can I go to the gym after botox?",
    "how long will my lips be swollen after filler?",
    "can I fly after my tummy tuck?",
    "hello",
]


def test_token_check():
    assert check_token("", "Bearer anything")[0] == 403
    assert "AFTERCARE_RELOAD_TOKEN" in check_token("", None)[1]
    assert check_token("s3cret", None)[0] == 401
    assert check_token("s3cret", "Basic s3cret")[0] == 401
    assert check_token("s3cret", "Bearer wrong")[0] == 403
    assert check_token("s3cret", "Bearer s3cret") is None
    assert check_token("s3cret", "bearer  s3cret ") is None


@pytest.fixture(scope="module")
def live(editable_stack):
    """The editable stack (tests/conftest.py): the console tests may have published a thread before these run."""
    return editable_stack.stack, editable_stack.corpus_dir, editable_stack.index_dir, editable_stack.env


def published_threads(corpus_dir) -> int:
    from bot.corpus import load_corpus

    return len(load_corpus(corpus_dir).published)


def rest(stack, message, sender=None):
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender or uuid.uuid4().hex, "message": message},
        timeout=120,
    )
    return response.status_code, response.json() if response.status_code == 200 else response.text


def custom(messages):
    return next((m["custom"] for m in messages if "custom" in m), None)


def reload(stack, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{stack.action_url}/reload", headers=headers, timeout=120)


class Sender(threading.Thread):
    """Sends messages through Rasa one after another until stopped, recording every reply."""

    def __init__(self, stack):
        super().__init__(daemon=True)
        self.stack, self.stop, self.replies = stack, threading.Event(), []

    def run(self):
        i = 0
        while not self.stop.is_set():
            try:
                self.replies.append(rest(self.stack, MESSAGES[i % len(MESSAGES)]))
            except requests.RequestException as exc:  # a failed request is a failure, not a crash of the thread
                self.replies.append((None, repr(exc)))
            i += 1


def test_reload_under_load(live):
    stack, corpus_dir, index_dir, env = live
    published, token = published_threads(corpus_dir), env["AFTERCARE_RELOAD_TOKEN"]
    senders = [Sender(stack), Sender(stack)]
    for s in senders:
        s.start()
    try:
        while sum(len(s.replies) for s in senders) < 4:
            time.sleep(0.2)

        assert reload(stack, None).status_code == 401
        wrong = reload(stack, "not-the-token")
        assert wrong.status_code == 403 and "wrong reload token" in wrong.json()["error"]

        (corpus_dir / f"{NEW_ID}.yml").write_text(NEW_THREAD, encoding="utf-8")
        # The corpus changed but the index was not rebuilt: refused, and the old assistant keeps serving.
        stale = reload(stack, token)
        assert stale.status_code == 409, stale.text
        assert (
            "corpus has changed" in stale.json()["reason"] and "previous one is still served" in stale.json()["error"]
        )

        built = run_cli("index", env=env)
        assert built.returncode == 0, built.stderr
        counts = re.search(r"(\d+) embedded, (\d+) reused, (\d+) removed", built.stdout)
        assert counts and tuple(map(int, counts.groups())) == (1, published, 0), built.stdout

        during = sum(len(s.replies) for s in senders)
        done = reload(stack, token)
        assert done.status_code == 200, done.text
        body = done.json()
        assert body["threads"] == published + 1 and body["previous_threads"] == published
        assert body["index_type"] == "flat"

        status, messages = rest(stack, NEW_QUESTION)
        assert status == 200 and custom(messages)["thread_id"] == NEW_ID, messages
        assert "Dr. Test Diver" in "\n".join(m.get("text", "") for m in messages)
        while sum(len(s.replies) for s in senders) < during + 4:  # keep going after the swap too
            time.sleep(0.2)
    finally:
        for s in senders:
            s.stop.set()
        for s in senders:
            s.join(timeout=180)

    replies = [r for s in senders for r in s.replies]
    assert len(replies) >= 8
    failed = [r for r in replies if r[0] != 200 or not r[1] or not any(m.get("text", "").strip() for m in r[1])]
    assert not failed, failed[:3]


def test_unreadable_index_is_refused_and_the_old_one_serves(live):
    stack, corpus_dir, index_dir, env = live
    from bot.index import index_file, read_meta

    served = index_file(index_dir, read_meta(index_dir))
    saved = served.read_bytes()
    served.write_bytes(b"not a faiss index")
    try:
        refused = reload(stack, env["AFTERCARE_RELOAD_TOKEN"])
        assert refused.status_code == 409 and "cannot be read" in refused.json()["reason"]
        status, messages = rest(stack, "can I go to the gym after botox?")
        assert status == 200 and custom(messages)["thread_id"] == "botox-exercise"
    finally:
        served.write_bytes(saved)  # the stack is shared: leave its index as it served
