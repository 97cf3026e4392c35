"""The rich payload web clients (the chat widget, REST callers) render a reply from."""

from __future__ import annotations

from dataclasses import asdict

from replies.blocks import Reply


def _block(block) -> dict:
    return {"type": type(block).__name__.lower(), **asdict(block)}


def payload(reply: Reply, kind: str, thread_id: str | None = None, urgency: str | None = None) -> dict:
    """The structured custom payload: the reply's fields by name, and its blocks in order (a client shows
    every block it does not render richly as text, so nothing the reply says is dropped)."""
    return {
        "type": kind,
        "thread_id": thread_id,
        "urgency": urgency,
        "question": reply.question,
        "summary": reply.summary,
        "quotes": [asdict(q) for q in reply.quotes],
        "citations": [asdict(c) for c in reply.citations],
        "buttons": [asdict(b) for b in reply.buttons],
        "disclaimer": reply.disclaimer,
        "demo": reply.demo,
        "blocks": [_block(b) for b in reply.blocks],
    }
