"""Feedback on an answer ("Was this helpful?"), stored with the thread it was about."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import records
from actions.output import say
from replies import Button

log = logging.getLogger("aftercare.actions.feedback")

_NOT_HELPFUL = ("not", "n't", "no help", "useless", "unhelpful", "isn't what")


def helpful_from(tracker: Tracker) -> bool:
    """Whether the patient found the answer helpful: the button's entity, else the words they typed."""
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "helpful":
            return str(entity.get("value")).lower() in ("yes", "true", "1")
    text = (tracker.latest_message.get("text") or "").lower()
    return not any(marker in text for marker in _NOT_HELPFUL)


def thread_from(tracker: Tracker) -> str | None:
    """The thread the feedback is about: the button's entity, else the last answer given."""
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "feedback_thread" and entity.get("value"):
            return str(entity["value"])
    return tracker.get_slot("last_thread_id")


def answered_threads(tracker: Tracker) -> set[str]:
    """The threads this conversation was answered with (each answer sets the last_thread_id slot)."""
    return {
        str(e["value"])
        for e in tracker.events
        if e.get("event") == "slot" and e.get("name") == "last_thread_id" and e.get("value")
    }


def already_rated(tracker: Tracker, thread_id: str) -> bool:
    """Whether an earlier message of this conversation gave feedback on this thread (one verdict per thread)."""
    earlier = [e for e in tracker.events if e.get("event") == "user"][:-1]
    return any(
        ((e.get("parse_data") or {}).get("intent") or {}).get("name") == "feedback"
        and any(
            x.get("entity") == "feedback_thread" and str(x.get("value")) == thread_id
            for x in (e.get("parse_data") or {}).get("entities") or []
        )
        for e in earlier
    )


class ActionRecordFeedback(Action):
    """Store the patient's verdict on the last answer and thank them."""

    def name(self) -> str:
        return "action_record_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        thread_id, helpful = thread_from(tracker), helpful_from(tracker)
        if thread_id is None:
            say(dispatcher, tracker, "Thanks! What would you like to know about your aftercare?")
            return []
        # Only a verdict on an answer this conversation was given counts, once: a forged or replayed
        # /feedback{...} cannot push a thread's figures up or down.
        if thread_id not in answered_threads(tracker):
            log.info("feedback ignored: thread not answered here")
            say(dispatcher, tracker, "Thanks! What would you like to know about your aftercare?")
            return []
        if already_rated(tracker, thread_id):
            log.info("feedback ignored: thread rated already")
        else:
            try:
                await asyncio.to_thread(records.store().record_feedback, thread_id, helpful)
            except Exception:
                log.exception("feedback not stored")
        if helpful:
            say(dispatcher, tracker, "Thank you for letting us know. Anything else about your aftercare?")
        else:
            say(
                dispatcher,
                tracker,
                "Thank you, that helps the clinic improve its answers. You can ask it another way, "
                "or ask to speak to someone at the clinic.",
                buttons=[Button("Talk to the clinic", "/request_human")],
            )
        return []
