"""Multi-turn conversations through the real Rasa and action servers over REST: context carried across
turns, follow-ups, a clarification click, handoffs completed and cancelled, feedback, and an emergency
in the middle of a conversation. The servers write to the shared test stack's own SQLite database."""

from __future__ import annotations

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


class Patient:
    """One conversation: a sender id and the replies to each message."""

    def __init__(self, stack):
        self.stack, self.sender = stack, uuid.uuid4().hex

    def say(self, message: str) -> list[dict]:
        response = requests.post(
            f"{self.stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": message},
            timeout=60,
        )
        assert response.status_code == 200, response.text[:500]
        return response.json()


def custom(messages):
    return next((m["custom"] for m in messages if "custom" in m), {})


def text(messages):
    return "\n".join(m.get("text", "") for m in messages)


def buttons(messages):
    return [b for m in messages for b in m.get("buttons", [])]


def test_treatment_is_carried_and_follow_ups_are_answered(stack):
    patient = Patient(stack)
    assert custom(patient.say("can I go to the gym after botox?"))["thread_id"] == "botox-exercise"
    assert custom(patient.say("what about alcohol?"))["thread_id"] == "botox-alcohol"
    other = Patient(stack)
    assert custom(other.say("when can I exercise after lip filler?"))["thread_id"] == "filler-exercise"
    assert custom(other.say("what about alcohol?"))["thread_id"] != "botox-alcohol"
    assert custom(other.say("and the gym?"))["thread_id"] == "filler-exercise"


def test_clarification_click_completes_the_original_question(stack):
    patient = Patient(stack)
    first = patient.say("can I work out after my injections?")
    assert custom(first)["type"] == "clarify"
    choice = next(b for b in buttons(first) if "neuromodulator" in b["payload"])
    assert custom(patient.say(choice["payload"]))["thread_id"] == "botox-exercise"


def test_completed_handoff_files_a_ticket_with_the_transcript(stack, store):
    patient = Patient(stack)
    patient.say("can I drink wine after botox?")
    assert "name" in text(patient.say("can I talk to a real person?")).lower()
    assert "phone number or email" in text(patient.say("Maria Lopez"))
    invalid = text(patient.say("call me maybe"))
    assert "phone number" in invalid and "email" in invalid
    consent = patient.say("+1 555 010 0199")
    assert {"/affirm", "/deny", "/cancel"} <= {b["payload"] for b in buttons(consent)}
    done = text(patient.say("/affirm"))
    assert "Thank you." in done and "within one working day" in done
    ticket = next(t for t in store.tickets() if t.name == "Maria Lopez")
    assert ticket.contact == "+15550100199" and ticket.consent and ticket.status == "new"
    assert ticket.question == "can I drink wine after botox?"
    said = [line["text"] for line in ticket.transcript if line["role"] == "patient"]
    assert "can I drink wine after botox?" in said and "can I talk to a real person?" in said
    # The conversation goes on normally afterwards.
    assert custom(patient.say("and the gym?"))["thread_id"] == "botox-exercise"


def test_cancelled_handoff_files_nothing(stack, store):
    before = len(store.tickets())
    patient = Patient(stack)
    patient.say("I want to speak to a nurse")
    patient.say("Sam Reyes")
    assert "cancelled" in text(patient.say("/cancel"))
    typed = Patient(stack)
    typed.say("can someone call me back")
    assert "cancelled" in text(typed.say("never mind"))
    assert len(store.tickets()) == before
    assert custom(typed.say("can I go to the gym after botox?"))["thread_id"] == "botox-exercise"


def test_emergency_mid_conversation_and_mid_form(stack, store):
    patient = Patient(stack)
    patient.say("can I go to the gym after lip filler?")
    urgent = patient.say("my lips are going white and really painful")
    assert custom(urgent)["type"] == "urgent" and custom(urgent)["urgency"] in ("emergency", "clinic_now")
    before = len(store.tickets())
    in_form = Patient(stack)
    in_form.say("can a nurse call me back")
    reply = in_form.say("I can't breathe and my throat is swelling")
    assert custom(reply)["urgency"] == "emergency" and "911" in text(reply)
    assert len(store.tickets()) == before


def test_unanswered_questions_and_feedback_are_stored(stack, store):
    patient = Patient(stack)
    reply = patient.say("will my pdo threads set off the metal detector at the airport?")
    assert custom(reply)["type"] == "fallback", custom(reply)
    assert "/request_human" in [b["payload"] for b in buttons(reply)]  # the offer to ask the clinic
    assert any("metal detector" in q.text for q in store.unanswered())
    answered = patient.say("can I go to the gym after botox?")
    no = next(b for b in buttons(answered) if '"no"' in b["payload"])
    patient.say(no["payload"])
    stats = {f.thread_id: f for f in store.feedback_by_thread()}
    assert stats["botox-exercise"].unhelpful >= 1


def test_feedback_counts_only_for_an_answer_given_and_once(stack, store):
    def unhelpful(thread):
        return next((f.unhelpful for f in store.feedback_by_thread() if f.thread_id == thread), 0)

    forged = Patient(stack)
    forged.say("hello")
    before = unhelpful("kybella-swelling")
    for _ in range(3):  # a thread this sender was never answered with
        assert "Thanks!" in text(forged.say('/feedback{"helpful": "no", "feedback_thread": "kybella-swelling"}'))
    assert unhelpful("kybella-swelling") == before
    patient = Patient(stack)
    answered = patient.say("can I go to the gym after botox?")
    no = next(b for b in buttons(answered) if '"no"' in b["payload"])
    before = unhelpful("botox-exercise")
    for _ in range(3):  # the same verdict replayed
        patient.say(no["payload"])
    assert unhelpful("botox-exercise") == before + 1
