"""Storage: every test runs against SQLite (a temporary file) and PostgreSQL (its own schema per test)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text

from store import Conflict, NotFound, Store, StoreError, mask_contact, mask_name, scrub

PG_URL = os.environ.get(
    "AFTERCARE_TEST_DATABASE_URL", "postgresql+psycopg://aftercare:aftercare@127.0.0.1:5432/aftercare_test"
)
TRANSCRIPT = [
    {"role": "patient", "text": "my cheek is lumpy after filler", "at": "2026-11-24T09:00:00+00:00"},
    {"role": "bot", "text": "I'm sorry, I don't have a clinician's answer on file.", "at": "2026-11-24T09:00:01+00:00"},
]


@pytest.fixture(scope="module")
def pg_admin():
    engine = create_engine(PG_URL)
    try:
        with engine.connect():
            pass
    except Exception as exc:  # a clear failure, not a skip: the storage tests must run on both backends
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL} ({type(exc).__name__}); run scripts/system.sh")
    yield engine
    engine.dispose()


def pg_schema_url(admin, schema: str) -> str:
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'aftercare.db'}"
        return
    admin = request.getfixturevalue("pg_admin")
    schema = f"test_store_{uuid.uuid4().hex[:12]}"
    yield pg_schema_url(admin, schema)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def store(db_url):
    opened = Store.open(db_url)
    yield opened
    opened.close()


# ------------------------------------------------------------------------------------- schema


def test_migrations_build_the_schema_the_models_describe(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from store.migrate import current_revision, head_revision
    from store.models import Base

    store = Store.open(db_url)
    try:
        with store.engine.connect() as connection:
            assert current_revision(connection) == head_revision()
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        store.close()


def test_opening_again_keeps_the_data(db_url):
    first = Store.open(db_url)
    ticket_id = first.create_ticket("Ann Lee", "ann@example.com", True, "Lump after filler", TRANSCRIPT)
    first.close()
    second = Store.open(db_url)
    try:
        assert second.ticket(ticket_id).question == "Lump after filler"
    finally:
        second.close()


def test_concurrent_first_opens_migrate_once(db_url):
    # The action server and the web app start together and both open a fresh database.
    opened: list[Store] = []
    errors: list[Exception] = []

    def open_it():
        try:
            opened.append(Store.open(db_url))
        except Exception as exc:  # collected: an exception in a thread would not fail the test by itself
            errors.append(exc)

    workers = [threading.Thread(target=open_it) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == [] and len(opened) == 4
    opened[0].record_feedback("botox-exercise", True)
    assert opened[3].feedback_by_thread()[0].helpful == 1
    for store in opened:
        store.close()


def test_the_core_library_imports_no_storage():
    import subprocess
    import sys

    code = (
        "import sys, bot.cli, bot.assistant, bot.config; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('store', 'sqlalchemy', 'alembic')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_database_url_setting_and_override(monkeypatch, tmp_path):
    from bot.config import PROJECT_ROOT, Settings

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("AFTERCARE_DATABASE_URL", raising=False)
    assert Settings.from_env().storage.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'aftercare.db'}"
    monkeypatch.setenv("AFTERCARE_DATABASE_URL", "sqlite:///ignored.db")
    wanted = tmp_path / "from-env.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{wanted}")
    assert Settings.from_env().storage.database_url == f"sqlite:///{wanted}"
    store = Store.open()
    try:
        store.record_feedback("botox-exercise", True)
    finally:
        store.close()
    assert wanted.exists()


def test_postgres_urls_use_the_installed_driver():
    from store.store import _normalise_url

    assert _normalise_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert _normalise_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert _normalise_url("sqlite:///x.db") == "sqlite:///x.db"


# ------------------------------------------------------------------------------------- unanswered questions


def test_identical_questions_are_grouped_with_counts(store):
    store.record_unanswered("Can I dye my hair after Botox?", "neuromodulator")
    first = store.unanswered()[0]
    store.record_unanswered("  can i DYE my hair after botox ", None)
    store.record_unanswered("Can I get a spray tan after a peel?", None)
    rows = {r.text: r for r in store.unanswered()}
    assert len(rows) == 2
    hair = rows["Can I dye my hair after Botox?"]
    assert hair.count == 2 and hair.treatment == "neuromodulator"  # a later None does not erase the treatment
    assert hair.last_asked >= first.last_asked and hair.first_asked == first.first_asked
    assert hair.last_asked.tzinfo is not None and hair.status == "open"


def test_unanswered_questions_hold_no_contact_details(store):
    store.record_unanswered("call me on +1 (555) 123-4567 or mail jane.doe@example.com about my lips", "filler")
    stored = store.unanswered()[0].text
    assert "555" not in stored and "jane.doe" not in stored and "example.com" not in stored
    assert stored == "call me on [phone] or mail [email] about my lips"


def test_blank_questions_are_not_stored(store):
    store.record_unanswered("   ", None)
    store.record_unanswered("?!", None)
    assert store.unanswered() == []


def test_unanswered_status_changes(store):
    store.record_unanswered("Can I swim after a chemical peel?", "chemical_peel")
    row = store.unanswered()[0]
    assert store.set_unanswered_status([row.id], "drafted", thread_id="can-i-swim-after-a-chemical-peel") == 1
    assert store.unanswered() == []
    drafted = store.unanswered(status="drafted")[0]
    assert drafted.thread_id == "can-i-swim-after-a-chemical-peel"
    with pytest.raises(StoreError, match="status"):
        store.set_unanswered_status([row.id], "deleted")


def test_concurrent_recording_loses_no_count(store):
    def ask():
        for _ in range(10):
            store.record_unanswered("Is it normal to itch after microneedling?", "microneedling")

    workers = [threading.Thread(target=ask) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    rows = store.unanswered()
    assert len(rows) == 1 and rows[0].count == 40


# ------------------------------------------------------------------------------------- tickets


def test_ticket_lifecycle_with_notes(store):
    ticket_id = store.create_ticket("Ann Lee", "ann@example.com", True, "Lump after filler", TRANSCRIPT)
    ticket = store.ticket(ticket_id)
    assert (ticket.status, ticket.assignee, ticket.transcript) == ("new", None, TRANSCRIPT)
    assert [t.id for t in store.tickets(("new",))] == [ticket_id]

    claimed = store.claim_ticket(ticket_id, "maria")
    assert claimed.status == "claimed" and claimed.assignee == "maria" and claimed.claimed_at is not None
    with pytest.raises(Conflict, match="claimed by maria"):
        store.claim_ticket(ticket_id, "tom")

    noted = store.add_ticket_note(ticket_id, "maria", "Called back, booked a review on Friday.")
    assert [(n.author, n.text) for n in noted.notes] == [("maria", "Called back, booked a review on Friday.")]

    resolved = store.resolve_ticket(ticket_id, "maria")
    assert resolved.status == "resolved" and resolved.resolved_at >= resolved.claimed_at
    assert store.tickets(("new", "claimed")) == []
    with pytest.raises(Conflict):
        store.resolve_ticket(ticket_id, "maria")


def test_only_the_assignee_or_an_admin_resolves(store):
    store.add_user("boss", "a long admin password", "admin")
    first = store.create_ticket("A B", "0123 456 789", True, "q1", [])
    second = store.create_ticket("C D", "0123 456 780", True, "q2", [])
    store.claim_ticket(first, "maria")
    store.claim_ticket(second, "maria")
    with pytest.raises(Conflict, match="only they or an admin"):
        store.resolve_ticket(first, "tom")
    assert store.resolve_ticket(second, "boss").status == "resolved"


def test_a_new_ticket_cannot_be_resolved_before_it_is_claimed(store):
    ticket_id = store.create_ticket("A B", "a@b.example", True, "q", [])
    with pytest.raises(Conflict, match="claim it"):
        store.resolve_ticket(ticket_id, "maria")


def test_missing_tickets_are_reported(store):
    for call in (
        lambda: store.ticket(999),
        lambda: store.claim_ticket(999, "x"),
        lambda: store.add_ticket_note(999, "x", "y"),
    ):
        with pytest.raises(NotFound, match="ticket 999"):
            call()


def test_concurrent_claims_have_one_winner(store):
    ticket_id = store.create_ticket("A B", "a@b.example", True, "q", [])
    results: list[str] = []

    def claim(who: str):
        try:
            store.claim_ticket(ticket_id, who)
            results.append(who)
        except Conflict:
            pass

    workers = [threading.Thread(target=claim, args=(f"user{n}",)) for n in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(results) == 1 and store.ticket(ticket_id).assignee == results[0]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"name": " "}, "name"),
        ({"contact": ""}, "contact"),
        ({"question": ""}, "question"),
        ({"transcript": [{"role": "nurse", "text": "hi"}]}, "transcript item 1"),
        ({"transcript": "hello"}, "transcript"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_tickets_are_refused_with_the_field(store, kwargs, field):
    good = {"name": "Ann Lee", "contact": "ann@example.com", "consent": True, "question": "q", "transcript": []}
    with pytest.raises(StoreError, match=f"^{field}"):
        store.create_ticket(**{**good, **kwargs})
    assert store.tickets() == []


def test_exports_and_logs_mask_contact_details(store, caplog):
    caplog.set_level(logging.INFO, logger="aftercare")
    ticket_id = store.create_ticket("Ann Lee", "ann.lee@example.com", True, "Lump after filler", TRANSCRIPT)
    store.claim_ticket(ticket_id, "maria")
    exported = json.dumps(store.export_tickets())
    for secret in ("Ann", "Lee", "ann.lee", "example.com", "Lump", "lumpy"):
        assert secret not in exported
    assert store.export_tickets()[0]["contact"] == "a***@e***.com"
    logged = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "ticket created" in logged and "ann.lee" not in logged and "Ann Lee" not in logged
    assert "ann.lee" not in repr(store.ticket(ticket_id))


# ------------------------------------------------------------------------------------- feedback


def test_feedback_rates_least_helpful_first(store):
    for helpful in (True, True, True, False):
        store.record_feedback("botox-exercise", helpful)
    for helpful in (False, False, True):
        store.record_feedback("filler-flying", helpful)
    rows = store.feedback_by_thread()
    assert [(r.thread_id, r.helpful, r.unhelpful) for r in rows] == [("filler-flying", 1, 2), ("botox-exercise", 3, 1)]
    assert rows[1].rate == 0.75 and rows[0].total == 3


def test_feedback_by_day_covers_every_day(store):
    store.record_feedback("botox-exercise", True)
    store.record_feedback("botox-exercise", False)
    days = store.feedback_by_day(7)
    today = dt.datetime.now(dt.timezone.utc).date()
    assert [d.day for d in days] == [today - dt.timedelta(n) for n in range(6, -1, -1)]
    assert (days[-1].helpful, days[-1].unhelpful) == (1, 1)
    assert all(d.helpful == d.unhelpful == 0 for d in days[:-1])


# ------------------------------------------------------------------------------------- users


def test_users_sign_in_with_hashed_passwords(store):
    store.add_user("Maria", "correct horse battery", "staff")
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM users WHERE username = 'maria'")).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    user = store.authenticate("maria", "correct horse battery")
    assert user is not None and user.role == "staff" and not user.is_admin
    assert store.authenticate("maria", "correct horse batterY") is None
    assert store.authenticate("nobody", "correct horse battery") is None
    store.set_active("maria", False)
    assert store.authenticate("maria", "correct horse battery") is None


def test_user_rules(store):
    store.add_user("admin1", "a long admin password", "admin")
    with pytest.raises(Conflict, match="already exists"):
        store.add_user("ADMIN1", "another long password", "staff")
    with pytest.raises(StoreError, match="role"):
        store.add_user("x1", "a long enough password", "root")
    with pytest.raises(StoreError, match="password"):
        store.add_user("x2", "short", "staff")
    with pytest.raises(StoreError, match="username"):
        store.add_user("bad name!", "a long enough password", "staff")
    store.set_role("admin1", "staff")
    store.set_password("admin1", "a brand new password")
    assert store.authenticate("admin1", "a brand new password").role == "staff"
    assert [u.username for u in store.users()] == ["admin1"]


# ------------------------------------------------------------------------------------- privacy helpers


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("jane.doe@example.com", "j***@e***.com"),
        ("+44 7700 900123", "**********23"),
        ("555-0199", "*****99"),
        ("no digits", "***"),
    ],
)
def test_mask_contact(raw, masked):
    assert mask_contact(raw) == masked


def test_scrub_keeps_time_frames():
    assert (
        scrub("can I run 2 hours after botox, it's been 24 hours")
        == "can I run 2 hours after botox, it's been 24 hours"
    )
    assert scrub("text 07700 900123 please") == "text [phone] please"
    assert mask_name("Ann Marie Lee") == "A. M. L."


def test_sqlite_files_are_private_to_the_server_user(tmp_path):
    path = tmp_path / "data" / "aftercare.db"
    opened = Store.open(f"sqlite:///{path}")
    try:
        opened.record_unanswered("can i fly after my neck lift", None)
    finally:
        opened.close()
    for name in ("aftercare.db", "aftercare.db-wal", "aftercare.db-shm"):
        if (path.parent / name).exists():
            assert (path.parent / name).stat().st_mode & 0o777 == 0o600, name
    path.chmod(0o644)  # an older file is narrowed when opened again
    Store.open(f"sqlite:///{path}").close()
    assert path.stat().st_mode & 0o777 == 0o600


def test_database_errors_never_carry_ticket_contents(db_url):
    from sqlalchemy.exc import SQLAlchemyError

    opened = Store.open(db_url)
    try:
        with opened.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO no_such_table (x) VALUES (:secret)"), {"secret": "jane@patient.example"}
            )
    except SQLAlchemyError as exc:
        assert "jane@patient.example" not in str(exc)
    else:
        raise AssertionError("the insert into a missing table succeeded")
    finally:
        opened.close()


def test_session_versions_rise_on_sign_out_password_change_and_deactivation(store):
    store.add_user("maria", "correct horse battery", "staff")
    versions = [store.user("maria").session_version]
    store.end_sessions("Maria")
    versions.append(store.user("maria").session_version)
    store.set_password("maria", "another long password")
    versions.append(store.user("maria").session_version)
    store.set_active("maria", False)
    store.set_active("maria", True)  # reactivating does not bring old sessions back
    versions.append(store.user("maria").session_version)
    assert versions == [0, 1, 2, 3]
    assert store.authenticate("maria", "another long password").session_version == 3
    with pytest.raises(NotFound):
        store.end_sessions("nobody")


# ------------------------------------------------------------------------------------- retention (bot purge)

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


def _age(store, row_class, row_id: int, **columns: dt.datetime) -> None:
    from sqlalchemy import update

    with store.session() as session, session.begin():
        session.execute(update(row_class).where(row_class.id == row_id).values(**columns))


def test_purge_deletes_old_data_and_keeps_open_tickets(store):
    from store.models import FeedbackRow, TicketRow, UnansweredRow
    from store.retention import purge

    old, recent = NOW - dt.timedelta(days=100), NOW - dt.timedelta(days=2)
    resolved_old = store.create_ticket("Ann Lee", "ann@example.com", True, "Lump after filler", TRANSCRIPT)
    store.claim_ticket(resolved_old, "maria")
    store.add_ticket_note(resolved_old, "maria", "called Ann back")
    store.resolve_ticket(resolved_old, "maria")
    _age(store, TicketRow, resolved_old, created_at=old, updated_at=old)
    resolved_recent = store.create_ticket("Bo Chan", "bo@example.com", True, "Bruising", TRANSCRIPT)
    store.claim_ticket(resolved_recent, "maria")
    store.resolve_ticket(resolved_recent, "maria")
    _age(store, TicketRow, resolved_recent, created_at=old, updated_at=recent)  # handled lately: kept
    open_old = store.create_ticket("Cy Dee", "cy@example.com", True, "Still swollen", TRANSCRIPT)
    _age(store, TicketRow, open_old, created_at=old, updated_at=old)
    store.record_unanswered("can i fly after my neck lift", None)
    store.record_unanswered("can i swim after a chemical peel", None)
    stale = next(q.id for q in store.unanswered() if "fly" in q.text)
    _age(store, UnansweredRow, stale, first_asked=old, last_asked=old)
    store.record_feedback("botox-exercise", True)
    store.record_feedback("botox-exercise", False)
    with store.session() as session, session.begin():
        first = session.scalars(select_ids(FeedbackRow)).first()
    _age(store, FeedbackRow, first, created_at=old)

    dry = purge(store, None, 90, dry_run=True, now=NOW)
    assert (dry.store.tickets, dry.store.unanswered, dry.store.feedback, dry.store.open_tickets_kept) == (1, 1, 1, 1)
    assert dry.conversations is None and dry.before == NOW - dt.timedelta(days=90)
    assert len(store.tickets()) == 3 and len(store.unanswered()) == 2  # a dry run deletes nothing

    done = purge(store, None, 90, now=NOW)
    assert done.store == dry.store
    assert sorted(t.id for t in store.tickets()) == [resolved_recent, open_old]
    with pytest.raises(NotFound):
        store.ticket(resolved_old)
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ticket_notes")).scalar_one() == 0  # notes went too
    assert [q.text for q in store.unanswered()] == ["can i swim after a chemical peel"]
    assert sum(r.total for r in store.feedback_by_thread()) == 1
    assert purge(store, None, 90, now=NOW).store.tickets == 0  # nothing left to purge


def select_ids(row_class):
    from sqlalchemy import select

    return select(row_class.id).order_by(row_class.id)


def _event(sender: str, type_name: str, at: dt.datetime, text_: str = "") -> dict:
    return {
        "sender_id": sender,
        "type_name": type_name,
        "timestamp": at.timestamp(),
        "data": json.dumps({"event": type_name, "text": text_}),
    }


def test_purge_deletes_old_conversations_from_rasas_tracker_store(db_url):
    from sqlalchemy import select

    from store.retention import EVENTS, purge_conversations

    engine = create_engine(db_url)
    EVENTS.metadata.create_all(engine)  # as Rasa's SQLTrackerStore creates it
    old, recent = NOW - dt.timedelta(days=100), NOW - dt.timedelta(days=1)
    events = [
        # A conversation idle for 100 days: deleted whole.
        _event("rest:idle", "session_started", old),
        _event("rest:idle", "user", old, "my name is Ann, 07700 900123"),
        # An ongoing conversation: its session of 100 days ago goes, the current one stays.
        _event("rest:active", "session_started", old),
        _event("rest:active", "user", old, "lump after filler"),
        _event("rest:active", "session_started", recent),
        _event("rest:active", "slot", recent),
        _event("rest:active", "user", recent, "still swollen"),
        # A current session that began long ago: Rasa still reads all of it, so all of it stays.
        _event("rest:long", "session_started", old),
        _event("rest:long", "user", recent, "bruising"),
    ]
    with engine.begin() as connection:
        connection.execute(EVENTS.insert(), events)
    try:
        dry = purge_conversations(db_url, NOW - dt.timedelta(days=90), dry_run=True)
        assert (dry.conversations, dry.events) == (1, 4)
        done = purge_conversations(db_url, NOW - dt.timedelta(days=90))
        assert done == dry
        with engine.connect() as connection:
            left = connection.execute(select(EVENTS.c.sender_id, EVENTS.c.type_name).order_by(EVENTS.c.id)).all()
        assert left == [
            ("rest:active", "session_started"),
            ("rest:active", "slot"),
            ("rest:active", "user"),
            ("rest:long", "session_started"),
            ("rest:long", "user"),
        ]
        assert purge_conversations(db_url, NOW - dt.timedelta(days=90)).events == 0
    finally:
        EVENTS.metadata.drop_all(engine)
        engine.dispose()


def test_tracker_store_found_as_rasa_finds_it(tmp_path, monkeypatch):
    from bot.config import PROJECT_ROOT
    from store.retention import RetentionError, tracker_store_url

    assert (
        tracker_store_url(PROJECT_ROOT / "endpoints.yml", PROJECT_ROOT)
        == f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
    )
    endpoints = tmp_path / "endpoints.yml"
    monkeypatch.setenv("TRACKER_PASSWORD", "s3cret")
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  host: db.internal\n  port: 5433\n"
        "  db: rasa\n  username: rasa\n  password: ${TRACKER_PASSWORD}\n"
    )
    assert tracker_store_url(endpoints, tmp_path) == "postgresql+psycopg://rasa:s3cret@db.internal:5433/rasa"
    endpoints.write_text("action_endpoint:\n  url: http://localhost:5055/webhook\n")
    assert tracker_store_url(endpoints, tmp_path) is None  # Rasa keeps conversations in memory only
    endpoints.write_text("tracker_store:\n  type: redis\n  url: localhost\n")
    with pytest.raises(RetentionError, match="SQL tracker store only"):
        tracker_store_url(endpoints, tmp_path)
    endpoints.write_text("tracker_store:\n  type: SQL\n  password: ${NOT_SET_ANYWHERE}\n")
    with pytest.raises(RetentionError, match="NOT_SET_ANYWHERE"):
        tracker_store_url(endpoints, tmp_path)


def test_bot_purge_command(tmp_path, monkeypatch, capsys):
    from bot import cli
    from bot.config import Settings
    from store.retention import EVENTS

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'aftercare.db'}")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tmp_path / 'tracker.db'}\n")
    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    EVENTS.metadata.create_all(engine)
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=40)
    with engine.begin() as connection:
        connection.execute(
            EVENTS.insert(),
            [
                _event("rest:a", "session_started", long_ago),
                _event("rest:a", "user", long_ago, "my email is ann@example.com"),
            ],
        )
    engine.dispose()
    store = Store.open()
    store.create_ticket("Ann Lee", "ann@example.com", True, "Lump after filler", TRANSCRIPT)
    store.close()

    assert cli.main(["purge", "--older-than", "30", "--endpoints", str(endpoints), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Would delete what is older than 30 days") and "1 conversation(s) and 2" in out
    assert cli.main(["purge", "--endpoints", str(endpoints)]) == 0  # the default: AFTERCARE_RETENTION_DAYS
    out = capsys.readouterr().out
    assert f"older than {Settings().storage.retention_days} days" in out and "0 conversation(s)" in out
    assert cli.main(["purge", "--older-than", "30", "--endpoints", str(endpoints)]) == 0
    assert "Deleted what is older than 30 days" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "tracker.db") as connection:
        assert connection.execute("SELECT count(*) FROM events").fetchone() == (0,)
    assert cli.main(["purge", "--older-than", "0", "--endpoints", str(endpoints)]) == 2
    assert "at least 1 day" in capsys.readouterr().err
    (tmp_path / "bad.yml").write_text("tracker_store:\n  type: mongod\n")
    assert cli.main(["purge", "--endpoints", str(tmp_path / "bad.yml")]) == 2
    assert "SQL tracker store only" in capsys.readouterr().err
    with pytest.raises(ValueError, match="AFTERCARE_RETENTION_DAYS must be at least 1"):
        Settings.from_env({"AFTERCARE_RETENTION_DAYS": "0"})


def test_pending_handoff_answers_are_short_lived_and_go_with_the_ticket(store, monkeypatch):
    import store.store as store_module

    store.hold_handoff("k1", name="Ann Lee")
    store.hold_handoff("k1", contact="+15550100")
    assert store.pending_handoff("k1") == ("Ann Lee", "+15550100")
    ticket = store.create_ticket("Ann Lee", "+15550100", True, "Question", [], sender_key="k1")
    assert store.pending_handoff("k1") == (None, None)  # deleted with the filing, in one transaction
    assert store.open_ticket("k1") == ticket and store.open_ticket("k2") is None
    store.hold_handoff("k2", name="Bo Ray")
    store.drop_handoff("k2")
    assert store.pending_handoff("k2") == (None, None)
    store.hold_handoff("k3", name="Cy Dee")
    later = store_module.utcnow() + store_module.PENDING_HANDOFF_TTL + dt.timedelta(minutes=1)
    monkeypatch.setattr(store_module, "utcnow", lambda: later)
    assert store.pending_handoff("k3") == (None, None)  # past its hold: ignored...
    store.purge(later - dt.timedelta(days=1))
    with store.session() as session:  # ...and purged
        assert session.get(store_module.PendingHandoffRow, "k3") is None


def test_a_locked_sqlite_file_fails_a_write_before_rasa_stops_waiting_for_the_action(tmp_path):
    """An action held up longer than AFTERCARE_ACTION_TIMEOUT is cut off by Rasa: the patient would get the
    generic fault reply and never the action's own "I couldn't note that ... call the clinic"."""
    from bot.config import Settings
    from store.store import SQLITE_BUSY_MS

    path = tmp_path / "locked.db"
    opened = Store.open(f"sqlite:///{path}")
    opened.hold_handoff("k" * 64, name="Ana Lee")  # the schema exists
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(Exception):  # gives up (after SQLITE_BUSY_MS) rather than waiting on
            opened.hold_handoff("k" * 64, contact="+15550100199")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert SQLITE_BUSY_MS / 1000 < Settings().limits.action_timeout
