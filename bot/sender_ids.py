"""Conversation ids that name their channel and never hold a phone number or platform id, and web session
ids that only the server can issue.

Rasa keys a conversation by its sender id alone. Raw, that id is a patient's phone number (SMS, WhatsApp)
or platform id, stored in every tracker row, and on the web channels it is whatever the client sends, so
knowing an id was enough to continue someone's conversation. Here an id becomes
`<channel>:<HMAC-SHA256(secret, channel:raw id)>`: one channel's id can never address another channel's
conversation, and the tracker store holds only a keyed hash (without the secret a list of phone numbers
cannot be hashed and matched against it).

Standard library only: the Rasa process (channels/bounded.py) imports it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# Rasa's connector names -> the namespace of their conversations.
CHANNEL_PREFIXES = {
    "twilio": "sms",  # "whatsapp:+1..." senders get "whatsapp" (see namespace())
    "telegram": "telegram",
    "slack": "slack",
    "facebook": "messenger",
    "socketio": "web",
    "rest": "rest",
}
_WEB_SESSION = re.compile(r"^([0-9a-f]{32})\.([0-9a-f]{32})$")


def namespace(channel: str, raw_id: str) -> str:
    """The namespace of a sender on `channel` (Twilio carries SMS and WhatsApp, told apart by the sender)."""
    if channel == "twilio" and raw_id.startswith("whatsapp:"):
        return "whatsapp"
    return CHANNEL_PREFIXES.get(channel, channel)


def conversation_id(secret: bytes, channel: str, raw_id: str) -> str:
    """The id Rasa stores for this sender: the channel's namespace and a keyed hash of the raw id."""
    prefix = namespace(channel, raw_id)
    digest = hmac.new(secret, f"sender:{prefix}:{raw_id}".encode(), hashlib.sha256).hexdigest()
    return f"{prefix}:{digest}"


def _web_signature(secret: bytes, nonce: str) -> str:
    # A label of its own, so a web signature can never be mistaken for (or derived from) a conversation id.
    return hmac.new(secret, f"web-session:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def issue_web_session(secret: bytes) -> str:
    """A new web session id: 128 random bits and the server's signature of them."""
    nonce = secrets.token_hex(16)
    return f"{nonce}.{_web_signature(secret, nonce)}"


def web_session_valid(secret: bytes, session_id: object) -> bool:
    """Whether `session_id` is one this server issued (a client-made or altered id is not)."""
    match = _WEB_SESSION.match(session_id) if isinstance(session_id, str) else None
    return match is not None and hmac.compare_digest(match.group(2), _web_signature(secret, match.group(1)))
