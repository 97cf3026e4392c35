"""How a reply is uttered on each input channel.

Web channels (REST, socket.io) get the complete plain text with buttons plus the rich payload (replies.web).
Messaging channels get their own rendering (replies.plain, replies.slack, replies.telegram), sent as custom
JSON so that Rasa's connector hands it to the platform as is: one Twilio message per part instead of one per
paragraph, Telegram's parse mode and keyboard, Slack blocks, Messenger quick replies.
"""

from __future__ import annotations

from typing import Any, Callable

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.assistant import Outcome
from replies import Button, Reply, plain, slack, telegram, web

# Channels whose clients render the structured payload.
RICH_CHANNELS = {"rest", "socketio"}


def _twilio(reply: Reply) -> list[dict]:
    # TwilioOutput.send_custom_json fills in "to" and "from_"; SMS and WhatsApp read the same plain text.
    return [{"body": body} for body in plain.sms(reply)]


# Input channel name (InputChannel.name()) -> the platform messages for a reply. The connectors in
# channels/ keep the stock names, so their webhook URLs and these names are Rasa's usual ones.
MESSAGING_CHANNELS: dict[str, Callable[[Reply], list[dict]]] = {
    "twilio": _twilio,
    "telegram": telegram.telegram,
    "slack": slack.slack,
    "facebook": plain.messenger,
}


def send(dispatcher: CollectingDispatcher, outcome: Outcome, channel: str | None) -> None:
    """Utter an outcome in the form its input channel shows well."""
    send_reply(dispatcher, outcome.reply, channel, outcome.decision, outcome.thread_id, outcome.urgency)


def say(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str, buttons: list[Button] | tuple[Button, ...] = ()
) -> None:
    """Utter words of our own (a form's question, a thank-you) on the tracker's channel; web clients need
    no rich payload for them."""
    send_reply(dispatcher, Reply.say(text, buttons), tracker.get_latest_input_channel(), rich=False)


def send_reply(
    dispatcher: CollectingDispatcher,
    reply: Reply,
    channel: str | None,
    kind: str = "message",
    thread_id: str | None = None,
    urgency: str | None = None,
    rich: bool = True,
) -> None:
    """Utter a reply: platform messages on messaging channels; elsewhere the complete plain text (with
    buttons), plus the rich payload where rendered (unless `rich` is off)."""
    render = MESSAGING_CHANNELS.get(channel or "")
    if render is not None:
        for message in render(reply):
            dispatcher.utter_message(json_message=message)
        return
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    custom: dict[str, Any] = {}
    if rich and channel in RICH_CHANNELS:
        payload = web.payload(reply, kind, thread_id, urgency or reply.urgency)
        # Rasa's socket.io channel passes a custom message to emit() as keyword arguments: wrapped in
        # "data", the client receives {"custom": payload}, the same shape as a REST reply.
        custom["json_message"] = {"data": {"custom": payload}} if channel == "socketio" else payload
    dispatcher.utter_message(text=reply.text, buttons=buttons, **custom)
