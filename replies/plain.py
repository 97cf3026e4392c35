"""Plain-text channels: SMS and WhatsApp (Twilio, 1,600 characters a message, no buttons) and Messenger
(2,000 characters, quick replies)."""

from __future__ import annotations

import re

from replies.blocks import Line, Options, Reply
from replies.layout import numbered, paragraphs, short

SMS_LIMIT = 1600  # Twilio's limit for one SMS or WhatsApp message body
MESSENGER_LIMIT = 2000  # Messenger Send API text limit
MESSENGER_QUICK_REPLIES = 13
MESSENGER_QUICK_REPLY_TITLE = 20

_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "})
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MARKDOWN = re.compile(r"(\*\*|__|`)")


def plain(text: str) -> str:
    """Text safe for a plain-text channel: no HTML tags or markdown emphasis, GSM-friendly punctuation
    (one curly quote would make an SMS Unicode and shrink each segment from 160 to 70 characters)."""
    text = _HTML_TAG.sub("", text)
    text = _MARKDOWN.sub("", text)
    return text.translate(_TYPOGRAPHY)


def _plain_line(line: Line) -> str:
    text = Line(line.kind, plain(line.text), line.n, line.url).plain
    return f"URGENT: {text}" if line.kind == "alert" else text


def sms(reply: Reply) -> list[str]:
    """SMS and WhatsApp (Twilio) message bodies: plain text, each within 1,600 characters, numbered
    when there are several; options as a numbered list, since these channels have no buttons."""
    return numbered(paragraphs(reply, text_only=True), _plain_line, SMS_LIMIT)


def messenger(reply: Reply) -> list[dict]:
    """Messenger Send API message objects: plain text within 2,000 characters; buttons as quick
    replies on the last message (titles over 20 characters become their number in the text's list,
    or are shortened when the text lists no options)."""
    bodies = numbered(paragraphs(reply), _plain_line, MESSENGER_LIMIT)
    messages: list[dict] = [{"text": body} for body in bodies]
    buttons = reply.buttons[:MESSENGER_QUICK_REPLIES]
    if buttons and messages:
        listed = any(isinstance(b, Options) for b in reply.blocks)
        fits = all(len(b.title) <= MESSENGER_QUICK_REPLY_TITLE for b in buttons)
        messages[-1]["quick_replies"] = [
            {
                "content_type": "text",
                "title": short(b.title if fits or not listed else str(n), MESSENGER_QUICK_REPLY_TITLE),
                "payload": b.payload[:1000],
            }
            for n, b in enumerate(buttons, start=1)
        ]
    return messages
