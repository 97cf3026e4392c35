"""What the actions read from a Rasa tracker: the patient's text, the known treatment, the transcript."""

from __future__ import annotations

import datetime as dt

from rasa_sdk import Tracker

from actions import runtime

# Intents whose messages are questions the clinic may need to see with a ticket.
QUESTION_INTENTS = {"ask_aftercare", "report_symptom", "out_of_scope", "nlu_fallback"}


def patient_text(tracker: Tracker) -> str:
    """The text to answer: a button payload ("/intent{...}") stands for the message before it."""
    text = tracker.latest_message.get("text") or ""
    if not text.startswith("/"):
        return text
    for event in reversed(tracker.events[:-1]):
        if event.get("event") == "user" and not (event.get("text") or "").startswith("/"):
            return event.get("text") or ""
    return ""


def known_treatment(tracker: Tracker) -> str | None:
    """The treatment from this message's entity, else the one remembered in the slot."""
    vocabulary = runtime.current().vocabulary
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "treatment":
            canonical = vocabulary.canonical(str(entity.get("value")))
            if canonical:
                return canonical
    return vocabulary.canonical(tracker.get_slot("treatment"))


def last_patient_question(tracker: Tracker) -> str:
    """The question the patient asked before requesting a person (typed, not a button), else the request itself."""
    request = None
    for event in reversed(tracker.events):
        if event.get("event") != "user" or (event.get("text") or "").startswith("/"):
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if request is None:
            # Messages after the request are answers typed into the handoff form, not questions.
            if intent == "request_human":
                request = event.get("text") or ""
            continue
        if intent in QUESTION_INTENTS:
            return event.get("text") or ""
    return request or "(no question typed)"


def transcript(tracker: Tracker, limit: int = 60) -> list[dict[str, str]]:
    """The conversation so far as the front desk reads it: who said what, and when (UTC)."""
    lines = []
    for event in tracker.events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        at = dt.datetime.fromtimestamp(event.get("timestamp") or 0, dt.timezone.utc).isoformat(timespec="seconds")
        lines.append({"role": "patient" if kind == "user" else "bot", "text": event["text"], "at": at})
    return lines[-limit:]
