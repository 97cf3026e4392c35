"""Bounded input for every channel: a message longer than the cap never reaches NLU, and the patient is
told so in a reply rather than meeting silence.

Every connector in this package hands Rasa's `on_new_message` through `bounded()`. Rasa's own REST and
socket.io connectors are wrapped here too (`RestInput`, `SocketIOInput`, same names and URLs as Rasa's),
so credentials.yml names these instead of `rest:` and `socketio:`. The same blueprint also caps the size
of any HTTP request body the Rasa server reads (`AFTERCARE_MAX_REQUEST_BYTES`, 413 above it).

Why here and not in the action server: a 5 MB message kept Rasa's NLU busy for minutes, so every other
patient, emergencies included, got nothing; the check has to come before NLU.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import Settings

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    """This process's settings, read once (the Rasa server imports this package at start-up)."""
    return Settings.from_env()


def too_long_reply(length: int, config: Settings) -> str:
    """What a patient is told when their message is over the cap (never a silent drop)."""
    return (
        f"That message is too long for me ({length:,} characters; I can read up to {config.max_message_chars:,}). "
        "Please send a shorter question, a sentence or two about what you'd like to know. "
        f"If this is an emergency, call {config.emergency_number} now."
    )


NOT_TEXT_REPLY = "I can only read text messages. Please type your question."


def bounded(on_new_message: OnNewMessage, config: Settings | None = None) -> OnNewMessage:
    """`on_new_message` that answers an over-long or non-text message itself instead of passing it to NLU."""
    config = config or settings()

    async def guarded(message: UserMessage) -> Any:
        text = message.text
        if text is None or isinstance(text, str) and len(text) <= config.max_message_chars:
            return await on_new_message(message)
        channel = message.input_channel or message.output_channel.name()
        if isinstance(text, str):
            logger.warning("message.too_long channel=%s chars=%d", channel, len(text))  # length only, no text
            reply = too_long_reply(len(text), config)
        else:
            logger.warning("message.not_text channel=%s type=%s", channel, type(text).__name__)
            reply = NOT_TEXT_REPLY
        await message.output_channel.send_text_message(message.sender_id, reply)
        return None

    return guarded


def limit_request_size(blueprint: Blueprint, config: Settings | None = None) -> Blueprint:
    """The blueprint, set to cap the Rasa server's request bodies before it starts serving."""
    config = config or settings()

    @blueprint.listener("before_server_start")
    async def cap_body(app: Any, _loop: Any) -> None:
        # Sanic reads the cap per connection from the app's config; its default is 100 MB.
        app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, config.max_request_bytes)

    return blueprint


class RestInput(RasaRestInput):
    """Rasa's REST channel (`/webhooks/rest/webhook`) with the message cap and the request-size cap."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = limit_request_size(super().blueprint(bounded(on_new_message)))

        @webhook.middleware("request")
        async def check_shape(request: Request) -> HTTPResponse | None:
            # Rasa builds its message before our cap sees it, and a non-string "message" fails there with
            # an empty 200; an API client gets a clear 400 instead.
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            try:
                body = request.json
            except Exception:
                body = None
            if not isinstance(body, dict) or not isinstance(body.get("message", ""), str) \
                    or not isinstance(body.get("sender", ""), str):
                return response.json({"error": REST_SHAPE_ERROR}, status=400)
            return None

        return webhook


REST_SHAPE_ERROR = 'Send JSON like {"sender": "an id", "message": "the question"}; both must be strings.'


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io channel (the chat widget) with the message cap and the request-size cap."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = limit_request_size(super().blueprint(bounded(on_new_message)))
        sio = webhook.ctx.sio
        handle_message = sio.handlers[self.namespace or "/"][self.user_message_evt]

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def checked(sid: Text, data: Any) -> None:
            # Rasa's handler builds a UserMessage first, which fails on a message that is not text and
            # leaves the widget waiting; answer it here instead.
            if isinstance(data, dict) and isinstance(data.get("message", ""), str):
                await handle_message(sid, data)
                return
            logger.warning("message.not_text channel=socketio")
            await sio.emit(self.bot_message_evt, {"text": NOT_TEXT_REPLY}, room=sid, namespace=self.namespace)

        return webhook
