"""Rasa's SQL tracker store, except that handoff form answers (name, phone, email) are never written to it.

Rasa keeps every event of a conversation for good, and resetting a slot only adds an event: the old ones
still hold the value. So the redaction happens before an event is first written: whatever the patient types
while the handoff form asks for their name or contact, and every value of those slots, is stored as
`REMOVED`. The action server keeps the real answers in the clinic's store (`pending_handoffs`) until the
ticket is filed or the form ends, then deletes them (actions/handoff.py). Within one message Rasa works on
the tracker in memory, so the form still sees what was typed; the next message reads the redacted events.

endpoints.yml: `tracker_store: {type: channels.private_tracker.PrivateSQLTrackerStore, dialect: ..., db: ...}`
(the same keys as Rasa's `type: SQL`; `bot purge` reads the same `events` table).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Iterable

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

FORM = "handoff_form"
PRIVATE_SLOTS = frozenset({"patient_name", "patient_contact"})
REMOVED = "[removed]"


def private_positions(events: Iterable[Event]) -> set[int]:
    """Indexes of the events that hold form answers: messages typed while the form asks for a private slot,
    and every value set on a private slot."""
    loop, asking, positions = None, None, set()
    for i, event in enumerate(events):
        if isinstance(event, ActiveLoop):
            loop = event.name
            if loop is None:
                asking = None
        elif isinstance(event, SlotSet):
            if event.key == "requested_slot":
                asking = event.value
            elif event.key in PRIVATE_SLOTS and event.value is not None:
                positions.add(i)
        elif isinstance(event, UserUttered) and loop == FORM and asking in PRIVATE_SLOTS:
            positions.add(i)
    return positions


def redacted(data: dict[str, Any]) -> dict[str, Any]:
    """An event's dict with the form answer it holds replaced by REMOVED."""
    data = dict(data)
    if data.get("event") == "slot":
        data["value"] = REMOVED
        return data
    data["text"] = REMOVED
    parse = dict(data.get("parse_data") or {})
    # The intent stays (it says nothing about the patient); the text and anything extracted from it go.
    parse.update(text=REMOVED, entities=[])
    parse.pop("response_selector", None)
    data["parse_data"] = parse
    return data


class PrivateSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that stores handoff form answers as REMOVED (see the module docstring)."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events not stored yet, form answers redacted (Rasa's save, with the redaction)."""
        events = list(tracker.events)
        private = private_positions(events)
        with self.session_scope() as session:
            start = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            new = [
                (redacted(e.as_dict()) if start + i in private else e.as_dict()) for i, e in enumerate(events[start:])
            ]
            for data in new:
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id,
                    type_name=data.get("event"),
                    timestamp=data.get("timestamp"),
                    intent_name=((data.get("parse_data") or {}).get("intent") or {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                ))  # fmt: skip
            session.commit()
        if self.event_broker is not None:  # the broker gets what the store got, never the answers
            for data in new:
                self.event_broker.publish({"sender_id": tracker.sender_id, **data})
        if private:
            logger.debug("tracker.saved_redacted events=%d", len(private))
