"""Bounded input and bounded waits for every channel: a message longer than the cap never reaches NLU,
and a message the assistant cannot answer (the action server down, hung or failing) still gets a reply.
The patient never meets silence.

Every connector in this package hands Rasa's `on_new_message` through `bounded()`. Rasa's own REST and
socket.io connectors are wrapped here too (`RestInput`, `SocketIOInput`, same names and URLs as Rasa's),
so credentials.yml names these instead of `rest:` and `socketio:`. The same blueprint also caps the size
of any HTTP request body the Rasa server reads (`AFTERCARE_MAX_REQUEST_BYTES`, 413 above it).

Why here and not in the action server: a 5 MB message kept Rasa's NLU busy for minutes, so every other
patient, emergencies included, got nothing; the check has to come before NLU. And when the action server
is the part that fails, only the Rasa process is left to answer: Rasa waits `AFTERCARE_ACTION_TIMEOUT`
seconds for it (its own wait is 5 minutes), logs the failure and goes on without a reply. The wrapper sees
that (a turn that sent nothing, its action failed or timed out) and replies itself, after running the triage rules
(`bot.triage`, standard library only) on the message: a red flag gets the advice for it and the emergency
number, anything else a short "having trouble" reply that also names the emergency number.
"""

from __future__ import annotations

import contextvars
import functools
import ipaddress
import logging
from typing import Any, Awaitable, Callable, Text

import rasa.core.actions.action as rasa_action
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import alerts, limits, sender_ids
from bot.alerts import Contact
from bot.config import DEFAULT_ACTION_SECRET_FILE, DEFAULT_SENDER_SECRET_FILE, Settings, parse_networks
from bot.limits import RateLimiter
from bot.secret_file import action_webhook_token, bearer_matches, load_secret
from channels import action_auth, action_payload, action_result, model_load

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    """This process's settings, read once (the Rasa server imports this package at start-up)."""
    return Settings.from_env()


@functools.lru_cache(maxsize=1)
def sender_secret() -> bytes:
    """The key of conversation ids and web session ids (a missing default file is created, 0600)."""
    path = settings().security.sender_secret_file
    return load_secret(
        path,
        create=path == DEFAULT_SENDER_SECRET_FILE,
        what="The sender-id secret file",
        setting="AFTERCARE_SENDER_SECRET_FILE",
        purpose="hashes sender ids",
    )


# Output-channel methods that take the recipient first; Rasa calls them with the tracker's (hashed) id.
_SEND_METHODS = (
    "send_response",
    "send_text_message",
    "send_image_url",
    "send_attachment",
    "send_text_with_buttons",
    "send_quick_replies",
    "send_elements",
    "send_custom_json",
)


# Metadata keys that hold platform ids (Slack's conversation and bot user ids); the reply was addressed already.
_PLATFORM_ID_METADATA = ("out_channel", "users")


def identify(message: UserMessage, channel: str) -> None:
    """Give the message its conversation id (`<channel>:<keyed hash>`) in place of the raw sender id, and
    its output channel the raw id back for this request's replies only: the tracker never holds a phone
    number or platform id, and the reply still reaches the real number or chat."""
    raw = message.sender_id
    hashed = sender_ids.conversation_id(sender_secret(), channel, str(raw))
    message.sender_id = hashed
    if isinstance(message.metadata, dict):  # stored with the message: no platform ids there either
        message.metadata = {k: v for k, v in message.metadata.items() if k not in _PLATFORM_ID_METADATA}
    out = message.output_channel
    for name in _SEND_METHODS:
        method = getattr(out, name, None)
        if method is None:
            continue

        def to_raw(recipient_id: Text, *args: Any, _send=method, **kwargs: Any) -> Any:
            # Rasa's Twilio output writes "to" into the custom payload in place, and that dict is the bot
            # event the tracker stores: it gets a copy, so the raw number never lands in the store.
            args = tuple(dict(a) if isinstance(a, dict) else a for a in args)
            return _send(raw if recipient_id == hashed else recipient_id, *args, **kwargs)

        setattr(out, name, to_raw)  # this channel object lives for this one message


def too_long_reply(length: int, config: Settings) -> str:
    """What a patient is told when their message is over the cap (never a silent drop)."""
    return (
        f"That message is too long for me ({length:,} characters; I can read up to {config.limits.max_message_chars:,}). "
        "Please send a shorter question, a sentence or two about what you'd like to know. "
        f"If this is an emergency, call {config.clinic.emergency_number} now."
    )


NOT_TEXT_REPLY = "I can only read text messages. Please type your question."


# Messages that Rasa answers with nothing by design (its own restart and session-start commands).
_SILENT_COMMANDS = ("/restart", "/session_start")
# The failures logged while the current message is handled (one list per message, per asyncio task).
_turn_failures: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "aftercare_turn_failures", default=None
)


class _ActionFailureWatch(logging.Handler):
    """Notes, for the message being handled, that Rasa logged an error: a custom action that failed or timed
    out is logged and then skipped, and the turn would end without a reply."""

    def emit(self, record: logging.LogRecord) -> None:
        failures = _turn_failures.get()
        if failures is not None:
            failures.append(record.name)


def watch_action_failures() -> None:
    """Listen for Rasa's "custom action failed" errors (idempotent)."""
    for name in ("rasa.core.processor", "rasa.core.actions.action"):
        watched = logging.getLogger(name)
        if not any(isinstance(h, _ActionFailureWatch) for h in watched.handlers):
            watched.addHandler(_ActionFailureWatch(level=logging.ERROR))


def fault_reply(text: str, config: Settings) -> str:
    """The reply when the assistant cannot answer: red-flag advice from the triage rules, else "trouble"."""
    return alerts.unavailable_reply(text[: config.limits.max_message_chars], Contact.of(config.clinic)).text


# The client address of the web request being handled (REST, socket.io); None on messaging channels, whose
# webhooks all come from the platform's servers.
_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("aftercare_client", default=None)


def client_address(peer: str | None, forwarded_for: str | None, config: Settings) -> str:
    """The connecting address, or behind a trusted proxy (AFTERCARE_TRUSTED_PROXIES) the client's."""
    return limits.client_address(peer, forwarded_for, parse_networks(config.security.trusted_proxies))


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def slow_down_reply(text: str, config: Settings) -> str:
    """What a patient over the rate limit is told: the red-flag advice when the message holds one, else wait."""
    return alerts.slow_down_reply(text[: config.limits.max_message_chars], Contact.of(config.clinic)).text


@functools.lru_cache(maxsize=1)
def limiters() -> tuple[RateLimiter, RateLimiter]:
    """This process's (per-sender, per-address) limiters, shared by every connector."""
    config = settings()
    return RateLimiter(config.limits.sender_messages_per_minute), RateLimiter(config.limits.address_messages_per_minute)


def over_limit(message: UserMessage, channel: str) -> str | None:
    """ "sender" or "address" when this message is over that rate limit, else None (and it is counted)."""
    per_sender, per_address = limiters()
    address = _client.get()
    # A loopback client speaks for others (the web app's /api/chat relay, a local proxy missing from
    # AFTERCARE_TRUSTED_PROXIES): limiting it would limit every patient behind it at once.
    if address is not None and not _loopback(address) and not per_address.allow(address):
        return "address"
    if not per_sender.allow(f"{channel}:{message.sender_id}"):
        return "sender"
    return None


class _SendCount:
    """How many messages a turn sent, counted at the output channel (every bot message passes send_response)."""

    def __init__(self, channel: Any) -> None:
        self.count = 0
        send_response = channel.send_response

        async def counted(recipient_id: Text, message: dict) -> None:
            self.count += 1
            await send_response(recipient_id, message)

        channel.send_response = counted  # this channel object lives for this one message


def bounded(on_new_message: OnNewMessage, config: Settings | None = None) -> OnNewMessage:
    """`on_new_message` that answers an over-long or non-text message itself instead of passing it to NLU,
    and answers a message itself when the assistant failed to."""
    config = config or settings()
    watch_action_failures()

    async def guarded(message: UserMessage) -> Any:
        text = message.text
        channel = message.input_channel or message.output_channel.name()
        identify(message, channel)
        limited = over_limit(message, channel)
        if limited:
            logger.warning("message.rate_limited channel=%s by=%s", channel, limited)  # no sender, no address
            await message.output_channel.send_text_message(
                message.sender_id, slow_down_reply(text if isinstance(text, str) else "", config)
            )
            return None
        if text is None or isinstance(text, str) and len(text) <= config.limits.max_message_chars:
            return await answered(message, text or "")
        if isinstance(text, str):
            logger.warning("message.too_long channel=%s chars=%d", channel, len(text))  # length only, no text
            reply = too_long_reply(len(text), config)
        else:
            logger.warning("message.not_text channel=%s type=%s", channel, type(text).__name__)
            reply = NOT_TEXT_REPLY
        await message.output_channel.send_text_message(message.sender_id, reply)
        return None

    async def answered(message: UserMessage, text: str) -> Any:
        sends, failures = _SendCount(message.output_channel), []
        token = _turn_failures.set(failures)
        try:
            return await on_new_message(message)
        except Exception:
            failures.append("on_new_message")
            logger.exception("message.failed channel=%s", message.input_channel)
        finally:
            _turn_failures.reset(token)
            # A turn that said something already (a greeting from the domain, a form question) keeps it; a
            # turn that said nothing, after a failure or not, gets the fault reply.
            expected = bool(failures) or (bool(text.strip()) and not text.startswith(_SILENT_COMMANDS))
            if sends.count == 0 and expected:
                logger.warning(
                    "message.fault_reply channel=%s failures=%d sent=%d",
                    message.input_channel,
                    len(failures),
                    sends.count,
                )
                await message.output_channel.send_text_message(message.sender_id, fault_reply(text, config))
        return None

    return guarded


def limit_request_size(blueprint: Blueprint, config: Settings | None = None) -> Blueprint:
    """The blueprint, set to cap the Rasa server's request bodies and its wait for the action server."""
    config = config or settings()
    model_load.install()  # now: connectors are made before Rasa loads its model

    @blueprint.listener("before_server_start")
    async def cap_body(app: Any, _loop: Any) -> None:
        # Sanic reads the cap per connection from the app's config; its default is 100 MB.
        app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, config.limits.max_request_bytes)
        # Rasa 3.6 waits 5 minutes for a custom action, a module constant read at each call; a patient
        # should hear within seconds that something is wrong.
        rasa_action.DEFAULT_REQUEST_TIMEOUT = config.limits.action_timeout
        if config.limits.action_events == "slim":
            action_payload.install()
        action_auth.install(action_webhook_token(config.security.action_secret_file, DEFAULT_ACTION_SECRET_FILE))
        action_result.install()

    return blueprint


class RestInput(RasaRestInput):
    """Rasa's REST channel (`/webhooks/rest/webhook`) with the message cap and the request-size cap."""

    def __init__(self, require_token: bool = False) -> None:
        self.require_token = require_token

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> "RestInput":
        """`require_token: true` (credentials.production.yml): only callers with AFTERCARE_REST_TOKEN."""
        return cls(require_token=bool((credentials or {}).get("require_token", False)))

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = limit_request_size(super().blueprint(bounded(on_new_message)))

        @webhook.middleware("request")
        async def check_shape(request: Request) -> HTTPResponse | None:
            # Rasa builds its message before our cap sees it, and a non-string "message" fails there with
            # an empty 200; an API client gets a clear 400 instead.
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            if self.require_token and not rest_token_ok(request.headers.get("authorization"), settings()):
                logger.warning("rest.token_refused")
                return response.json({"error": REST_TOKEN_ERROR}, status=401)
            _client.set(client_address(request.ip, request.headers.get("x-forwarded-for"), settings()))
            try:
                body = request.json
            except Exception:
                body = None
            if (
                not isinstance(body, dict)
                or not isinstance(body.get("message", ""), str)
                or not isinstance(body.get("sender", ""), str)
            ):
                return response.json({"error": REST_SHAPE_ERROR}, status=400)
            return None

        return webhook


REST_SHAPE_ERROR = 'Send JSON like {"sender": "an id", "message": "the question"}; both must be strings.'
REST_TOKEN_ERROR = "This REST channel needs an Authorization: Bearer token (AFTERCARE_REST_TOKEN)."


def rest_token_ok(header: str | None, config: Settings) -> bool:
    """Whether the Authorization header carries the REST token; with no token configured, nobody is let in."""
    return bearer_matches(header, config.security.rest_token)


SESSION_REFUSED_REPLY = (
    "This chat could not be verified, so nothing was sent. Please reload the page to start "
    "a new conversation. If this is an emergency, call {emergency} now."
)


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io channel (the chat widget) with the message cap and the request-size cap."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = limit_request_size(super().blueprint(bounded(on_new_message)))
        sio = webhook.ctx.sio
        handle_message = sio.handlers[self.namespace or "/"][self.user_message_evt]
        connect = sio.handlers[self.namespace or "/"]["connect"]

        @sio.on("connect", namespace=self.namespace)
        async def from_allowed_origin(sid: Text, environ: dict, auth: Any = None) -> bool:
            # Rasa's socket.io server accepts every origin (and websockets skip CORS): a page elsewhere could
            # talk to patients' conversations from its visitors' browsers. Clients without an Origin header
            # (not browsers) are not affected.
            origin = (environ.get("HTTP_ORIGIN") or "").rstrip("/")
            same = origin.partition("://")[2] == environ.get("HTTP_HOST")  # a page of this server's own origin
            if origin and not same and origin not in settings().security.origins:
                logger.warning("socketio.origin_refused")
                return False
            return await connect(sid, environ, auth)

        @sio.on("session_request", namespace=self.namespace)
        async def issued_session(sid: Text, data: Any) -> None:
            # Rasa confirms whatever id the client asks for, so anyone who knew (or guessed) an id joined that
            # conversation. Only an id this server signed is kept; anything else gets a fresh one.
            given = data.get("session_id") if isinstance(data, dict) else None
            session_id = given if sender_ids.web_session_valid(sender_secret(), given) else None
            if given and session_id is None:
                logger.warning("socketio.session_refused")  # the id itself is not logged
            session_id = session_id or sender_ids.issue_web_session(sender_secret())
            if self.session_persistence:
                sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def checked(sid: Text, data: Any) -> None:
            # A message names its conversation itself: only a server-signed id is passed on (a forged one
            # would write into, and hear the replies of, someone else's conversation).
            if (
                self.session_persistence
                and isinstance(data, dict)
                and not sender_ids.web_session_valid(sender_secret(), data.get("session_id"))
            ):
                logger.warning("socketio.message_refused reason=unsigned_session")
                await sio.emit(
                    self.bot_message_evt,
                    {"text": SESSION_REFUSED_REPLY.format(emergency=settings().clinic.emergency_number)},
                    room=sid,
                    namespace=self.namespace,
                )
                return
            if self.session_persistence and isinstance(data, dict):
                # The widget sends "/restart" for an ended conversation over a fresh socket: its replies
                # (none expected) go to that conversation's room, which this socket joins.
                sio.enter_room(sid, data["session_id"], namespace=self.namespace)
            # Rasa's handler builds a UserMessage first, which fails on a message that is not text and
            # leaves the widget waiting; answer it here instead.
            if isinstance(data, dict) and isinstance(data.get("message", ""), str):
                request = (sio.get_environ(sid, namespace=self.namespace) or {}).get("sanic.request")
                if request is not None:
                    _client.set(client_address(request.ip, request.headers.get("x-forwarded-for"), settings()))
                await handle_message(sid, data)
                return
            logger.warning("message.not_text channel=socketio")
            await sio.emit(self.bot_message_evt, {"text": NOT_TEXT_REPLY}, room=sid, namespace=self.namespace)

        return webhook
