"""Shared fixtures: the real demo corpus, the real embedding model, an index built once per run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "devset"
sys.path.insert(0, str(ROOT / "scripts"))

# The action module loads its assistant at import, from these settings; point them at this run's index.
_RUN_INDEX = Path(os.environ.setdefault("AFTERCARE_INDEX_DIR", str(ROOT / "var" / "test-index")))


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

    return load_corpus(settings.corpus_dir)


@pytest.fixture(scope="session")
def embedder(settings):
    from bot.embedding import Embedder

    return Embedder.load(settings.model)


@pytest.fixture(scope="session")
def built_index(settings, corpus, embedder):
    """The index for the demo corpus, built by this test run into AFTERCARE_INDEX_DIR."""
    from bot.index import build_index, save_index

    index = build_index(corpus, embedder, settings.index_text)
    save_index(index, _RUN_INDEX)
    return index


@pytest.fixture(scope="session")
def assistant(settings, built_index, embedder):
    from bot.assistant import Assistant

    return Assistant.load(settings, embedder)
