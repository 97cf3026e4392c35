"""Shared fixtures: the real demo corpus, the real embedding model, an index built once per run."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "devset"
sys.path.insert(0, str(ROOT / "scripts"))

# The action module loads its assistant at import, from these settings; point them at this run's index.
_RUN_INDEX = Path(os.environ.setdefault("AFTERCARE_INDEX_DIR", str(ROOT / "var" / "test-index")))
# What the actions store (unanswered questions, tickets, feedback) goes to a test database, not var/aftercare.db.
os.environ.setdefault("AFTERCARE_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'test-aftercare.db'}")


@dataclass(frozen=True)
class CliResult:
    """What `bot ARGS` did: as subprocess.run's result reads it."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> CliResult:
    """`bot ARGS` in this process: a new interpreter would load torch again (seconds per call)."""
    from bot.cli import main

    saved = {name: os.environ.get(name) for name in env or {}}
    os.environ.update(env or {})
    saved_stdin, sys.stdin = sys.stdin, io.StringIO(stdin or "")
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
                code = exc.code if isinstance(exc.code, int) else 0
    finally:
        sys.stdin = saved_stdin
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return CliResult(code, out.getvalue(), err.getvalue())


def copy_threads(settings, folder: Path, names: tuple[str, ...]) -> Path:
    """A small corpus folder holding copies of the named demo threads."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(settings.corpus.corpus_dir / f"{name}.yml", folder)
    return folder


def devset(name: str) -> list[dict]:
    """One file of the labelled dev set."""
    return yaml.safe_load((DEVSET / f"{name}.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def settings():
    from bot.config import Settings

    return Settings.from_env()


@pytest.fixture(scope="session")
def corpus(settings):
    from bot.corpus import load_corpus

    return load_corpus(settings.corpus.corpus_dir)


@pytest.fixture(scope="session")
def embedder(settings):
    from bot.embedding import Embedder

    loaded = Embedder.load(settings.corpus.model)
    # Several modules run the same labelled sets (the assistant's gates, semantic triage, evaluation): each text
    # is encoded once per test run (as `bot eval --reuse-vectors` does; the same rates, tests/test_evaluation.py).
    loaded.recent_size = 100_000
    return loaded


@pytest.fixture(scope="session")
def built_index(settings, corpus, embedder):
    """The index for the demo corpus, built by this test run into AFTERCARE_INDEX_DIR."""
    from bot.index import build_index, save_index

    index = build_index(corpus, embedder, settings.corpus.index_text)
    save_index(index, _RUN_INDEX)
    return index


@pytest.fixture(scope="session")
def assistant(settings, built_index, embedder):
    from bot.assistant import Assistant

    return Assistant.load(settings, embedder)


@dataclass(frozen=True)
class EditableStack:
    """A stack serving its own copy of the demo corpus and index, which its tests change (reload, console)."""

    stack: object  # a scripts/stack.Stack
    corpus_dir: Path
    index_dir: Path
    env: dict[str, str]


@pytest.fixture(scope="session")
def editable_stack(tmp_path_factory, embedder, settings):
    """The three servers on their own corpus copy, index, database, reload token and console key, shared by the
    reload and console tests (each reads the corpus as it finds it: another may have published a thread)."""
    import uuid

    from bot.corpus import load_corpus
    from bot.index import CACHE_DIR, build_index, save_index
    from stack import MODEL, Stack, free_port

    if not MODEL.exists():
        pytest.fail(f"no trained Rasa model at {MODEL}: run `make train` (make test does it first)")
    work = tmp_path_factory.mktemp("editable")
    corpus_dir, index_dir = work / "answers", work / "index"
    shutil.copytree(settings.corpus.corpus_dir, corpus_dir)
    save_index(
        build_index(load_corpus(corpus_dir), embedder, settings.corpus.index_text, cache_dir=index_dir / CACHE_DIR),
        index_dir,
    )
    (work / "desk-secret").write_text(uuid.uuid4().hex * 2)  # a configured secret file must exist
    env = {
        "AFTERCARE_CORPUS_DIR": str(corpus_dir),
        "AFTERCARE_INDEX_DIR": str(index_dir),
        "AFTERCARE_RELOAD_TOKEN": "reload-" + uuid.uuid4().hex,
        "AFTERCARE_DESK_SECRET_FILE": str(work / "desk-secret"),
        "DATABASE_URL": f"sqlite:///{work / 'aftercare.db'}",
    }
    running = Stack(
        rasa_port=free_port(), action_port=free_port(), web_port=free_port(), workdir=work / "stack", env=env
    )
    running.start(timeout=300)
    yield EditableStack(running, corpus_dir, index_dir, env)
    running.stop()


@pytest.fixture(scope="session")
def stack(built_index, tmp_path_factory):
    """The real action server, Rasa server (trained model) and web app on free ports, shared by the
    end-to-end and browser tests that need no special configuration. Its database is SQLite in its workdir."""
    from stack import MODEL, Stack, free_port

    if not MODEL.exists():
        pytest.fail(f"no trained Rasa model at {MODEL}: run `make train` (make test does it first)")
    running = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        web_port=free_port(),
        workdir=tmp_path_factory.mktemp("stack"),
        env={"AFTERCARE_INDEX_DIR": str(_RUN_INDEX), "DATABASE_URL": ""},
    )
    running.env["DATABASE_URL"] = f"sqlite:///{running.workdir / 'aftercare.db'}"
    running.start(timeout=300)
    yield running
    running.stop()
