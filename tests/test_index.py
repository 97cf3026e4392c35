import json

import faiss
import numpy as np
import pytest

from bot.corpus import load_corpus
from bot.index import (
    FLAT_MAX_THREADS,
    KEEP_VERSIONS,
    META_FILE,
    VERSIONS_DIR,
    StaleIndexError,
    build_index,
    choose_index_type,
    index_file,
    load_index,
    make_faiss_index,
    read_meta,
    save_index,
    staleness,
    thread_text,
)
from conftest import copy_threads
from hash_embedder import hash_embedder


@pytest.fixture()
def embedder():
    """The hash stand-in (tests/hash_embedder.py): what is embedded and stored is under test, not meaning."""
    return hash_embedder()


@pytest.fixture()
def small_corpus(tmp_path, settings):
    folder = copy_threads(settings, tmp_path / "answers", ("botox-exercise", "filler-lip-swelling", "surgery-flying"))
    return folder


def test_build_save_load_search(tmp_path, small_corpus, embedder):
    corpus = load_corpus(small_corpus)
    index = build_index(corpus, embedder, "question+answers")
    save_index(index, tmp_path / "index")
    loaded = load_index(tmp_path / "index", corpus, embedder.model_id, "question+answers")
    assert loaded.meta.thread_ids == index.meta.thread_ids
    query = embedder.encode(["how soon can I fly home after my operation"])[0]
    hits = loaded.search(query, k=10)
    assert hits[0][0] == "surgery-flying" and len(hits) == 3
    assert hits[0][1] > hits[1][1]


def test_vectors_are_unit_length(embedder):
    vectors = embedder.encode(["one", "two words"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_refuses_missing_index(tmp_path, small_corpus, embedder):
    with pytest.raises(StaleIndexError, match="no index has been built.*bot index"):
        load_index(tmp_path / "nothing", load_corpus(small_corpus), embedder.model_id, "question+answers")


def test_refuses_index_of_a_changed_corpus(tmp_path, small_corpus, embedder):
    corpus = load_corpus(small_corpus)
    save_index(build_index(corpus, embedder, "question+answers"), tmp_path / "index")
    (small_corpus / "surgery-flying.yml").write_text(
        (small_corpus / "surgery-flying.yml").read_text().replace("1 week", "10 days", 1)
    )
    with pytest.raises(StaleIndexError, match="corpus has changed"):
        load_index(tmp_path / "index", load_corpus(small_corpus), embedder.model_id, "question+answers")


def test_refuses_index_of_another_model_or_text_mode(tmp_path, small_corpus, embedder):
    corpus = load_corpus(small_corpus)
    save_index(build_index(corpus, embedder, "question+answers"), tmp_path / "index")
    with pytest.raises(StaleIndexError, match="built with model"):
        load_index(tmp_path / "index", corpus, "some-other-model", "question+answers")
    with pytest.raises(StaleIndexError, match="embeds 'question\\+answers'"):
        load_index(tmp_path / "index", corpus, embedder.model_id, "question")


def test_unreadable_metadata_counts_as_no_index(tmp_path, small_corpus, embedder):
    corpus = load_corpus(small_corpus)
    save_index(build_index(corpus, embedder, "question"), tmp_path / "index")
    (tmp_path / "index" / "meta.json").write_text("{not json")
    assert read_meta(tmp_path / "index") is None


def test_drafts_are_not_indexed(tmp_path, small_corpus, embedder):
    path = small_corpus / "surgery-flying.yml"
    path.write_text(path.read_text().replace("status: published", "status: draft"))
    index = build_index(load_corpus(small_corpus), embedder, "question")
    assert "surgery-flying" not in index.meta.thread_ids


def test_thread_text_modes(corpus):
    thread = corpus.get("botox-exercise")
    assert thread.phrasings, "the demo threads carry alternate phrasings"
    assert thread_text(thread, "question") == "\n".join([thread.question, *thread.phrasings])
    assert thread.answers[0].body in thread_text(thread, "question+answers")
    assert thread.answers[0].body not in thread_text(thread, "question")
    with pytest.raises(ValueError):
        thread_text(thread, "everything")


# --- index types, versioned atomic saves, unreadable files ---------------------------------------------


def test_index_type_follows_size_and_setting():
    assert choose_index_type(50) == "flat"
    assert choose_index_type(FLAT_MAX_THREADS) == "flat"
    assert choose_index_type(FLAT_MAX_THREADS + 1) == "hnsw"
    assert choose_index_type(50, "hnsw") == "hnsw" and choose_index_type(10**6, "flat") == "flat"
    with pytest.raises(ValueError, match="index_type must be one of auto, flat, hnsw, ivf"):
        choose_index_type(50, "annoy")


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_every_index_type_round_trips(tmp_path, small_corpus, embedder, kind):
    corpus = load_corpus(small_corpus)
    index = build_index(corpus, embedder, "question+answers", index_type=kind)
    assert index.meta.index_type == kind
    save_index(index, tmp_path / "index")
    assert json.loads((tmp_path / "index" / META_FILE).read_text())["index_type"] == kind
    loaded = load_index(tmp_path / "index", corpus, embedder.model_id, "question+answers")
    assert loaded.meta.index_type == kind and loaded.faiss_index.ntotal == 3
    assert type(faiss.downcast_index(loaded.faiss_index)) is type(faiss.downcast_index(index.faiss_index))
    query = embedder.encode(["how soon can I fly home after my operation"])[0]
    hits = loaded.search(query, k=10)
    assert [h[0] for h in hits] == [h[0] for h in index.search(query, k=10)]
    assert hits[0][0] == "surgery-flying" and len(hits) == 3
    stored = loaded.faiss_index.reconstruct_n(0, 3)  # bot eval reads the served vectors back
    assert np.allclose(stored, index.faiss_index.reconstruct_n(0, 3), atol=1e-3)


def _clustered(n, dim=64, seed=1):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n // 50, dim)).astype(np.float32)
    x = centres[rng.integers(0, len(centres), n)] + rng.standard_normal((n, dim)).astype(np.float32) / np.sqrt(dim)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_types_find_the_exact_neighbours(kind):
    vectors, queries = _clustered(5000), _clustered(5100)[5000:]  # same centres, new draws
    exact = make_faiss_index(vectors, "flat")
    approx = make_faiss_index(vectors, kind)
    from bot.index import configure_search

    configure_search(approx, kind)
    _, want = exact.search(queries, 10)
    _, got = approx.search(queries, 10)
    recall = np.mean([len(set(g) & set(w)) / 10 for g, w in zip(got, want)])
    assert recall >= 0.95, recall


def test_save_switches_versions_atomically_and_keeps_the_previous(tmp_path, small_corpus, embedder):
    corpus = load_corpus(small_corpus)
    folder = tmp_path / "index"
    save_index(build_index(corpus, embedder, "question"), folder)
    first = read_meta(folder)
    first_file = index_file(folder, first)
    # A reader that read meta.json just before the next save can still open the file it names.
    save_index(build_index(corpus, embedder, "question+answers"), folder)
    second = read_meta(folder)
    assert second.version != first.version and second.index_text == "question+answers"
    assert first_file.exists() and faiss.read_index(str(first_file)).ntotal == 3
    for _ in range(KEEP_VERSIONS + 2):
        save_index(build_index(corpus, embedder, "question"), folder)
    kept = sorted(p.name for p in (folder / VERSIONS_DIR).iterdir())
    assert len(kept) == KEEP_VERSIONS + 1 and read_meta(folder).version in kept
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_refuses_an_unreadable_index_file(tmp_path, small_corpus, embedder):
    corpus = load_corpus(small_corpus)
    save_index(build_index(corpus, embedder, "question"), tmp_path / "index")
    index_file(tmp_path / "index", read_meta(tmp_path / "index")).write_bytes(b"half an ind")
    with pytest.raises(StaleIndexError, match="index file cannot be read.*bot index"):
        load_index(tmp_path / "index", corpus, embedder.model_id, "question")


def test_refuses_an_index_of_the_old_layout(tmp_path, small_corpus, embedder):
    corpus = load_corpus(small_corpus)
    folder = tmp_path / "index"
    folder.mkdir()
    index = build_index(corpus, embedder, "question")
    faiss.write_index(index.faiss_index, str(folder / "threads.faiss"))
    old = {k: v for k, v in json.loads(index.meta.to_json()).items() if k not in ("index_type", "version")}
    (folder / META_FILE).write_text(json.dumps({**old, "format_version": 1}))
    assert "another version" in staleness(read_meta(folder), corpus, embedder.model_id, "question")
