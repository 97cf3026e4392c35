"""Vectors of texts already embedded, so a rebuild embeds only new or changed thread texts.

Keyed by SHA-256 of the model id and the exact text, so an edit, another model or another
`index_text` mode never reuses a wrong vector. One `.npz` file per model under the index folder's
`embeddings/`, rewritten atomically (temporary file, then rename) after each build.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class EmbedStats:
    """How a build got its vectors: embedded now, reused from the cache, dropped from the cache."""

    embedded: int
    reused: int
    removed: int


class TextEncoder(Protocol):
    model_id: str

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray: ...


def text_key(model_id: str, text: str) -> bytes:
    """The cache key of `text` embedded by `model_id`: 32 bytes of SHA-256."""
    return hashlib.sha256(model_id.encode("utf-8") + b"\0" + text.encode("utf-8")).digest()


def cache_file(folder: Path, model_id: str) -> Path:
    """The cache file of one model in `folder`."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model_id)[-40:].strip("-.") or "model"
    return Path(folder) / f"{slug}-{hashlib.sha256(model_id.encode()).hexdigest()[:12]}.npz"


def read_cache(folder: Path, model_id: str) -> dict[bytes, np.ndarray]:
    """The cached vectors of `model_id` by key; empty when there is no cache or it cannot be read."""
    path = cache_file(folder, model_id)
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return {}  # a missing or damaged cache only costs re-embedding
    if keys.ndim != 2 or keys.shape[1] != 32 or vectors.ndim != 2 or len(keys) != len(vectors):
        return {}
    return {bytes(k): v for k, v in zip(keys, vectors)}


def write_cache(folder: Path, model_id: str, entries: dict[bytes, np.ndarray]) -> None:
    """Replace the cache of `model_id` with `entries`, atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    keys = np.frombuffer(b"".join(entries), dtype=np.uint8).reshape(-1, 32)
    vectors = np.stack(list(entries.values())).astype(np.float32) if entries else np.zeros((0, 0), np.float32)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".cache.", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, keys=keys, vectors=vectors)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, cache_file(folder, model_id))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def encode_cached(
    texts: list[str], embedder: TextEncoder, folder: Path, progress: bool = False
) -> tuple[np.ndarray, EmbedStats]:
    """Vectors for `texts`, embedding only those not cached; the cache then holds exactly these texts."""
    cached = read_cache(folder, embedder.model_id)
    keys = [text_key(embedder.model_id, t) for t in texts]
    missing: dict[bytes, str] = {}
    for key, text in zip(keys, texts):
        if key not in cached:
            missing.setdefault(key, text)  # the same text twice is embedded once
    if missing:
        fresh = embedder.encode(list(missing.values()), progress=progress)
        cached.update(zip(missing, fresh))
    wanted = dict.fromkeys(keys)
    removed = sum(1 for key in cached if key not in wanted)
    kept = {key: cached[key] for key in wanted}
    if missing or removed or not cache_file(folder, embedder.model_id).exists():
        write_cache(folder, embedder.model_id, kept)
    vectors = np.stack([kept[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, 0), np.float32)
    stats = EmbedStats(embedded=len(missing), reused=len(wanted) - len(missing), removed=removed)
    return np.ascontiguousarray(vectors), stats
