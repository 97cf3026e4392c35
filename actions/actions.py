"""Rasa custom actions: thin adapters between a Rasa tracker and the `bot` decision path."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.compose import compose_off_topic

from actions import runtime
from actions.output import send

# Loaded at import: a corpus or index that cannot be served stops the action server from starting.
runtime.current()


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
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "treatment":
            canonical = runtime.current().vocabulary.canonical(str(entity.get("value")))
            if canonical:
                return canonical
    return runtime.current().vocabulary.canonical(tracker.get_slot("treatment"))


class ActionAnswerAftercare(Action):
    """Triage first, then answer from the clinicians' stored answers, clarify, or fall back."""

    def name(self) -> str:
        return "action_answer_aftercare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = patient_text(tracker)
        assistant = runtime.current()
        # Embedding is CPU work; off the event loop, torch uses the other core for a concurrent message.
        outcome = await asyncio.to_thread(assistant.ask, text, known_treatment(tracker))
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "out_of_scope" and outcome.decision == "fallback":
            outcome = replace(outcome, reply=compose_off_topic(assistant.contact))
        send(dispatcher, outcome, tracker.get_latest_input_channel())
        return [SlotSet("treatment", outcome.treatment)] if outcome.treatment else []
