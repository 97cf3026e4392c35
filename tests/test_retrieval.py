from bot.retrieval import Candidate, Thresholds, decide, rank

T = Thresholds(answer=0.4, clarify_margin=0.03, treatment_margin=0.15)


def cands(corpus, *pairs):
    return [Candidate(corpus.get(tid), score, score) for tid, score in pairs]


def test_rank_lifts_threads_of_the_named_treatment(corpus):
    hits = [("botox-exercise", 0.60), ("filler-exercise", 0.58)]
    ranked = rank(hits, corpus, "filler", boost=0.08)
    assert [c.thread.id for c in ranked] == ["filler-exercise", "botox-exercise"]
    assert ranked[0].similarity == 0.58 and abs(ranked[0].score - 0.66) < 1e-9


def test_rank_skips_unknown_ids(corpus):
    assert rank([("no-such-thread", 0.9)], corpus, None, 0.08) == []


def test_answer_when_clear_winner(corpus):
    decision, chosen = decide(cands(corpus, ("botox-exercise", 0.7), ("botox-alcohol", 0.5)), T, treatment_known=True)
    assert decision == "answer" and chosen[0].thread.id == "botox-exercise"


def test_fallback_below_threshold(corpus):
    assert decide(cands(corpus, ("botox-exercise", 0.39)), T, treatment_known=True) == ("fallback", [])
    assert decide([], T, treatment_known=False) == ("fallback", [])


def test_clarify_between_close_threads(corpus):
    decision, chosen = decide(cands(corpus, ("botox-lying-down", 0.60), ("botox-sleep-position", 0.59)), T, True)
    assert decision == "clarify" and len(chosen) == 2


def test_clarify_treatment_when_none_named(corpus):
    candidates = cands(
        corpus, ("botox-exercise", 0.60), ("filler-exercise", 0.50), ("peel-exercise", 0.46), ("botox-alcohol", 0.44)
    )
    decision, chosen = decide(candidates, T, treatment_known=False)
    assert decision == "clarify" and [c.thread.id for c in chosen] == [
        "botox-exercise",
        "filler-exercise",
        "peel-exercise",
    ]
    # The same scores with the treatment known: answer.
    assert decide(candidates, T, treatment_known=True)[0] == "answer"


def test_general_threads_need_no_treatment(corpus):
    decision, _ = decide(cands(corpus, ("arnica-bruising", 0.7), ("filler-bruising", 0.6)), T, treatment_known=False)
    assert decision == "answer"
