"""Rasa custom actions: thin adapters between a Rasa tracker and the `bot` decision path."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.assistant import Assistant, Outcome
from bot.compose import compose_off_topic
from bot.config import Settings
from bot.corpus import CorpusError
from bot.index import StaleIndexError
from bot.logs import configure_logging

# Channels whose clients render the structured payload; others get the complete plain text only.
RICH_CHANNELS = {"rest", "socketio"}


class AssistantUnavailable(ImportError):
    """The corpus or index cannot be served. An ImportError, because that is what makes rasa-sdk
    refuse to start instead of serving an action that would fail on every message."""


def _load() -> Assistant:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        return Assistant.load(settings)
    except (CorpusError, StaleIndexError, FileNotFoundError) as exc:
        raise AssistantUnavailable(str(exc)) from exc


ASSISTANT = _load()


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
            canonical = ASSISTANT.vocabulary.canonical(str(entity.get("value")))
            if canonical:
                return canonical
    return ASSISTANT.vocabulary.canonical(tracker.get_slot("treatment"))


def send(dispatcher: CollectingDispatcher, outcome: Outcome, channel: str | None) -> None:
    """Utter an outcome: complete plain text (with buttons), plus the rich payload where rendered."""
    reply = outcome.reply
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    rich: dict[str, Any] = {}
    if channel in RICH_CHANNELS:
        payload = {**reply.payload(outcome.decision, outcome.thread_id), "urgency": outcome.urgency}
        # Rasa's socket.io channel passes a custom message to emit() as keyword arguments: wrapped in
        # "data", the client receives {"custom": payload}, the same shape as a REST reply.
        rich["json_message"] = {"data": {"custom": payload}} if channel == "socketio" else payload
    dispatcher.utter_message(text=reply.text, buttons=buttons, **rich)


class ActionAnswerAftercare(Action):
    """Triage first, then answer from the clinicians' stored answers, clarify, or fall back."""

    def name(self) -> str:
        return "action_answer_aftercare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = patient_text(tracker)
        # Embedding is CPU work; off the event loop, torch uses the other core for a concurrent message.
        outcome = await asyncio.to_thread(ASSISTANT.ask, text, known_treatment(tracker))
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "out_of_scope" and outcome.decision == "fallback":
            outcome = replace(outcome, reply=compose_off_topic(ASSISTANT.contact))
        send(dispatcher, outcome, tracker.get_latest_input_channel())
        return [SlotSet("treatment", outcome.treatment)] if outcome.treatment else []
