"""What the actions read from a Rasa tracker: the patient's text, the known treatment, the transcript."""

from __future__ import annotations

import datetime as dt
import re

from rasa_sdk import Tracker

from actions import runtime

# Typed text is matched by words, not by the NLU intent: a name like "Maria Lopez" can be classified as anything.
_CANCEL = re.compile(
    r"^\W*(cancel|stop|quit|exit|abort|never ?mind|forget (it|about it)|(i )?changed my mind|leave it|"
    r"i'?d rather not|don'?t (contact|call|email) me|i don'?t want (to|this))\b",
    re.IGNORECASE,
)


REMOVED = "[removed]"  # what the tracker store keeps of a handoff form answer


def is_cancel(text: str) -> bool:
    """Whether typed text asks to cancel ("cancel", "never mind", "stop"...)."""
    return bool(_CANCEL.match(text))


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
    events = tracker.events
    # Messages after the handoff form started are answers typed into it (names, numbers), not questions.
    started = max(
        (i for i, e in enumerate(events) if e.get("event") == "active_loop" and e.get("name")), default=len(events)
    )
    request = None
    for event in reversed(events[:started]):
        if event.get("event") != "user" or (event.get("text") or "").startswith("/"):
            continue
        if request is None:
            request = event.get("text") or ""
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent in QUESTION_INTENTS:
            return event.get("text") or ""
    return request or "(no question typed)"


def transcript(tracker: Tracker, limit: int = 60) -> list[dict[str, str]]:
    """The conversation so far as the front desk reads it: who said what, and when (UTC)."""
    lines = []
    for event in tracker.events:
        kind = event.get("event")
        # Form answers are stored as "[removed]" (channels/private_tracker.py): the ticket has them as fields.
        if kind not in ("user", "bot") or not event.get("text") or event["text"] == REMOVED:
            continue
        at = dt.datetime.fromtimestamp(event.get("timestamp") or 0, dt.timezone.utc).isoformat(timespec="seconds")
        lines.append({"role": "patient" if kind == "user" else "bot", "text": event["text"], "at": at})
    return lines[-limit:]
