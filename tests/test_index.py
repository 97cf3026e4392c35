import shutil

import numpy as np
import pytest

from bot.corpus import load_corpus
from bot.index import StaleIndexError, build_index, load_index, read_meta, save_index, thread_text


@pytest.fixture()
def small_corpus(tmp_path, settings):
    folder = tmp_path / "answers"
    folder.mkdir()
    for name in ("botox-exercise", "filler-lip-swelling", "surgery-flying"):
        shutil.copy(settings.corpus_dir / f"{name}.yml", folder)
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
    assert thread_text(thread, "question") == thread.question
    assert thread.answers[0].body in thread_text(thread, "question+answers")
    with pytest.raises(ValueError):
        thread_text(thread, "everything")
