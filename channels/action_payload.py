"""What the Rasa server sends the action server: each event with only the fields the actions read.

Rasa 3.6 sends the whole tracker, every event in full, on each custom-action call. Under load that was the
largest single cost of the Rasa process (JSON encoding, issue 12): a bot event carries the composed reply
with its buttons and citations (~2.5 KB), a user event the intent ranking of every intent and the token
offsets, and the payload grows with the conversation. The actions read events only for the texts, times,
intent names and entities, slots and form starts (actions/conversation.py,
actions/feedback.py), and `latest_message`,
which is sent in full, for this turn's entities. `AFTERCARE_ACTION_EVENTS=full` sends Rasa's own payload.

The pure part (`slim_event`) imports nothing from Rasa, so the action-server tests can check it against
the fields the actions read.
"""

from __future__ import annotations

from typing import Any

# Event fields that no action reads, by event type; everything else is passed on as Rasa wrote it.
_DROPPED = {
    "user": ("metadata",),
    "bot": ("data", "metadata"),
    "action": ("metadata", "policy", "confidence", "action_text", "hide_rule_turn"),
}
# Of a user event's parse, what the actions read ("which intent was the question?", "was this thread
# rated already?"); this turn's full parse goes as `latest_message`. An action that reads another field of
# an event must add it here: tests/test_action_payload.py runs every reader on full and slim events.
_PARSE_KEPT = ("intent", "entities", "text")
# Events that only feed Rasa's own policies.
_SKIPPED = frozenset({"user_featurization"})


def slim_event(event: dict[str, Any]) -> dict[str, Any]:
    """An event as the actions need it: the same type, time and meaning, without payload nobody reads."""
    kind = event.get("event")
    slim = {k: v for k, v in event.items() if k not in _DROPPED.get(kind, ())}
    if kind == "user" and isinstance(event.get("parse_data"), dict):
        slim["parse_data"] = {k: event["parse_data"][k] for k in _PARSE_KEPT if k in event["parse_data"]}
    return slim


def slim_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A tracker's events for the action server: each one slimmed, Rasa-internal ones left out."""
    return [slim_event(e) for e in events if e.get("event") not in _SKIPPED]


def install() -> None:
    """Make this Rasa process send slim events to the action server (idempotent)."""
    import rasa.core.actions.action as rasa_action

    remote = rasa_action.RemoteAction
    if getattr(remote._action_call_format, "slim", False):
        return
    full = remote._action_call_format

    def slim_call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
        payload = full(self, tracker, domain)
        payload["tracker"]["events"] = slim_events(payload["tracker"].get("events") or [])
        return payload

    slim_call_format.slim = True  # type: ignore[attr-defined]
    remote._action_call_format = slim_call_format
