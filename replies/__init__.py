"""Replies as typed blocks and one renderer per channel. Standard library only, so that the action server,
the web app and the Rasa process (Python 3.10) share it.

- `replies.blocks`: the blocks and `Reply`; `Reply.text` is the plain text, complete on its own.
- `replies.layout`: splitting and packing into a channel's message size.
- `replies.plain` (SMS, WhatsApp, Messenger), `replies.slack`, `replies.telegram`, `replies.web`.
"""

from replies.blocks import (
    Alert,
    Block,
    Button,
    Citation,
    DemoNote,
    Disclaimer,
    Hint,
    Line,
    MatchedQuestion,
    Note,
    Options,
    Quote,
    Quotes,
    Reply,
    Sources,
    Summary,
    Text,
    who,
)

__all__ = [
    "Alert",
    "Block",
    "Button",
    "Citation",
    "DemoNote",
    "Disclaimer",
    "Hint",
    "Line",
    "MatchedQuestion",
    "Note",
    "Options",
    "Quote",
    "Quotes",
    "Reply",
    "Sources",
    "Summary",
    "Text",
    "who",
]
