"""The Rasa custom action with rasa-sdk's own Tracker and CollectingDispatcher."""

import asyncio
import importlib

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


@pytest.fixture(scope="module")
def actions(built_index):
    return importlib.import_module("actions.actions")


def tracker(text, intent="ask_aftercare", entities=(), slots=None, channel="rest", events=None):
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": list(entities)}
    events = list(events or []) + [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}]
    return Tracker("patient-1", slots or {}, latest, events, False, None, {}, "action_listen")


def run(actions, t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(actions.ActionAnswerAftercare().run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_answers_with_citations_and_payload(actions):
    messages, events = run(
        actions,
        tracker("can i go to the gym after botox", entities=[{"entity": "treatment", "value": "neuromodulator"}]),
    )
    (message,) = messages
    assert "botox-exercise" == message["custom"]["thread_id"]
    assert message["custom"]["citations"] and message["custom"]["disclaimer"] in message["text"]
    assert events == [
        SlotSet("treatment", "neuromodulator"),
        SlotSet("last_question", "can i go to the gym after botox"),
        SlotSet("last_thread_id", "botox-exercise"),
    ]


def test_messaging_channels_get_their_own_rendering(actions):
    messages, _ = run(actions, tracker("can i go to the gym after botox", channel="twilio"))
    bodies = [m["custom"]["body"] for m in messages]
    assert not any(m.get("text") for m in messages) and all(len(b) <= 1600 for b in bodies)
    assert "Sources:" in "\n".join(bodies) and "https://demo-clinic.example/" in "\n".join(bodies)
    messages, _ = run(actions, tracker("can i go to the gym after botox", channel="telegram"))
    assert messages[0]["custom"]["parse_mode"] == "MarkdownV2"


def test_socketio_payload_is_wrapped_for_emit(actions):
    (message,), _ = run(actions, tracker("can i go to the gym after botox", channel="socketio"))
    assert message["custom"]["data"]["custom"]["thread_id"] == "botox-exercise"


def test_treatment_slot_carries_context(actions):
    (message,), _ = run(actions, tracker("how long should i wait before exercising?", slots={"treatment": "filler"}))
    assert message["custom"]["thread_id"] == "filler-exercise"


def test_button_payload_stands_for_the_message_before(actions):
    earlier = [{"event": "user", "text": "when can i go back to the gym", "parse_data": {}}]
    t = tracker(
        '/ask_aftercare{"treatment": "filler"}', entities=[{"entity": "treatment", "value": "filler"}], events=earlier
    )
    (message,), _ = run(actions, t)
    assert message["custom"]["thread_id"] == "filler-exercise"


def test_emergency_is_not_answered_from_the_corpus(actions):
    (message,), _ = run(actions, tracker("i can't swallow properly since my botox", intent="report_symptom"))
    assert message["custom"]["type"] == "urgent" and message["custom"]["urgency"] == "emergency"
    assert not message["custom"]["citations"] and "911" in message["text"]


def test_out_of_scope_still_runs_triage(actions):
    (message,), _ = run(actions, tracker("my throat feels tight and i can't breathe", intent="out_of_scope"))
    assert message["custom"]["type"] == "urgent"


def test_out_of_scope_without_answer_says_what_it_can_do(actions):
    (message,), _ = run(actions, tracker("what's the capital of peru", intent="out_of_scope"))
    assert message["text"].startswith("I can only help with aftercare questions") and "911" in message["text"]
    assert message["custom"]["type"] == "fallback" and not message["custom"]["citations"]


def test_clarify_offers_buttons(actions):
    (message,), _ = run(actions, tracker("can i work out after my injections?"))
    assert message["custom"]["type"] == "clarify" and len(message["buttons"]) >= 2


def test_cancel_outside_a_form_has_nothing_to_cancel_but_a_misread_question_is_answered(actions):
    (message,), events = run(actions, tracker("never mind", intent="cancel"))
    assert "nothing to cancel" in message["text"] and events == []
    messages, _ = run(actions, tracker("can i go to the gym after botox", intent="cancel"))
    assert messages[0]["custom"]["thread_id"] == "botox-exercise"


def test_out_of_scope_message_naming_a_treatment_gets_the_honest_fallback(actions):
    (message,), _ = run(
        actions, tracker("will my pdo threads set off the metal detector at the airport?", intent="out_of_scope")
    )
    assert message["custom"]["type"] == "fallback"
    assert [b["payload"] for b in message["buttons"]] == ["/request_human"]


def test_fixed_responses_are_preceded_by_triage(built_index):
    from rasa_sdk.events import FollowupAction

    from actions.guard import ActionCheckRedFlags

    def check(text):
        dispatcher = CollectingDispatcher()
        return dispatcher.messages, asyncio.run(
            ActionCheckRedFlags().run(dispatcher, tracker(text, intent="thanks"), {})
        )

    messages, events = check("thanks, but now my throat feels tight and I can't breathe")
    assert events == [FollowupAction("action_listen")] and "911" in messages[0]["text"]
    assert check("thanks so much!") == ([], [])
