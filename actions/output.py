"""How an outcome is uttered on each input channel."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.assistant import Outcome

# Channels whose clients render the structured payload; others get the complete plain text only.
RICH_CHANNELS = {"rest", "socketio"}


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
