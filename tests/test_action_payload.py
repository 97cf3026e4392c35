"""Slim action-server events (channels/action_payload.py): every reader of events in actions/ gives the
same result on Rasa's full events and on the slim ones, which are a fraction of the size."""

from __future__ import annotations

import json

from rasa_sdk import Tracker

from actions.conversation import last_patient_question, patient_text, transcript
from actions.feedback import already_rated, answered_threads
from channels.action_payload import slim_event, slim_events

RANKING = [
    {"name": n, "confidence": 0.01}
    for n in ("feedback", "deny", "goodbye", "greet", "bot_challenge", "thanks", "affirm", "cancel", "request_human")
]


def user(text: str, intent: str, t: float, entities: list[dict] | None = None) -> dict:
    """A user event as Rasa 3.6 stores and sends it."""
    parse = {
        "intent": {"name": intent, "confidence": 0.97},
        "entities": entities or [],
        "text": text,
        "message_id": "m",
        "metadata": {},
        "text_tokens": [[0, 3], [4, 9]],
        "intent_ranking": [{"name": intent, "confidence": 0.97}, *RANKING],
    }
    return {
        "event": "user",
        "timestamp": t,
        "metadata": {"model_id": "x", "assistant_id": "a"},
        "text": text,
        "parse_data": parse,
        "input_channel": "rest",
        "message_id": "m",
    }


def bot(text: str, t: float) -> dict:
    buttons = [{"title": f"Thread {i}", "payload": f'/choose_thread{{"thread_id":"t{i}"}}'} for i in range(4)]
    return {
        "event": "bot",
        "timestamp": t,
        "metadata": {"utter_action": "action_answer_aftercare"},
        "text": text,
        "data": {
            "elements": None,
            "quick_replies": None,
            "buttons": buttons,
            "attachment": None,
            "image": None,
            "custom": {"reply": {"summary": text, "quotes": [text] * 3, "citations": ["Dr A"] * 3}},
        },
    }


def action(name: str, t: float) -> dict:
    return {
        "event": "action",
        "timestamp": t,
        "metadata": {},
        "name": name,
        "policy": "RulePolicy",
        "confidence": 1.0,
        "action_text": None,
        "hide_rule_turn": False,
    }


def conversation() -> list[dict]:
    """Two answered questions, a rating, a button press, a handoff form started: every shape readers use."""
    rated = [{"entity": "feedback_thread", "value": "botox-alcohol"}, {"entity": "helpful", "value": "yes"}]
    return [
        {"event": "session_started", "timestamp": 1.0, "metadata": {}},
        action("action_listen", 1.1),
        user(
            "can I drink wine after botox?", "ask_aftercare", 2.0, [{"entity": "treatment", "value": "neuromodulator"}]
        ),
        {"event": "user_featurization", "timestamp": 2.1, "use_text_for_featurization": False},
        action("action_answer_aftercare", 2.2),
        bot("Clinicians say wait 24 hours [1].", 2.3),
        {"event": "slot", "timestamp": 2.4, "name": "last_thread_id", "value": "botox-alcohol"},
        user('/feedback{"feedback_thread":"botox-alcohol","helpful":"yes"}', "feedback", 3.0, rated),
        bot("Thanks for telling us.", 3.1),
        user("my lips are swollen after filler, is that normal?", "report_symptom", 4.0),
        bot("Which of these is closest?", 4.1),
        user('/choose_thread{"thread_id":"filler-swelling"}', "choose_thread", 5.0),
        {"event": "slot", "timestamp": 5.1, "name": "last_thread_id", "value": "filler-swelling"},
        bot("Swelling peaks at 48 hours [1].", 5.2),
        user("can I talk to someone", "request_human", 6.0),
        {"event": "active_loop", "timestamp": 6.1, "name": "handoff_form"},
        user("[removed]", "inform", 7.0),
    ]


def tracker(events: list[dict]) -> Tracker:
    latest = next(e for e in reversed(events) if e["event"] == "user")
    return Tracker(
        "s",
        {"last_thread_id": "filler-swelling"},
        latest["parse_data"],
        events,
        False,
        None,
        {"name": "handoff_form"},
        "action_listen",
    )


def test_every_reader_of_events_reads_the_same_from_slim_events():
    full, slim = tracker(conversation()), tracker(slim_events(conversation()))
    assert patient_text(slim) == patient_text(full)
    assert (
        last_patient_question(slim)
        == last_patient_question(full)
        == "my lips are swollen after filler, is that normal?"
    )
    assert transcript(slim) == transcript(full)
    assert answered_threads(slim) == answered_threads(full) == {"botox-alcohol", "filler-swelling"}
    assert already_rated(slim, "botox-alcohol") == already_rated(full, "botox-alcohol") is True
    assert already_rated(slim, "filler-swelling") is False


def test_a_button_press_still_stands_for_the_question_before_it():
    events = conversation()[:12]
    assert patient_text(tracker(slim_events(events))) == "my lips are swollen after filler, is that normal?"


def test_slim_events_are_a_fraction_of_the_size_and_keep_type_and_order():
    events = conversation()
    slim = slim_events(events)
    assert [e["event"] for e in slim] == [e["event"] for e in events if e["event"] != "user_featurization"]
    assert len(json.dumps(slim)) < 0.5 * len(json.dumps(events))
    assert "intent_ranking" not in slim[2]["parse_data"] and "data" not in slim[4]


def test_unknown_events_and_odd_parse_data_pass_through():
    odd = {"event": "reminder", "timestamp": 1.0, "name": "r", "kill_on_user_msg": True}
    assert slim_event(odd) == odd
    assert slim_event({"event": "user", "text": "hi", "parse_data": None}) == {
        "event": "user",
        "text": "hi",
        "parse_data": None,
    }


def test_action_replies_are_validated_as_strictly_with_the_prepared_validator():
    """channels/action_result.py replaces Rasa's per-call schema check; in Rasa's environment, a valid
    reply still passes and an invalid one still raises Rasa's ValidationError with its explanation."""
    import os
    import subprocess

    from stack import ROOT, VENV_RASA

    check = (
        "import jsonschema, rasa.core.actions.action as a\n"
        "from channels import action_result\n"
        "action_result.install(); action_result.install()\n"
        "remote = a.RemoteAction('action_x', None)\n"
        "assert remote._validate_action_result({'events': [{'event': 'slot', 'name': 's', 'value': 1}],"
        " 'responses': [{'text': 'hi', 'custom': {'citations': [1, 2]}}]})\n"
        "for bad in ({'events': 'not a list'}, {'responses': ['not an object']}, {'events': [{'event': 'nope'}]}):\n"
        "    try:\n"
        "        remote._validate_action_result(bad)\n"
        "    except jsonschema.ValidationError as e:\n"
        "        assert 'Failed to validate Action server response' in e.message, e.message\n"
        "    else:\n"
        "        raise SystemExit(f'accepted {bad}')\n"
    )
    done = subprocess.run(
        [str(VENV_RASA / "python"), "-c", check],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
