"""What the actions read from a tracker: patient text, treatment, last question, transcript."""

from rasa_sdk import Tracker

from actions.conversation import last_patient_question, transcript
from actions.feedback import helpful_from, thread_from


def user(text, intent, ts):
    return {"event": "user", "text": text, "timestamp": ts, "parse_data": {"intent": {"name": intent}, "entities": []}}


def bot(text, ts):
    return {"event": "bot", "text": text, "timestamp": ts}


EVENTS = [
    {"event": "action", "name": "action_listen", "timestamp": 1},
    user("hi", "greet", 1_700_000_000),
    bot("Hi! I'm an automated aftercare assistant.", 1_700_000_001),
    user("can I drink wine after botox?", "ask_aftercare", 1_700_000_010),
    bot("Clinicians said ...", 1_700_000_011),
    user("I want a nurse", "request_human", 1_700_000_030),
    {"event": "active_loop", "name": "handoff_form", "timestamp": 1_700_000_031},
    user("Maria Lopez", "ask_aftercare", 1_700_000_040),
    user("07700 900123", "request_human", 1_700_000_050),
]


def make(events, latest=None, slots=None):
    latest = latest or events[-1].get("parse_data", {})
    return Tracker("p", slots or {}, latest, events, False, None, {}, "action_listen")


def test_last_patient_question_is_the_one_before_the_request_not_what_was_typed_into_the_form():
    assert last_patient_question(make(EVENTS)) == "can I drink wine after botox?"
    assert last_patient_question(make(EVENTS[:1] + EVENTS[5:])) == "I want a nurse"


def test_transcript_has_roles_texts_and_utc_times_in_order():
    lines = transcript(make(EVENTS))
    assert [line["role"] for line in lines] == ["patient", "bot", "patient", "bot", "patient", "patient", "patient"]
    assert lines[2] == {"role": "patient", "text": "can I drink wine after botox?", "at": "2023-11-14T22:13:30+00:00"}


def test_feedback_from_button_entities():
    latest = {"text": '/feedback{"helpful": "no", "feedback_thread": "botox-alcohol"}', "intent": {"name": "feedback"},
              "entities": [{"entity": "helpful", "value": "no"}, {"entity": "feedback_thread", "value": "botox-alcohol"}]}  # fmt: skip
    tracker = make([], latest, {"last_thread_id": "other"})
    assert helpful_from(tracker) is False and thread_from(tracker) == "botox-alcohol"


def test_typed_feedback_falls_back_to_words_and_last_answer():
    tracker = make(
        [],
        {"text": "that didn't help at all", "intent": {"name": "feedback"}, "entities": []},
        {"last_thread_id": "filler-exercise"},
    )
    assert helpful_from(tracker) is False and thread_from(tracker) == "filler-exercise"
    tracker = make([], {"text": "that was helpful", "intent": {"name": "feedback"}, "entities": []})
    assert helpful_from(tracker) is True and thread_from(tracker) is None
