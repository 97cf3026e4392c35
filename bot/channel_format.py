"""How a reply looks on each messaging channel: SMS and WhatsApp (plain text within Twilio's 1,600
characters), Messenger (plain text with quick replies), Slack (mrkdwn blocks with buttons) and Telegram
(MarkdownV2 with a keyboard). Web channels keep the rich payload and are not rendered here.

The reply's plain text stays the source of truth: it is read back paragraph by paragraph and each
paragraph the structured reply explains (question, quotes, sources, options, disclaimer) is rendered
richly; any other paragraph is kept word for word, so nothing a reply says is ever dropped. Urgent
replies lead with what to do, in the first message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from bot.compose import DEMO_NOTICE, Button, Citation, Reply

URGENT = ("emergency", "clinic_now")

SMS_LIMIT = 1600  # Twilio's limit for one SMS or WhatsApp message body
MESSENGER_LIMIT = 2000  # Messenger Send API text limit
TELEGRAM_LIMIT = 4096  # Telegram sendMessage text limit
SLACK_SECTION_LIMIT = 3000  # Slack section block text limit
SLACK_MAX_BLOCKS = 50  # Slack blocks per message
SLACK_BUTTON_TITLE = 75  # Slack button text limit
TELEGRAM_CALLBACK_BYTES = 64  # Telegram callback_data limit
MESSENGER_QUICK_REPLIES = 13
MESSENGER_QUICK_REPLY_TITLE = 20

# The closing line of a clarification (bot.compose.compose_clarify); channels without buttons reword it.
_TAP_LINE = "Tap one, or "
_TEXT_ONLY_CHOICE = "Please send your question again and name your treatment in it."
_QUESTION_LABEL = "Closest question on file: "


@dataclass(frozen=True)
class Line:
    """One line of a reply, with what it is, so each channel can render it in its own way."""

    kind: str  # alert | note | question | summary | quote | heading | source | option | tap | disclaimer | demo | text
    text: str
    n: int | None = None
    url: str | None = None


@dataclass(frozen=True)
class Paragraph:
    lines: tuple[Line, ...]

    @property
    def plain(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Parsed:
    """A reply read back into typed paragraphs."""

    paragraphs: list[Paragraph]
    buttons: list[Button] = field(default_factory=list)
    urgency: str | None = None


def _who(c: Citation) -> str:
    return ", ".join(p for p in (c.name, c.credentials, c.specialty, c.location) if p)


def parse(reply: Reply, urgency: str | None = None) -> Parsed:
    """Read a reply's plain text back into typed paragraphs, matched against its structured fields."""
    quote_lines = {f'- "{q.text}" [{q.n}]': q for q in reply.quotes}
    source_lines = {f"[{c.n}] {_who(c)}" + (f" {c.url}" if c.url else ""): c for c in reply.citations}
    option_lines = {f"{n}. {b.title}": (n, b) for n, b in enumerate(reply.buttons, start=1)}
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", reply.text.strip()) if p.strip()]
    out: list[Paragraph] = []
    for i, text in enumerate(paragraphs):
        lines = text.split("\n")
        if i == 0 and urgency in URGENT:
            kinds = [Line("alert", text)]
        elif i == 0 and urgency and not text.startswith(_QUESTION_LABEL):
            kinds = [Line("note", text)]  # clinic_soon: the "please book a check" note before the answer
        elif text == reply.disclaimer and reply.disclaimer:
            kinds = [Line("disclaimer", text)]
        elif text == DEMO_NOTICE:
            kinds = [Line("demo", text)]
        elif reply.question and text == f'{_QUESTION_LABEL}"{reply.question}"':
            kinds = [Line("question", reply.question)]
        elif reply.summary and text == reply.summary:
            kinds = [Line("summary", text)]
        elif quote_lines and all(line in quote_lines for line in lines):
            kinds = [Line("quote", quote_lines[line].text, quote_lines[line].n) for line in lines]
        elif source_lines and lines[0] == "Sources:" and all(line in source_lines for line in lines[1:]):
            kinds = [Line("heading", "Sources:")] + [
                Line("source", _who(source_lines[line]), source_lines[line].n, source_lines[line].url) for line in lines[1:]
            ]
        elif option_lines and all(line in option_lines for line in lines):
            kinds = [Line("option", option_lines[line][1].title, option_lines[line][0]) for line in lines]
        elif reply.buttons and len(lines) == 1 and text.startswith(_TAP_LINE):
            kinds = [Line("tap", text)]
        else:
            kinds = [Line("text", line) for line in lines]
        out.append(Paragraph(tuple(kinds)))
    return Parsed(out, list(reply.buttons), urgency)


# --- splitting ---------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _split_words(text: str, limit: int) -> list[str]:
    """Split at spaces so no piece exceeds `limit`; only a single word longer than that is cut."""
    pieces: list[str] = []
    current = ""
    for word in text.split(" "):
        while len(word) > limit:  # a word (e.g. a URL) longer than a whole message: no better place to cut
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


def split_text(text: str, limit: int) -> list[str]:
    """Split plain text into pieces of at most `limit` characters: at lines, then sentences, then words."""
    if len(text) <= limit:
        return [text]
    units: list[tuple[str, str]] = []  # (piece, the separator that joins it to the previous one)
    for line in text.split("\n"):
        if len(line) <= limit:
            units.append((line, "\n"))
            continue
        first = True
        for sentence in _SENTENCE.split(line):
            for piece in _split_words(sentence, limit) if len(sentence) > limit else [sentence]:
                units.append((piece, "\n" if first else " "))
                first = False
    pieces: list[str] = []
    current = ""
    for piece, sep in units:
        candidate = f"{current}{sep}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = piece
    if current:
        pieces.append(current)
    return pieces


def _pack(chunks: list[str], limit: int, separator: str = "\n\n") -> list[str]:
    """Pack rendered paragraphs into as few messages as fit within `limit`, in order."""
    messages: list[str] = []
    current = ""
    for chunk in chunks:
        candidate = f"{current}{separator}{chunk}" if current else chunk
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                messages.append(current)
            current = chunk
    if current:
        messages.append(current)
    return messages


def _render(parsed: Parsed, line_renderer: Callable[[Line], str], limit: int, text_only: bool) -> list[str]:
    """Render every paragraph; a paragraph too long for one message is split as plain text first,
    so markup is never cut in half."""
    chunks: list[str] = []
    for paragraph in parsed.paragraphs:
        lines = [_text_only(line) if text_only else line for line in paragraph.lines]
        rendered = "\n".join(line_renderer(line) for line in lines)
        if len(rendered) <= limit:
            chunks.append(rendered)
            continue
        pieces: list[str] = []
        for line in lines:
            rendered = line_renderer(line)
            pieces.extend([rendered] if len(rendered) <= limit else _split_line(line, line_renderer, limit))
        # The lines of a paragraph stay single-spaced in as few chunks as fit.
        chunks.extend(_pack(pieces, limit, "\n"))
    return _pack(chunks, limit)


def _split_line(line: Line, line_renderer: Callable[[Line], str], limit: int) -> list[str]:
    """Split one over-long line as plain text, render each piece, and shrink the pieces until every
    rendered piece fits (markup and escaping make rendered text longer than the plain text)."""
    budget = limit - (len(line_renderer(Line(line.kind, "", line.n, line.url))) + 1)
    while True:
        rendered = [line_renderer(Line(line.kind, piece, line.n, line.url)) for piece in split_text(line.text, max(budget, 1))]
        if all(len(r) <= limit for r in rendered) or budget <= 1:
            return rendered
        budget = budget * 3 // 4


def _text_only(line: Line) -> Line:
    if line.kind == "tap":
        return Line("tap", _TEXT_ONLY_CHOICE)
    return line


def _number(parts: list[str]) -> list[str]:
    """Prefix "(1/3) " when a reply needs several messages: SMS can arrive out of order."""
    if len(parts) <= 1:
        return parts
    return [f"({i}/{len(parts)}) {p}" for i, p in enumerate(parts, start=1)]


# --- plain text: SMS, WhatsApp, Messenger -------------------------------------------------------

_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "})
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MARKDOWN = re.compile(r"(\*\*|__|`)")


def plain(text: str) -> str:
    """Text safe for a plain-text channel: no HTML tags or markdown emphasis, GSM-friendly punctuation
    (one curly quote would make an SMS Unicode and shrink each segment from 160 to 70 characters)."""
    text = _HTML_TAG.sub("", text)
    text = _MARKDOWN.sub("", text)
    return text.translate(_TYPOGRAPHY)


def _plain_line() -> Callable[[Line], str]:
    def render(line: Line) -> str:
        text = plain(line.text)
        if line.kind == "alert":
            return f"URGENT: {text}"
        if line.kind == "question":
            return f'{_QUESTION_LABEL}"{text}"'
        if line.kind == "quote":
            return f'- "{text}" [{line.n}]'
        if line.kind == "source":
            return f"[{line.n}] {text}" + (f" {line.url}" if line.url else "")
        if line.kind == "option":
            return f"{line.n}. {text}"
        return text

    return render


def _plain_messages(reply: Reply, urgency: str | None, limit: int, text_only: bool) -> list[str]:
    parsed = parse(reply, urgency)
    renderer = _plain_line()
    # Reserve room for a "(12/12) " part number, so numbered parts still fit.
    parts = _render(parsed, renderer, limit, text_only)
    if len(parts) > 1:
        parts = _render(parsed, renderer, limit - 8, text_only)
    return _number(parts)


def sms(reply: Reply, urgency: str | None = None) -> list[str]:
    """SMS and WhatsApp (Twilio) message bodies: plain text, each within 1,600 characters, numbered
    when there are several; options as a numbered list, since these channels have no buttons."""
    return _plain_messages(reply, urgency, SMS_LIMIT, text_only=True)


def _short(title: str, limit: int) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def messenger(reply: Reply, urgency: str | None = None) -> list[dict]:
    """Messenger Send API message objects: plain text within 2,000 characters; buttons as quick
    replies on the last message (titles over 20 characters become their number in the text's list,
    or are shortened when the text lists no options)."""
    bodies = _plain_messages(reply, urgency, MESSENGER_LIMIT, text_only=False)
    messages: list[dict] = [{"text": body} for body in bodies]
    buttons = reply.buttons[:MESSENGER_QUICK_REPLIES]
    if buttons and messages:
        # Long titles: the number of the option when the text lists the options, else shortened.
        listed = any(line.kind == "option" for p in parse(reply, urgency).paragraphs for line in p.lines)
        fits = all(len(b.title) <= MESSENGER_QUICK_REPLY_TITLE for b in buttons)
        messages[-1]["quick_replies"] = [
            {
                "content_type": "text",
                "title": b.title if fits or not listed else str(n),
                "payload": b.payload[:1000],
            }
            for n, b in enumerate(buttons, start=1)
        ]
        for quick_reply in messages[-1]["quick_replies"]:
            quick_reply["title"] = _short(quick_reply["title"], MESSENGER_QUICK_REPLY_TITLE)
    return messages


# --- Slack mrkdwn -------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_bold(text: str) -> str:
    # Slack has no escape for "*"; an asterisk inside bold text would end it early.
    return "*" + slack_escape(text).replace("*", "∗") + "*"


def _slack_url(url: str) -> str:
    return url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C").replace(" ", "%20")


def _slack_line() -> Callable[[Line], str]:
    def render(line: Line) -> str:
        text = line.text
        if line.kind == "alert":
            return f":rotating_light: {_slack_bold('URGENT: ' + text)}"
        if line.kind == "note":
            return f":warning: {_slack_bold(text)}"
        if line.kind == "question":
            return f"{_QUESTION_LABEL}{_slack_bold(text)}"
        if line.kind == "quote":
            return f'> "{slack_escape(text)}" [{line.n}]'
        if line.kind == "heading":
            return _slack_bold("Sources")
        if line.kind == "source":
            who = slack_escape(text).replace("|", "/")
            return f"[{line.n}] <{_slack_url(line.url)}|{who}>" if line.url else f"[{line.n}] {who}"
        if line.kind == "option":
            return f"{line.n}. {slack_escape(text)}"
        if line.kind in ("disclaimer", "demo"):
            return f"_{slack_escape(text).replace('_', ' ')}_"
        return slack_escape(text)

    return render


def slack(reply: Reply, urgency: str | None = None) -> list[dict]:
    """chat.postMessage arguments: mrkdwn section blocks (quotes with >, sources as <url|name> links,
    the disclaimer as a context block), a plain-text fallback for notifications, and buttons."""
    parsed = parse(reply, urgency)
    renderer = _slack_line()
    blocks: list[dict] = []
    for paragraph in parsed.paragraphs:
        kind = paragraph.lines[0].kind
        for chunk in _render(Parsed([paragraph], [], urgency), renderer, SLACK_SECTION_LIMIT, text_only=False):
            if kind in ("disclaimer", "demo"):
                blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": chunk}]})
            else:
                blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    buttons = reply.buttons[:25]
    if buttons:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"choice-{n}",
                        "text": {"type": "plain_text", "text": _short(b.title, SLACK_BUTTON_TITLE)},
                        "value": b.payload[:2000],
                    }
                    for n, b in enumerate(buttons, start=1)
                ],
            }
        )
    messages: list[dict] = []
    for start in range(0, len(blocks), SLACK_MAX_BLOCKS):
        group = blocks[start : start + SLACK_MAX_BLOCKS]
        fallback = "\n\n".join(_block_plain(b) for b in group if b["type"] != "actions")
        messages.append({"text": _short(fallback, SLACK_SECTION_LIMIT) or "Please choose:", "blocks": group})
    return messages


def _block_plain(block: dict) -> str:
    text = block["text"]["text"] if block["type"] == "section" else block["elements"][0]["text"]
    return text


# --- Telegram MarkdownV2 ------------------------------------------------------------------------

_INTENT_PAYLOAD = re.compile(r"^/(\w+)(\{.*\})$", re.DOTALL)
_TELEGRAM_SPECIAL = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")


def telegram_escape(text: str) -> str:
    """Escape every character MarkdownV2 reserves (outside code and link targets)."""
    return _TELEGRAM_SPECIAL.sub(r"\\\1", text)


def _telegram_url(url: str) -> str:
    # Inside (...) of an inline link only ")" and "\" must be escaped.
    return url.replace("\\", "\\\\").replace(")", "\\)")


def _telegram_line() -> Callable[[Line], str]:
    def render(line: Line) -> str:
        text = telegram_escape(line.text)
        if line.kind == "alert":
            return f"⚠️ *{telegram_escape('URGENT: ')}{text}*"
        if line.kind == "note":
            return f"⚠️ *{text}*"
        if line.kind == "question":
            return f"{telegram_escape(_QUESTION_LABEL)}*{text}*"
        if line.kind == "quote":
            return f'>"{text}" \\[{line.n}\\]'
        if line.kind == "heading":
            return "*Sources*"
        if line.kind == "source":
            label = f"[{text}]({_telegram_url(line.url)})" if line.url else text
            return f"\\[{line.n}\\] {label}"
        if line.kind == "option":
            return f"{line.n}\\. {text}"
        if line.kind in ("disclaimer", "demo"):
            return f"_{text}_"
        return text

    return render


def telegram(reply: Reply, urgency: str | None = None) -> list[dict]:
    """sendMessage arguments in MarkdownV2, each within 4,096 characters; buttons as an inline
    keyboard on the last message (a reply keyboard when a payload exceeds Telegram's 64-byte
    callback data, since those buttons send their own title, which is then the payload)."""
    parsed = parse(reply, urgency)
    bodies = _render(parsed, _telegram_line(), TELEGRAM_LIMIT, text_only=False)
    messages: list[dict] = [
        {"text": body, "parse_mode": "MarkdownV2", "disable_web_page_preview": True} for body in bodies
    ]
    keyboard = telegram_keyboard(reply.buttons)
    if keyboard and messages:
        messages[-1]["reply_markup"] = keyboard
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


def telegram_keyboard(buttons: Iterable[Button]) -> dict | None:
    """An inline keyboard, one button a row (titles are long). Telegram limits callback data to 64
    bytes: when a payload is longer and every button's title is its payload (stored questions), a
    one-time reply keyboard sends the title instead; otherwise the buttons that cannot be sent are left
    out (the reply's text is complete without them)."""
    buttons = [Button(b.title, compact_payload(b.payload)) for b in buttons]
    fits = [b for b in buttons if len(b.payload.encode("utf-8")) <= TELEGRAM_CALLBACK_BYTES]
    if len(fits) < len(buttons) and all(b.title == b.payload for b in buttons):
        return {"keyboard": [[{"text": b.title}] for b in buttons], "one_time_keyboard": True, "resize_keyboard": True}
    if not fits:
        return None
    return {"inline_keyboard": [[{"text": b.title, "callback_data": b.payload}] for b in fits]}
