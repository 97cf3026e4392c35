"""The handoff form's checks, with rasa-sdk's own Tracker and CollectingDispatcher."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import valid_contact, valid_name


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Maria", "Maria"),
        ("  maria   lopez ", "maria lopez"),
        ("Siobhán O'Neill-Brady", "Siobhán O'Neill-Brady"),
        ("J. R. Smith", "J. R. Smith"),
        ("", None),
        ("12345", None),
        ("maria@example.com", None),
        ("can I go to the gym after botox and also swim tomorrow?", None),
        ("x" * 81, None),
    ],
)
def test_valid_name(text, expected):
    assert valid_name(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("+1 (555) 010-0199", "+15550100199"),
        ("07700 900123", "07700900123"),
        ("Maria.Lopez@Example.com", "maria.lopez@example.com"),
        ("555-01", None),
        ("call me", None),
        ("maria@", None),
        ("1234567890123456", None),
    ],
)
def test_valid_contact(text, expected):
    assert valid_contact(text) == expected


def test_overlong_contact_is_refused_before_any_pattern_runs():
    # "a@" followed by 50,000 "a." backtracked quadratically in the address pattern.
    assert valid_contact("a@" + "a." * 50_000) is None
    assert valid_contact("1" * 10_000) is None
    assert valid_contact("x" * 240 + "@clinic.example") is None  # longer than an address can be


def form_tracker(text, requested, intent="inform", slots=None):
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    slots = {"requested_slot": requested, **(slots or {})}
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}]
    active_loop = {"name": "handoff_form"}
    return Tracker("patient-1", slots, latest, events, False, None, active_loop, "action_listen")


DOMAIN = {"forms": {"handoff_form": {"required_slots": ["patient_name", "patient_contact", "contact_consent"]}},
          "slots": {}}  # fmt: skip


@pytest.fixture(scope="module")
def validator(built_index):
    from actions.handoff import ValidateHandoffForm

    return ValidateHandoffForm()


def run(validator, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(validator.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages, events


def test_cancel_ends_the_form_without_keeping_details(validator):
    messages, events = run(
        validator, form_tracker("/cancel", "patient_contact", intent="cancel", slots={"patient_name": "Maria"})
    )
    assert ActiveLoop(None) in events and SlotSet("handoff_stopped", "cancelled") in events
    assert SlotSet("patient_name", None) in events
    assert "cancelled" in messages[0]["text"] and "Nothing was sent" in messages[0]["text"]


def test_typed_cancel_words_end_the_form_but_the_cancel_intent_alone_does_not(validator):
    _, events = run(validator, form_tracker("never mind, cancel please", "patient_name", intent="greet"))
    assert ActiveLoop(None) in events
    _, events = run(validator, form_tracker("Maria Lopez", "patient_name", intent="cancel"))
    assert ActiveLoop(None) not in events


def test_red_flag_typed_into_the_form_gets_the_urgent_reply_and_ends_it(validator):
    messages, events = run(validator, form_tracker("my throat is closing and I can't breathe", "patient_name"))
    assert ActiveLoop(None) in events and SlotSet("handoff_stopped", "urgent") in events
    assert "911" in messages[0]["text"]


def test_unclear_consent_is_asked_again(validator):
    messages, events = run(
        validator,
        form_tracker("hmm maybe", "contact_consent", slots={"patient_name": "M", "patient_contact": "+15550100199"}),
    )
    assert events == [SlotSet("contact_consent", None)] and "yes or no" in messages[0]["text"]
