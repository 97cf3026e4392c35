"""The thread index: one embedding per published thread in a FAISS inner-product index, saved with
the corpus hash and model id it was built from so a stale index is refused rather than served."""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from bot.corpus import Corpus, Thread
from bot.embedding import Embedder

INDEX_FILE = "threads.faiss"
META_FILE = "meta.json"
FORMAT_VERSION = 1
TEXT_MODES = ("question", "question+answers")


class StaleIndexError(Exception):
    """The saved index is missing or was built from another corpus, model or setting."""


@dataclass(frozen=True)
class IndexMeta:
    """What an index was built from."""

    corpus_hash: str
    model_id: str
    index_text: str
    thread_ids: tuple[str, ...]
    dimension: int
    built_at: float
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps({**self.__dict__, "thread_ids": list(self.thread_ids)}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "IndexMeta":
        data = json.loads(text)
        data["thread_ids"] = tuple(data["thread_ids"])
        return cls(**data)


@dataclass
class ThreadIndex:
    """A FAISS index whose row i is the thread `meta.thread_ids[i]`."""

    faiss_index: faiss.Index
    meta: IndexMeta

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k nearest threads to one unit query vector, as (thread id, cosine score), best first."""
        k = min(k, self.faiss_index.ntotal)
        scores, rows = self.faiss_index.search(query.reshape(1, -1), k)
        return [(self.meta.thread_ids[r], float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]


def thread_text(thread: Thread, mode: str) -> str:
    """The text embedded for a thread under an `index_text` mode."""
    if mode not in TEXT_MODES:
        raise ValueError(f"index_text must be one of {TEXT_MODES}, not {mode!r}")
    parts = [thread.question, *thread.phrasings]
    if mode == "question+answers":
        parts += [thread.body or ""] + [a.body for a in thread.answers]
    return "\n".join(p for p in parts if p)


def build_index(corpus: Corpus, embedder: Embedder, index_text: str, progress: bool = False) -> ThreadIndex:
    """Embed every published thread and put the vectors in an exact inner-product index."""
    threads = corpus.published
    vectors = embedder.encode([thread_text(t, index_text) for t in threads], progress=progress)
    index = faiss.IndexFlatIP(embedder.dimension)
    index.add(vectors)
    meta = IndexMeta(
        corpus_hash=corpus.content_hash,
        model_id=embedder.model_id,
        index_text=index_text,
        thread_ids=tuple(t.id for t in threads),
        dimension=embedder.dimension,
        built_at=time.time(),
    )
    return ThreadIndex(index, meta)


def save_index(index: ThreadIndex, folder: Path) -> None:
    """Write the index and its metadata; readers never see a half-written pair."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, write in (
        (INDEX_FILE, lambda p: faiss.write_index(index.faiss_index, p)),
        (META_FILE, lambda p: Path(p).write_text(index.meta.to_json(), encoding="utf-8")),
    ):
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        os.close(fd)
        write(tmp)
        os.replace(tmp, folder / name)


def read_meta(folder: Path) -> IndexMeta | None:
    """The metadata of the index in `folder`, or None if there is none."""
    path = Path(folder) / META_FILE
    if not path.exists() or not (Path(folder) / INDEX_FILE).exists():
        return None
    try:
        return IndexMeta.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, TypeError, KeyError):
        return None


def staleness(meta: IndexMeta | None, corpus: Corpus, model_id: str, index_text: str) -> str | None:
    """Why an index with `meta` cannot serve this corpus and settings, or None if it can."""
    if meta is None:
        return "no index has been built"
    if meta.format_version != FORMAT_VERSION:
        return "the index was written by another version of the assistant"
    if meta.corpus_hash != corpus.content_hash:
        return "the answer corpus has changed since the index was built"
    if meta.model_id != model_id:
        return f"the index was built with model {meta.model_id!r}, not {model_id!r}"
    if meta.index_text != index_text:
        return f"the index embeds {meta.index_text!r}, but the setting is {index_text!r}"
    return None


def load_index(folder: Path, corpus: Corpus, model_id: str, index_text: str) -> ThreadIndex:
    """Load the saved index, refusing one that does not match the corpus and settings."""
    meta = read_meta(folder)
    reason = staleness(meta, corpus, model_id, index_text)
    if reason:
        raise StaleIndexError(f"Cannot use the index in {folder}: {reason}. Rebuild it with `bot index` (or `make index`).")
    return ThreadIndex(faiss.read_index(str(Path(folder) / INDEX_FILE)), meta)
