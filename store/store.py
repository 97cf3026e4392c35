"""The `Store`: every read and write of tickets, unanswered questions, feedback and console users.

Synchronous (SQLAlchemy sessions); async callers wrap calls in `asyncio.to_thread`. Methods return plain
frozen records, never ORM objects, so nothing is tied to a session after the call."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, case, create_engine, delete, event, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.pool import StaticPool

from store import migrate
from store.models import FeedbackRow, PendingHandoffRow, TicketNoteRow, TicketRow, UnansweredRow, UserRow, utcnow
from store.privacy import mask_contact, mask_name, normalise_question, question_digest, scrub

log = logging.getLogger("aftercare.store")

ROLES = ("staff", "admin")
TICKET_STATUSES = ("new", "claimed", "resolved")
UNANSWERED_STATUSES = ("open", "drafted", "dismissed")
MAX_QUESTION_CHARS = 2000
MAX_TEXT_CHARS = 5000
MAX_TRANSCRIPT_ITEMS = 500
MIN_PASSWORD_CHARS = 10
# A handoff form takes a minute or two; answers of one the patient walked away from are not kept for long.
PENDING_HANDOFF_TTL = dt.timedelta(hours=1)
OPEN_TICKET_STATUSES = ("new", "claimed")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# The `database_url` setting's default (bot/config.py), read here so the store needs nothing from `bot`.
DEFAULT_DATABASE_URL = f"sqlite:///{Path(__file__).resolve().parent.parent / 'var' / 'aftercare.db'}"


def database_url(environ: dict[str, str] | None = None) -> str:
    """The database the settings name: DATABASE_URL, else AFTERCARE_DATABASE_URL, else SQLite under var/."""
    environ = os.environ if environ is None else environ
    # DATABASE_URL wins, as in Settings.from_env: it is the name hosting platforms and tools set.
    return environ.get("DATABASE_URL") or environ.get("AFTERCARE_DATABASE_URL", DEFAULT_DATABASE_URL)


class StoreError(Exception):
    """A request the store refuses; the message says why in words a user can act on."""


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    pass


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    active: bool
    created_at: dt.datetime
    session_version: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Note:
    author: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Ticket:
    id: int
    status: str
    name: str
    contact: str
    consent: bool
    question: str
    transcript: list[dict]
    assignee: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    claimed_at: dt.datetime | None
    resolved_at: dt.datetime | None
    notes: tuple[Note, ...] = ()

    def __repr__(self) -> str:
        # Never print contact details, even in a traceback or a debugger.
        return f"Ticket(id={self.id}, status={self.status!r}, contact={mask_contact(self.contact)!r})"

    def masked(self) -> dict:
        """The ticket for an export: initials and a masked contact, no transcript text."""
        return {
            "id": self.id,
            "status": self.status,
            "name": mask_name(self.name),
            "contact": mask_contact(self.contact),
            "consent": self.consent,
            "assignee": self.assignee,
            "created_at": self.created_at.isoformat(),
            "claimed_at": self.claimed_at.isoformat() if self.claimed_at else None,
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "messages": len(self.transcript),
            "notes": len(self.notes),
        }


@dataclass(frozen=True)
class Unanswered:
    id: int
    text: str
    treatment: str | None
    count: int
    first_asked: dt.datetime
    last_asked: dt.datetime
    status: str
    thread_id: str | None


@dataclass(frozen=True)
class ThreadFeedback:
    thread_id: str
    helpful: int
    unhelpful: int

    @property
    def total(self) -> int:
        return self.helpful + self.unhelpful

    @property
    def rate(self) -> float:
        return self.helpful / self.total if self.total else 0.0


@dataclass(frozen=True)
class DayFeedback:
    day: dt.date
    helpful: int
    unhelpful: int


@dataclass(frozen=True)
class Purged:
    """What `Store.purge` deleted (or would delete, in a dry run), and the open tickets it kept."""

    tickets: int
    unanswered: int
    feedback: int
    open_tickets_kept: int


def _normalise_url(url: str) -> str:
    # DATABASE_URL as hosting platforms write it means the installed driver (psycopg 3).
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


SQLITE_BUSY_MS = 3000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # The web app and the action server share the file; a write waits this long for the other's. Kept under
    # Rasa's wait for an action (AFTERCARE_ACTION_TIMEOUT, 6 s): an action held up by a locked file gives up
    # and tells the patient itself ("I couldn't note that just now ... call the clinic") before Rasa's
    # generic fault reply would, and the handoff form stays where it was.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA secure_delete=ON")  # purged patient data is overwritten, not left in free pages
    cursor.close()


def private_file(path: Path) -> None:
    """Create `path` readable by this user only (0600), or narrow an existing one to that: it holds
    patients' names, contact details and questions. SQLite gives its -wal and -shm files the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


def create_store_engine(url: str) -> Engine:
    """An engine for `url`, with SQLite set up for several processes sharing one file.

    `hide_parameters`: a database error names the statement, never the values (ticket contents)."""
    parsed = make_url(_normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            engine = create_engine(
                parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}, hide_parameters=True
            )
        else:
            private_file(Path(database))
            engine = create_engine(parsed, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def _ticket(row: TicketRow) -> Ticket:
    return Ticket(
        row.id,
        row.status,
        row.name,
        row.contact,
        row.consent,
        row.question,
        list(row.transcript or []),
        row.assignee,
        row.created_at,
        row.updated_at,
        row.claimed_at,
        row.resolved_at,
        tuple(Note(n.author, n.text, n.created_at) for n in row.notes),
    )


def _unanswered(row: UnansweredRow) -> Unanswered:
    return Unanswered(
        row.id, row.text, row.treatment, row.count, row.first_asked, row.last_asked, row.status, row.thread_id
    )


def _user(row: UserRow) -> User:
    return User(row.id, row.username, row.role, row.active, row.created_at, row.session_version or 0)


def _required(value: str, field: str, limit: int) -> str:
    value = " ".join((value or "").split()) if field != "notes" else (value or "").strip()
    if not value:
        raise StoreError(f"{field}: must not be empty")
    if len(value) > limit:
        raise StoreError(f"{field}: at most {limit} characters")
    return value


def _transcript(items: list[dict]) -> list[dict]:
    if not isinstance(items, list):
        raise StoreError("transcript: must be a list of {role, text, at} items")
    clean = []
    for n, item in enumerate(items[-MAX_TRANSCRIPT_ITEMS:], start=1):
        if (
            not isinstance(item, dict)
            or item.get("role") not in ("patient", "bot")
            or not isinstance(item.get("text"), str)
        ):
            raise StoreError(f"transcript item {n}: needs role 'patient' or 'bot' and a text")
        clean.append({"role": item["role"], "text": item["text"][:MAX_TEXT_CHARS], "at": str(item.get("at") or "")})
    return clean


class Store:
    """Tickets, unanswered questions, feedback and console users in one SQL database."""

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None):
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        # argon2's defaults (RFC 9106's low-memory choice); tests of many sign-ins pass a cheap one.
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash = self._hasher.hash("not a real password: equalises sign-in timing")

    @classmethod
    def open(cls, url: str | None = None, hasher: PasswordHasher | None = None) -> "Store":
        """Connect (default: the `database_url` setting; DATABASE_URL wins) and upgrade the schema to head."""
        engine = create_store_engine(database_url() if url is None else url)
        migrate.upgrade(engine)
        return cls(engine, hasher)

    def close(self) -> None:
        self.engine.dispose()

    def session(self) -> Session:
        return self._session()

    # ---------------------------------------------------------------- unanswered questions

    def record_unanswered(self, question: str, treatment: str | None) -> None:
        """Count a question the bot had no answer for; identical questions (after normalising) share a row."""
        text = scrub(" ".join((question or "").split()), MAX_QUESTION_CHARS)
        if not normalise_question(text):
            return
        now = utcnow()
        values = dict(
            key=question_digest(text),
            text=text,
            treatment=treatment,
            count=1,
            first_asked=now,
            last_asked=now,
            status="open",
        )
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        table = UnansweredRow.__table__
        statement = insert(table).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": table.c.count + 1,
                "last_asked": statement.excluded.last_asked,
                "treatment": func.coalesce(statement.excluded.treatment, table.c.treatment),
            },
        )
        with self.session() as session, session.begin():
            session.execute(statement)
        log.info("unanswered question recorded", extra={"treatment": treatment})

    def unanswered(self, status: str | None = "open", limit: int = 1000) -> list[Unanswered]:
        """Stored unanswered questions, most recently asked first."""
        query = select(UnansweredRow).order_by(UnansweredRow.last_asked.desc(), UnansweredRow.id.desc()).limit(limit)
        if status:
            query = query.where(UnansweredRow.status == status)
        with self.session() as session:
            return [_unanswered(r) for r in session.scalars(query)]

    def set_unanswered_status(self, ids: list[int], status: str, thread_id: str | None = None) -> int:
        """Mark questions as drafted (with the draft's thread id), dismissed or open again; returns rows changed."""
        if status not in UNANSWERED_STATUSES:
            raise StoreError(f"status: one of {', '.join(UNANSWERED_STATUSES)}")
        values: dict = {"status": status}
        if thread_id is not None or status == "open":
            values["thread_id"] = thread_id
        with self.session() as session, session.begin():
            result = session.execute(update(UnansweredRow).where(UnansweredRow.id.in_(ids)).values(**values))
            return result.rowcount

    # ---------------------------------------------------------------- tickets

    def create_ticket(
        self,
        name: str,
        contact: str,
        consent: bool,
        question: str,
        transcript: list[dict],
        sender_key: str | None = None,
    ) -> int:
        """Store a handoff ticket (status `new`) with the conversation so far; returns its id. The sender's
        pending form answers, if any, are deleted in the same transaction."""
        row = TicketRow(
            status="new",
            name=_required(name, "name", 200),
            contact=_required(contact, "contact", 200),
            consent=bool(consent),
            question=_required(question, "question", MAX_TEXT_CHARS),
            transcript=_transcript(transcript),
            sender_key=sender_key,
        )
        now = utcnow()
        row.created_at = row.updated_at = now
        with self.session() as session, session.begin():
            session.add(row)
            session.flush()
            ticket_id = row.id
            if sender_key:
                session.execute(delete(PendingHandoffRow).where(PendingHandoffRow.key == sender_key))
        log.info("ticket created", extra={"ticket_id": ticket_id, "consent": bool(consent)})
        return ticket_id

    def open_ticket(self, sender_key: str) -> int | None:
        """The id of this sender's newest ticket the front desk has not resolved yet, else None."""
        query = (
            select(TicketRow.id)
            .where(TicketRow.sender_key == sender_key, TicketRow.status.in_(OPEN_TICKET_STATUSES))
            .order_by(TicketRow.id.desc())
            .limit(1)
        )
        with self.session() as session:
            return session.scalar(query)

    def hold_handoff(self, key: str, *, name: str | None = None, contact: str | None = None) -> None:
        """Keep a handoff form answer (name or contact) for `key` until the ticket is filed or the form ends."""
        now = utcnow()
        with self.session() as session, session.begin():
            session.execute(delete(PendingHandoffRow).where(PendingHandoffRow.updated_at < now - PENDING_HANDOFF_TTL))
            row = session.get(PendingHandoffRow, key) or PendingHandoffRow(key=key)
            if name is not None:
                row.name = _required(name, "name", 200)
            if contact is not None:
                row.contact = _required(contact, "contact", 200)
            row.updated_at = now
            session.add(row)

    def pending_handoff(self, key: str) -> tuple[str | None, str | None]:
        """(name, contact) held for `key` within PENDING_HANDOFF_TTL; (None, None) when there are none."""
        with self.session() as session:
            row = session.get(PendingHandoffRow, key)
            if row is None or row.updated_at < utcnow() - PENDING_HANDOFF_TTL:
                return None, None
            return row.name, row.contact

    def drop_handoff(self, key: str) -> None:
        """Forget the form answers held for `key` (the form was cancelled or ended without a ticket)."""
        with self.session() as session, session.begin():
            session.execute(delete(PendingHandoffRow).where(PendingHandoffRow.key == key))

    def ticket(self, ticket_id: int) -> Ticket:
        with self.session() as session:
            row = session.get(TicketRow, ticket_id, options=[selectinload(TicketRow.notes)])
            if row is None:
                raise NotFound(f"ticket {ticket_id} does not exist")
            return _ticket(row)

    def tickets(
        self, statuses: tuple[str, ...] | None = None, limit: int = 500, before: int | None = None
    ) -> list[Ticket]:
        """Tickets, newest first, optionally only those in some statuses; `before`: only ids below it (the
        next page of a queue, stable while new tickets arrive)."""
        query = select(TicketRow).options(selectinload(TicketRow.notes)).order_by(TicketRow.id.desc()).limit(limit)
        if statuses:
            query = query.where(TicketRow.status.in_(statuses))
        if before is not None:
            query = query.where(TicketRow.id < before)
        with self.session() as session:
            return [_ticket(r) for r in session.scalars(query)]

    def count_tickets(self, statuses: tuple[str, ...]) -> int:
        """How many tickets are in these statuses."""
        with self.session() as session:
            return (
                session.scalar(select(func.count()).select_from(TicketRow).where(TicketRow.status.in_(statuses))) or 0
            )

    def _transition(self, ticket_id: int, allowed: tuple[str, ...], values: dict, refusal: str) -> Ticket:
        now = utcnow()
        with self.session() as session, session.begin():
            # A conditional update: two people claiming at once cannot both win.
            result = session.execute(
                update(TicketRow)
                .where(TicketRow.id == ticket_id, TicketRow.status.in_(allowed))
                .values(updated_at=now, **{k: (now if v is utcnow else v) for k, v in values.items()})
            )
            if result.rowcount == 0:
                row = session.get(TicketRow, ticket_id)
                if row is None:
                    raise NotFound(f"ticket {ticket_id} does not exist")
                who = f" by {row.assignee}" if row.assignee else ""
                raise Conflict(f"ticket {ticket_id} is {row.status}{who}; {refusal}")
        return self.ticket(ticket_id)

    def claim_ticket(self, ticket_id: int, assignee: str) -> Ticket:
        """new -> claimed, assigned to `assignee`."""
        ticket = self._transition(
            ticket_id,
            ("new",),
            {"status": "claimed", "assignee": assignee, "claimed_at": utcnow},
            "only a new ticket can be claimed",
        )
        log.info("ticket claimed", extra={"ticket_id": ticket_id})
        return ticket

    def resolve_ticket(self, ticket_id: int, by: str) -> Ticket:
        """claimed -> resolved; only the assignee resolves (an admin may resolve anyone's)."""
        current = self.ticket(ticket_id)
        if current.status == "claimed" and current.assignee != by and not self._is_admin(by):
            raise Conflict(f"ticket {ticket_id} is claimed by {current.assignee}; only they or an admin can resolve it")
        ticket = self._transition(
            ticket_id, ("claimed",), {"status": "resolved", "resolved_at": utcnow}, "claim it before resolving it"
        )
        log.info("ticket resolved", extra={"ticket_id": ticket_id})
        return ticket

    def add_ticket_note(self, ticket_id: int, author: str, text: str) -> Ticket:
        """Append a note (who called whom, what was agreed) to a ticket."""
        note = TicketNoteRow(
            ticket_id=ticket_id, author=author, text=_required(text, "notes", MAX_TEXT_CHARS), created_at=utcnow()
        )
        with self.session() as session, session.begin():
            row = session.get(TicketRow, ticket_id)
            if row is None:
                raise NotFound(f"ticket {ticket_id} does not exist")
            session.add(note)
            row.updated_at = note.created_at
        return self.ticket(ticket_id)

    def export_tickets(self) -> list[dict]:
        """Every ticket with contact details masked, for reports."""
        return [t.masked() for t in self.tickets(limit=100_000)]

    # ---------------------------------------------------------------- feedback

    def record_feedback(self, thread_id: str, helpful: bool) -> None:
        """Store one "was this helpful?" answer for a thread."""
        thread_id = _required(thread_id, "thread_id", 80)
        with self.session() as session, session.begin():
            session.add(FeedbackRow(thread_id=thread_id, helpful=bool(helpful), created_at=utcnow()))

    def feedback_by_thread(self) -> list[ThreadFeedback]:
        """Helpful and unhelpful counts per thread, least helpful first (then most answers)."""
        helpful = func.sum(case((FeedbackRow.helpful, 1), else_=0))
        query = select(FeedbackRow.thread_id, helpful, func.count()).group_by(FeedbackRow.thread_id)
        with self.session() as session:
            rows = [ThreadFeedback(t, int(h or 0), int(n) - int(h or 0)) for t, h, n in session.execute(query)]
        return sorted(rows, key=lambda r: (r.rate, -r.total, r.thread_id))

    def feedback_by_day(self, days: int = 30, today: dt.date | None = None) -> list[DayFeedback]:
        """Helpful and unhelpful counts for each of the last `days` days (UTC), oldest first, zeros included."""
        today = today or utcnow().date()
        first = today - dt.timedelta(days=days - 1)
        since = dt.datetime.combine(first, dt.time(), tzinfo=dt.timezone.utc)
        counts: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
        with self.session() as session:
            for created, helpful in session.execute(
                select(FeedbackRow.created_at, FeedbackRow.helpful).where(FeedbackRow.created_at >= since)
            ):
                counts[created.date()][0 if helpful else 1] += 1
        return [DayFeedback(d, *counts.get(d, (0, 0))) for d in (first + dt.timedelta(n) for n in range(days))]

    # ---------------------------------------------------------------- users

    def add_user(self, username: str, password: str, role: str) -> User:
        """Create a console account; the password is stored as an argon2 hash."""
        username = (username or "").strip().lower()
        if not _USERNAME.match(username):
            raise StoreError("username: 2-64 characters, lowercase letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise StoreError(f"role: one of {', '.join(ROLES)}")
        self._check_password(password)
        row = UserRow(
            username=username, password_hash=self._hasher.hash(password), role=role, active=True, created_at=utcnow()
        )
        try:
            with self.session() as session, session.begin():
                session.add(row)
        except IntegrityError:
            raise Conflict(f"user {username} already exists") from None
        log.info("user added", extra={"user": username, "role": role})
        return _user(row)

    def _check_password(self, password: str) -> None:
        if len(password or "") < MIN_PASSWORD_CHARS:
            raise StoreError(f"password: at least {MIN_PASSWORD_CHARS} characters")
        if len(password) > 1024:
            raise StoreError("password: at most 1024 characters")

    def set_password(self, username: str, password: str) -> None:
        self._check_password(password)
        with self.session() as session, session.begin():
            row = session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))
            if row is None:
                raise NotFound(f"user {username} does not exist")
            row.password_hash = self._hasher.hash(password)
            row.session_version = UserRow.session_version + 1  # a copied cookie dies with the old password
        log.info("password changed", extra={"user": username.strip().lower()})

    def end_sessions(self, username: str) -> None:
        """End every console session of this account (sign-out): cookies issued before stop working."""
        with self.session() as session, session.begin():
            result = session.execute(
                update(UserRow)
                .where(UserRow.username == username.strip().lower())
                .values(session_version=UserRow.session_version + 1)
            )
            if result.rowcount == 0:
                raise NotFound(f"user {username} does not exist")

    def set_role(self, username: str, role: str) -> None:
        if role not in ROLES:
            raise StoreError(f"role: one of {', '.join(ROLES)}")
        with self.session() as session, session.begin():
            row = session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))
            if row is None:
                raise NotFound(f"user {username} does not exist")
            row.role = role

    def set_active(self, username: str, active: bool) -> None:
        with self.session() as session, session.begin():
            row = session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))
            if row is None:
                raise NotFound(f"user {username} does not exist")
            row.active = active
            if not active:  # reactivating the account later must not revive its old cookies
                row.session_version = UserRow.session_version + 1

    def user(self, username: str) -> User | None:
        with self.session() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == (username or "").strip().lower()))
            return _user(row) if row else None

    def users(self) -> list[User]:
        with self.session() as session:
            return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user with this username and password, else None (same work either way)."""
        with self.session() as session, session.begin():
            row = session.scalar(select(UserRow).where(UserRow.username == (username or "").strip().lower()))
            try:
                self._hasher.verify(row.password_hash if row else self._dummy_hash, password or "")
            except (VerificationError, InvalidHashError):
                return None
            if row is None or not row.active:
                return None
            if self._hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self._hasher.hash(password)
            return _user(row)

    # ---------------------------------------------------------------- retention

    def purge(self, before: dt.datetime, dry_run: bool = False) -> Purged:
        """Delete resolved tickets last changed, unanswered questions last asked and feedback given before
        `before`; open tickets are kept whatever their age (deleting one would drop a patient's request)."""
        old_tickets = (TicketRow.status == "resolved", TicketRow.updated_at < before)
        targets = (
            (TicketRow, old_tickets),
            (UnansweredRow, (UnansweredRow.last_asked < before,)),
            (FeedbackRow, (FeedbackRow.created_at < before,)),
        )
        with self.session() as session, session.begin():
            counts = [
                session.scalar(select(func.count()).select_from(row).where(*where)) or 0 for row, where in targets
            ]
            kept = (
                session.scalar(
                    select(func.count())
                    .select_from(TicketRow)
                    .where(TicketRow.status != "resolved", TicketRow.created_at < before)
                )
                or 0
            )
            if not dry_run:
                for row, where in targets:  # notes go with their ticket (ON DELETE CASCADE)
                    session.execute(delete(row).where(*where))
                # Answers of handoff forms left unfinished are never kept past their short hold.
                session.execute(
                    delete(PendingHandoffRow).where(PendingHandoffRow.updated_at < utcnow() - PENDING_HANDOFF_TTL)
                )
        purged = Purged(*counts, kept)
        log.info(
            "store purged",
            extra={
                "dry_run": dry_run,
                "tickets": purged.tickets,
                "unanswered": purged.unanswered,
                "feedback": purged.feedback,
                "open_tickets_kept": kept,
            },
        )
        return purged

    def _is_admin(self, username: str) -> bool:
        user = self.user(username)
        return bool(user and user.active and user.is_admin)
