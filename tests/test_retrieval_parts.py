"""Pure parts of bot/retrieval.py added for `parts` scoring and the topic check (no model needed)."""

import numpy as np

from bot.retrieval import ThreadParts, on_topic, part_texts, topics


def test_parts_score_weighs_the_question_against_the_best_answer():
    parts = ThreadParts(
        ids=("a", "b"),
        question=np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32),
        answers=np.array([[0.0, 1.0], [1.0, 0.0], [0.6, 0.8]], dtype=np.float32),
        owner=np.array([0, 0, 1]),
    )
    query = np.array([1.0, 0.0], dtype=np.float32)
    # a: 0.3 * 1 + 0.7 * max(0, 1) = 1.0; b: 0.3 * 0 + 0.7 * 0.6 = 0.42
    assert np.allclose(parts.scores(query, 0.3), [1.0, 0.42])
    assert np.allclose(parts.scores(query, 0.3, np.array([1])), [0.42])


def test_part_texts_keep_phrasings_with_the_question(corpus):
    threads = corpus.published[:2]
    questions, answers, owner = part_texts(threads)
    assert questions[0].startswith(threads[0].question)
    assert all(p in questions[0] for p in threads[0].phrasings)
    assert len(answers) == len(owner) == sum(len(t.answers) for t in threads)


def test_topics():
    assert topics("can i fly after my bbl") == {"flying"}
    assert topics("one glass of wine and a sauna?") == {"alcohol", "sauna"}
    assert topics("how long will my lips stay swollen") == set()
    assert topics("flyer") == set()  # whole words only
    assert topics("a few drinks after my nose job?") == {"alcohol"}
    assert topics("on the plane keep drinking water") == {"flying"}  # water is no alcohol
    assert topics("can i still go for a run before my filler") == topics("skip my morning run?") == {"exercise"}
    assert topics("will my botox run out faster") == set()  # running out is no exercise


def test_on_topic_keeps_threads_about_the_topic(corpus):
    from bot.retrieval import Candidate

    ranked = [Candidate(corpus.get(i), 0.5, 0.5) for i in ("ipl-dark-spots", "surgery-flying")]
    assert [c.thread.id for c in on_topic(ranked, {"flying"})] == ["surgery-flying"]
    assert on_topic(ranked, set()) == ranked
