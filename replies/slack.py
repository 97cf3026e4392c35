"""Slack: chat.postMessage arguments with mrkdwn section blocks and buttons."""

from __future__ import annotations

from replies.blocks import QUESTION_LABEL, Line, Reply
from replies.layout import render, short

SECTION_LIMIT = 3000  # Slack section block text limit
MAX_BLOCKS = 50  # Slack blocks per message
BUTTON_TITLE = 75  # Slack button text limit
MAX_BUTTONS = 25  # elements in one actions block


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bold(text: str) -> str:
    # Slack has no escape for "*"; an asterisk inside bold text would end it early.
    return "*" + escape(text).replace("*", "∗") + "*"


def _url(url: str) -> str:
    return url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C").replace(" ", "%20")


def _line(line: Line) -> str:
    text = line.text
    if line.kind == "alert":
        return f":rotating_light: {_bold('URGENT: ' + text)}"
    if line.kind == "note":
        return f":warning: {_bold(text)}"
    if line.kind == "question":
        return f"{QUESTION_LABEL}{_bold(text)}"
    if line.kind == "quote":
        return f'> "{escape(text)}" [{line.n}]'
    if line.kind == "heading":
        return _bold("Sources")
    if line.kind == "source":
        name = escape(text).replace("|", "/")
        return f"[{line.n}] <{_url(line.url)}|{name}>" if line.url else f"[{line.n}] {name}"
    if line.kind == "option":
        return f"{line.n}. {escape(text)}"
    if line.kind in ("disclaimer", "demo"):
        return f"_{escape(text).replace('_', ' ')}_"
    return escape(text)


def _text_of(block: dict) -> str:
    return block["text"]["text"] if block["type"] == "section" else block["elements"][0]["text"]


def slack(reply: Reply) -> list[dict]:
    """chat.postMessage arguments: mrkdwn section blocks (quotes with >, sources as <url|name> links,
    the disclaimer as a context block), a plain-text fallback for notifications, and buttons."""
    blocks: list[dict] = []
    for block in reply.blocks:
        lines = block.lines()
        for chunk in render([lines], _line, SECTION_LIMIT):
            if lines[0].kind in ("disclaimer", "demo"):
                blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": chunk}]})
            else:
                blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    buttons = reply.buttons[:MAX_BUTTONS]
    if buttons:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"choice-{n}",
                        "text": {"type": "plain_text", "text": short(b.title, BUTTON_TITLE)},
                        "value": b.payload[:2000],
                    }
                    for n, b in enumerate(buttons, start=1)
                ],
            }
        )
    messages: list[dict] = []
    for start in range(0, len(blocks), MAX_BLOCKS):
        group = blocks[start : start + MAX_BLOCKS]
        fallback = "\n\n".join(_text_of(b) for b in group if b["type"] != "actions")
        messages.append({"text": short(fallback, SECTION_LIMIT) or "Please choose:", "blocks": group})
    return messages
