"""Telegram: sendMessage arguments in MarkdownV2 with an inline keyboard."""

from __future__ import annotations

import json
import re
from typing import Iterable

from replies.blocks import QUESTION_LABEL, Button, Line, Reply
from replies.layout import paragraphs, render

MESSAGE_LIMIT = 4096  # Telegram sendMessage text limit
CALLBACK_BYTES = 64  # Telegram callback_data limit

_INTENT_PAYLOAD = re.compile(r"^/(\w+)(\{.*\})$", re.DOTALL)
_SPECIAL = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")


def escape(text: str) -> str:
    """Escape every character MarkdownV2 reserves (outside code and link targets)."""
    return _SPECIAL.sub(r"\\\1", text)


def _url(url: str) -> str:
    # Inside (...) of an inline link only ")" and "\" must be escaped.
    return url.replace("\\", "\\\\").replace(")", "\\)")


def _line(line: Line) -> str:
    text = escape(line.text)
    if line.kind == "alert":
        return f"⚠️ *{escape('URGENT: ')}{text}*"
    if line.kind == "note":
        return f"⚠️ *{text}*"
    if line.kind == "question":
        return f"{escape(QUESTION_LABEL)}*{text}*"
    if line.kind == "quote":
        return f'>"{text}" \\[{line.n}\\]'
    if line.kind == "heading":
        return "*Sources*"
    if line.kind == "source":
        label = f"[{text}]({_url(line.url)})" if line.url else text
        return f"\\[{line.n}\\] {label}"
    if line.kind == "option":
        return f"{line.n}\\. {text}"
    if line.kind in ("disclaimer", "demo"):
        return f"_{text}_"
    return text


def telegram(reply: Reply) -> list[dict]:
    """sendMessage arguments in MarkdownV2, each within 4,096 characters; buttons as an inline
    keyboard on the last message (a reply keyboard when a payload exceeds Telegram's 64-byte
    callback data, since those buttons send their own title, which is then the payload)."""
    bodies = render(paragraphs(reply), _line, MESSAGE_LIMIT)
    messages: list[dict] = [
        {"text": body, "parse_mode": "MarkdownV2", "disable_web_page_preview": True} for body in bodies
    ]
    board = keyboard(reply.buttons)
    if board and messages:
        messages[-1]["reply_markup"] = board
    return messages


def compact_payload(payload: str) -> str:
    """A Rasa "/intent{...}" payload with its JSON written without spaces (Telegram counts bytes)."""
    match = _INTENT_PAYLOAD.match(payload)
    if not match:
        return payload
    try:
        entities = json.loads(match.group(2))
    except ValueError:
        return payload
    return f"/{match.group(1)}{json.dumps(entities, separators=(',', ':'), ensure_ascii=False)}"


def keyboard(buttons: Iterable[Button]) -> dict | None:
    """An inline keyboard, one button a row (titles are long). Telegram limits callback data to 64
    bytes: when a payload is longer and every button's title is its payload (stored questions), a
    one-time reply keyboard sends the title instead; otherwise the buttons that cannot be sent are left
    out (the reply's text is complete without them)."""
    buttons = [Button(b.title, compact_payload(b.payload)) for b in buttons]
    fits = [b for b in buttons if len(b.payload.encode("utf-8")) <= CALLBACK_BYTES]
    if len(fits) < len(buttons) and all(b.title == b.payload for b in buttons):
        return {"keyboard": [[{"text": b.title}] for b in buttons], "one_time_keyboard": True, "resize_keyboard": True}
    if not fits:
        return None
    return {"inline_keyboard": [[{"text": b.title, "callback_data": b.payload}] for b in fits]}
