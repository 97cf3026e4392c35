"""Handoff form answers never stay in Rasa's conversation events, and one open ticket per sender: through the
real Rasa and action servers over REST, reading Rasa's SQLite tracker store and the app store afterwards."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def store(stack):
    from store import Store

    opened = Store.open(stack.env["DATABASE_URL"])
    yield opened
    opened.close()


def say(stack, sender: str, message: str) -> str:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    assert response.status_code == 200, response.text[:500]
    return "\n".join(m.get("text", "") for m in response.json())


def stored_events(stack, sender: str) -> list[str]:
    """Every stored event of the conversation, as Rasa wrote it (JSON text), plus the intent/action columns."""
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        rows = db.execute(
            "SELECT data, intent_name, action_name FROM events WHERE sender_id = ?",
            (stack.conversation_id("rest", sender),),
        ).fetchall()
    assert rows, "nothing stored for this conversation"
    return [" ".join(str(c) for c in row) for row in rows]


def leaked(stack, sender: str, secrets: list[str]) -> list[str]:
    events = "\n".join(stored_events(stack, sender)).lower()
    return [s for s in secrets if s.lower() in events]


def key(stack, sender: str) -> str:
    """The store's key of this REST conversation (actions/handoff.py hashes Rasa's conversation id)."""
    return hashlib.sha256(f"aftercare-sender:{stack.conversation_id('rest', sender)}".encode()).hexdigest()


def test_filed_ticket_leaves_no_form_answers_in_the_tracker(stack, store):
    sender = uuid.uuid4().hex
    say(stack, sender, "can I drink wine after botox?")
    say(stack, sender, "can I talk to a real person?")
    assert "phone number or email" in say(stack, sender, "Rosalind Vexmoor")
    say(stack, sender, "+1 555 010 0177")
    done = say(stack, sender, "/affirm")
    assert "reference #" in done and "Rosalind" not in done
    ticket = next(t for t in store.tickets() if t.name == "Rosalind Vexmoor")
    assert ticket.contact == "+15550100177" and ticket.question == "can I drink wine after botox?"
    said = [line["text"] for line in ticket.transcript if line["role"] == "patient"]
    assert "can I drink wine after botox?" in said and not any("removed" in s for s in said)
    assert leaked(stack, sender, ["Rosalind", "Vexmoor", "555 010 0177", "5550100177"]) == []
    assert "can I drink wine after botox?" in "\n".join(stored_events(stack, sender))  # the rest is kept
    assert store.pending_handoff(key(stack, sender)) == (None, None)
    # The conversation goes on, and a second request while the ticket is open files nothing new.
    before = len(store.tickets())
    again = say(stack, sender, "can I talk to someone at the clinic?")
    assert f"reference #{ticket.id}" in again and "already has your request" in again
    assert len(store.tickets()) == before


def test_cancelled_form_leaves_no_answers_anywhere(stack, store):
    sender = uuid.uuid4().hex
    say(stack, sender, "I want to speak to a nurse")
    say(stack, sender, "Tobiah Vennaker")
    say(stack, sender, "tobiah.v@example.org")
    assert store.pending_handoff(key(stack, sender)) == ("Tobiah Vennaker", "tobiah.v@example.org")
    assert "cancelled" in say(stack, sender, "/cancel")
    assert leaked(stack, sender, ["Tobiah", "Vennaker", "tobiah.v@example.org"]) == []
    assert store.pending_handoff(key(stack, sender)) == (None, None)
    assert not [t for t in store.tickets() if t.name == "Tobiah Vennaker"]


def test_answers_of_an_unfinished_form_are_never_written_to_the_tracker(stack, store):
    sender = uuid.uuid4().hex
    say(stack, sender, "can someone call me back")
    say(stack, sender, "Ysolde Brannigan")  # and the patient walks away
    assert leaked(stack, sender, ["Ysolde", "Brannigan"]) == []
    assert store.pending_handoff(key(stack, sender))[0] == "Ysolde Brannigan"  # held for the form, for a short time


def test_declined_consent_files_nothing_and_forgets_the_answers(stack, store):
    sender = uuid.uuid4().hex
    say(stack, sender, "can a nurse call me")
    say(stack, sender, "Odalys Ferreira")
    say(stack, sender, "+44 7700 900 456")
    assert "won't contact you" in say(stack, sender, "/deny")
    assert leaked(stack, sender, ["Odalys", "Ferreira", "7700 900 456", "7700900456"]) == []
    assert store.pending_handoff(key(stack, sender)) == (None, None)
