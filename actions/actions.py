"""Rasa custom action for aftercare questions: a thin adapter between a tracker and the `bot` decision path."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import records, runtime
from actions.conversation import is_cancel, known_treatment, patient_text
from actions.output import say, send
from bot.assistant import Context, Outcome
from bot.compose import compose_off_topic

log = logging.getLogger("aftercare.actions")


def context_from(tracker: Tracker) -> Context:
    """What earlier turns tell the decision path: treatment, time since it, the last question answered."""
    hours = tracker.get_slot("time_since_treatment")
    return Context(
        treatment=known_treatment(tracker),
        elapsed=dt.timedelta(hours=float(hours)) if hours is not None else None,
        last_question=tracker.get_slot("last_question"),
        last_thread_id=tracker.get_slot("last_thread_id"),
    )


def remembered(outcome: Outcome, text: str) -> list[EventType]:
    """Slots that carry this turn's context into the next one."""
    events: list[EventType] = []
    if outcome.treatment:
        events.append(SlotSet("treatment", outcome.treatment))
    if outcome.elapsed is not None:
        events.append(SlotSet("time_since_treatment", round(outcome.elapsed.total_seconds() / 3600, 2)))
    if outcome.decision == "answer":
        events += [SlotSet("last_question", outcome.question or text), SlotSet("last_thread_id", outcome.thread_id)]
    return events


class ActionAnswerAftercare(Action):
    """Triage first, then answer from the clinicians' stored answers, clarify, or fall back."""

    def name(self) -> str:
        return "action_answer_aftercare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = patient_text(tracker)
        assistant = runtime.current()
        context = context_from(tracker)
        # Embedding is CPU work; off the event loop, torch uses the other core for a concurrent message.
        outcome = await asyncio.to_thread(assistant.ask, text, context.treatment, context)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        typed = tracker.latest_message.get("text") or ""
        if intent == "cancel" and outcome.decision != "urgent" and (typed.startswith("/") or is_cancel(typed)):
            # Nothing to cancel outside the handoff form; anything else classified "cancel" is answered as a question.
            say(dispatcher, tracker, "There's nothing to cancel. What would you like to know about your aftercare?")
            return []
        # A message that names a treatment is an aftercare question whatever NLU thought: it gets the honest
        # fallback and is kept for the front desk, not the off-topic reply.
        off_topic = intent == "out_of_scope" and not assistant.vocabulary.find(text)
        if off_topic and outcome.decision == "fallback":
            outcome = replace(outcome, reply=compose_off_topic(assistant.contact))
        elif outcome.decision == "fallback" and text.strip():
            await record_unanswered(text, outcome.treatment)
        send(dispatcher, outcome, tracker.get_latest_input_channel())
        return remembered(outcome, text)


async def record_unanswered(text: str, treatment: str | None) -> None:
    """Keep a question no clinician answer covers, for the front desk; a storage failure never costs the reply."""
    try:
        await asyncio.to_thread(records.store().record_unanswered, text, treatment)
    except Exception:
        log.exception("unanswered question not stored")
