"""Triage for messages Rasa answers with a fixed response (greetings, thanks, yes/no, feedback...).

NLU can put "thanks, but now my throat feels tight" under `thanks`; the rules therefore run this check
before any fixed response, so every typed message is triaged.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.conversation import known_treatment
from actions.output import send


async def sent_urgent_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Triage the patient's typed message; on a red flag, utter the urgent reply and return True."""
    text = tracker.latest_message.get("text") or ""
    if not text.strip() or text.startswith("/"):
        return False
    outcome = await asyncio.to_thread(runtime.current().urgent, text, known_treatment(tracker))
    if outcome is None:
        return False
    send(dispatcher, outcome, tracker.get_latest_input_channel())
    return True


class ActionCheckRedFlags(Action):
    """Give the urgent reply, instead of the rule's next step, when a typed message holds a red flag."""

    def name(self) -> str:
        return "action_check_red_flags"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if await sent_urgent_reply(dispatcher, tracker):
            return [FollowupAction("action_listen")]  # skip the rule's fixed response
        return []
