"""The embedding cache: a rebuild embeds only new or changed thread texts (hash embedder, counted)."""

import numpy as np
import pytest

from bot.corpus import load_corpus
from bot.embedding_cache import cache_file, encode_cached, read_cache
from bot.index import build_index, thread_text
from conftest import copy_threads
from hash_embedder import hash_embedder


class Counting:
    """An embedder, counting the texts it is asked to embed."""

    def __init__(self, embedder, model_id=None):
        self.inner, self.texts = embedder, 0
        self.model_id = model_id or embedder.model_id

    @property
    def dimension(self):
        return self.inner.dimension

    def encode(self, texts, batch_size=32, progress=False):
        self.texts += len(texts)
        return self.inner.encode(texts, batch_size=batch_size, progress=progress)


@pytest.fixture()
def embedder():
    """The hash stand-in (tests/hash_embedder.py): what is embedded and stored is under test, not meaning."""
    return hash_embedder()


@pytest.fixture()
def corpus_dir(tmp_path, settings):
    folder = copy_threads(
        settings, tmp_path / "answers", ("botox-exercise", "filler-lip-swelling", "surgery-flying", "botox-flying")
    )
    return folder


def build(corpus_dir, cache, embedder):
    counting = Counting(embedder)
    index = build_index(load_corpus(corpus_dir), counting, "question+answers", cache_dir=cache)
    return index, counting.texts


def test_rebuild_embeds_only_what_changed(tmp_path, corpus_dir, embedder):
    cache = tmp_path / "cache"
    index, embedded = build(corpus_dir, cache, embedder)
    assert embedded == 4 and (index.stats.embedded, index.stats.reused, index.stats.removed) == (4, 0, 0)

    index, embedded = build(corpus_dir, cache, embedder)
    assert embedded == 0 and (index.stats.reused, index.stats.removed) == (4, 0)

    path = corpus_dir / "surgery-flying.yml"
    path.write_text(path.read_text().replace("Wait at least 1 week", "Wait at least 10 days", 1))  # an answer body
    index, embedded = build(corpus_dir, cache, embedder)
    assert embedded == 1 and (index.stats.embedded, index.stats.reused, index.stats.removed) == (1, 3, 1)

    (corpus_dir / "botox-flying.yml").unlink()
    index, embedded = build(corpus_dir, cache, embedder)
    assert embedded == 0 and (index.stats.reused, index.stats.removed) == (3, 1)
    assert "botox-flying" not in index.meta.thread_ids


def test_cached_vectors_equal_fresh_ones(tmp_path, corpus_dir, embedder):
    corpus = load_corpus(corpus_dir)
    texts = [thread_text(t, "question+answers") for t in corpus.published]
    encode_cached(texts, embedder, tmp_path / "cache")
    counting = Counting(embedder)
    reused, stats = encode_cached(texts, counting, tmp_path / "cache")
    assert counting.texts == 0 and stats.reused == 4
    assert np.allclose(reused, embedder.encode(texts), atol=1e-5)


def test_another_model_never_reuses_vectors(tmp_path, corpus_dir, embedder):
    texts = [thread_text(t, "question") for t in load_corpus(corpus_dir).published]
    encode_cached(texts, embedder, tmp_path / "cache")
    other = Counting(embedder, model_id="another-model")
    _, stats = encode_cached(texts, other, tmp_path / "cache")
    assert other.texts == 4 and stats.reused == 0
    assert cache_file(tmp_path / "cache", "another-model") != cache_file(tmp_path / "cache", embedder.model_id)


def test_same_text_twice_is_embedded_once(tmp_path, embedder):
    counting = Counting(embedder)
    vectors, stats = encode_cached(["same text", "same text", "other"], counting, tmp_path / "cache")
    assert counting.texts == 2 and vectors.shape == (3, embedder.dimension)
    assert np.array_equal(vectors[0], vectors[1])


def test_damaged_cache_is_rebuilt_not_fatal(tmp_path, embedder):
    folder = tmp_path / "cache"
    encode_cached(["one", "two"], embedder, folder)
    cache_file(folder, embedder.model_id).write_bytes(b"PK\x03\x04 not really a zip")
    assert read_cache(folder, embedder.model_id) == {}
    counting = Counting(embedder)
    _, stats = encode_cached(["one", "two"], counting, folder)
    assert counting.texts == 2 and stats.embedded == 2
    assert len(read_cache(folder, embedder.model_id)) == 2
    assert [p.name for p in folder.iterdir()] == [cache_file(folder, embedder.model_id).name]  # no temp files
