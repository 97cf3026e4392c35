"""A deterministic stand-in for the sentence-transformers model, for the unit tests of the index and the
embedding cache: what they check (which texts get embedded, what is stored, stale detection, round trips)
does not depend on what the vectors mean. Word overlap still ranks texts, so a search finds its thread."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from bot.embedding import Embedder

DIMENSION = 64


class HashModel:
    """Each word adds one at its hashed coordinate; vectors are L2-normalised as the real model's are."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def get_embedding_dimension(self) -> int:
        return DIMENSION

    def encode(self, texts, normalize_embeddings=True, **_):
        self.calls.append(list(texts))
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                vectors[row, int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIMENSION] += 1.0
            vectors[row, 0] += 1e-3  # no all-zero vector, even for an empty text
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True) if normalize_embeddings else vectors


def hash_embedder(model_id: str = "hash-embedder") -> Embedder:
    """An Embedder over HashModel: the project's encode path (recent-vectors cache included), no torch."""
    return Embedder(model_id, HashModel())
