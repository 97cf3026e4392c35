"""Keeping patient data only as long as needed: `bot purge` deletes old conversations from Rasa's SQL tracker
store and old rows from the store.

Rasa owns the tracker store's `events` table (rasa/core/tracker_store.py, `SQLTrackerStore`); this module
reads only its columns `sender_id`, `type_name` and `timestamp` (Unix seconds), and finds the database the way
Rasa does, from the `tracker_store` section of endpoints.yml."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import URL, make_url

from store.store import Purged, Store, _normalise_url

log = logging.getLogger("aftercare.store")

EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
SESSION_STARTED = "session_started"  # Rasa's SessionStarted event: the current session begins at the latest one
# Rasa's own SQL store and the project's subclass of it (channels/private_tracker.py): the same table.
SQL_TRACKER_STORES = ("sql", "channels.private_tracker.privatesqltrackerstore")
_ENV = re.compile(r"\$\{([^}]+)\}")


class RetentionError(Exception):
    """A purge that cannot run as configured; the message says what to change."""


@dataclass(frozen=True)
class PurgedConversations:
    """Conversations deleted whole (idle since before the cutoff) and events deleted in all."""

    conversations: int
    events: int


@dataclass(frozen=True)
class PurgeReport:
    """Everything one purge deleted (or would delete, in a dry run); `conversations` is None without an SQL
    tracker store."""

    before: dt.datetime
    store: Purged
    conversations: PurgedConversations | None


def _expand(value):
    # endpoints.yml may name environment variables as ${NAME}, as Rasa allows.
    if not isinstance(value, str):
        return value

    def lookup(match: re.Match) -> str:
        if match.group(1) not in os.environ:
            raise RetentionError(f"endpoints.yml names ${{{match.group(1)}}}, which is not set")
        return os.environ[match.group(1)]

    return _ENV.sub(lookup, value)


def tracker_store_url(endpoints: Path, base: Path) -> str | None:
    """The SQLAlchemy URL of the SQL tracker store in Rasa's endpoints file (a relative SQLite path is taken from
    `base`, where Rasa runs); None when there is none, as Rasa then keeps conversations in memory only."""
    try:
        config = yaml.safe_load(Path(endpoints).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RetentionError(f"{endpoints}: cannot read Rasa's endpoints ({exc})") from None
    tracker = config.get("tracker_store") if isinstance(config, dict) else None
    if not tracker:
        return None
    values = {key: _expand(value) for key, value in tracker.items()}
    if str(values.get("type", "")).lower() not in SQL_TRACKER_STORES:
        raise RetentionError(
            f"{endpoints}: tracker_store type {values.get('type')!r}: `bot purge` handles the SQL "
            "tracker store only; delete old conversations with that store's own tools"
        )
    dialect, db, host = str(values.get("dialect") or "sqlite"), str(values.get("db") or "rasa.db"), values.get("host")
    if host and "://" in str(host):  # Rasa accepts a whole URL as the host
        return _normalise_url(str(host))
    if dialect == "sqlite":
        path = Path(db)
        return f"sqlite:///{path if path.is_absolute() else Path(base) / path}"
    url = URL.create(
        dialect,
        values.get("username"),
        values.get("password"),
        host,
        int(values["port"]) if values.get("port") else None,
        db,
        values.get("query") or {},
    )
    return _normalise_url(url.render_as_string(hide_password=False))


def _tracker_engine(url: str) -> Engine | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, hide_parameters=True)
    if not parsed.database or not Path(parsed.database).exists():
        return None  # Rasa has not written a conversation yet; opening would create the file
    engine = create_engine(parsed, hide_parameters=True, connect_args={"timeout": 10})  # Rasa may be writing

    @event.listens_for(engine, "connect")
    def _secure_delete(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA secure_delete=ON")  # deleted text is overwritten in the file

    return engine


def purge_conversations(url: str, before: dt.datetime, dry_run: bool = False) -> PurgedConversations:
    """Delete what patients said before `before`: whole conversations idle since then, and the earlier sessions
    of ongoing ones (Rasa reads only the current session, so these are never read again)."""
    engine = _tracker_engine(url)
    if engine is None:
        return PurgedConversations(0, 0)
    cutoff = before.timestamp()
    try:
        if not inspect(engine).has_table("events"):
            return PurgedConversations(0, 0)
        idle = select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(func.max(EVENTS.c.timestamp) < cutoff)
        started = EVENTS.alias("started")
        current_session = (
            select(func.max(started.c.timestamp))
            .where(started.c.sender_id == EVENTS.c.sender_id, started.c.type_name == SESSION_STARTED)
            .scalar_subquery()
        )
        old = EVENTS.c.sender_id.in_(idle) | ((EVENTS.c.timestamp < cutoff) & (EVENTS.c.timestamp < current_session))
        with engine.begin() as connection:
            conversations = connection.scalar(select(func.count()).select_from(idle.subquery())) or 0
            events = connection.scalar(select(func.count()).select_from(EVENTS).where(old)) or 0
            if not dry_run:
                connection.execute(delete(EVENTS).where(old))
    finally:
        engine.dispose()
    log.info("conversations purged", extra={"dry_run": dry_run, "conversations": conversations, "events": events})
    return PurgedConversations(conversations, events)


def purge(
    store: Store, tracker_url: str | None, days: int, dry_run: bool = False, now: dt.datetime | None = None
) -> PurgeReport:
    """Delete conversations, resolved tickets, unanswered questions and feedback older than `days` days."""
    if days < 1:
        raise RetentionError(f"keep at least 1 day, not {days}")
    before = (now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=days)
    conversations = purge_conversations(tracker_url, before, dry_run) if tracker_url else None
    return PurgeReport(before, store.purge(before, dry_run), conversations)
