"""`bot eval`: the metric arithmetic on synthetic outcomes, the systems on a tiny labelled set
(tests/fixtures/eval) and the command on the real dev set."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from bot import retrieval
from bot.assistant import Assistant
from bot.evaluation import LabelledSetError, Trials, evaluate, load_set, metrics, score, unknown_threads, variants
from bot.evaluation.lineup import standard_systems
from bot.evaluation.systems import (
    BM25,
    NO_FRAME,
    PIPELINE,
    QUESTION_VECTORS,
    TOPIC_CHECK,
    TREATMENT_BLIND,
    WHOLE_THREADS,
    System,
    Trial,
    treatment_blind,
)
from bot.evaluation.variants import HYBRID, MULTI_FILTER, MULTI_VECTOR, TREATMENT_FILTER
from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "eval"
BOT = Path(sys.executable).parent / "bot"
RATES = (
    "hit_at_1",
    "hit_at_3",
    "mrr",
    "clarify_rate",
    "fallback_precision",
    "fallback_recall",
    "urgent_recall",
    "false_alarm_rate",
    "answered_precision",
    "clarify_rate_questions",
    "urgent_recall_at_level",
)
DECISION_RATES = RATES[3:]
SYSTEMS = [
    PIPELINE,
    NO_FRAME,
    TREATMENT_BLIND,
    BM25,
    WHOLE_THREADS,
    QUESTION_VECTORS,
    TOPIC_CHECK,
    MULTI_VECTOR,
    HYBRID,
    TREATMENT_FILTER,
    MULTI_FILTER,
]


def run_bot(*args):
    return run_cli(*args)


# --- metric functions --------------------------------------------------------------------------------


def test_ranks_hits_and_mrr():
    assert metrics.rank_of(("a", "b", "c"), "b") == 2
    assert metrics.rank_of(("a", "b"), "z") is None and metrics.rank_of((), "a") is None
    ranks = [1, 2, None, 4]
    assert metrics.hit_at(ranks, 1) == 0.25
    assert metrics.hit_at(ranks, 3) == 0.5
    assert metrics.mrr(ranks) == pytest.approx((1 + 1 / 2 + 0 + 1 / 4) / 4)
    assert metrics.hit_at([], 1) is None and metrics.mrr([]) is None


def test_fallback_precision_and_recall():
    # 2 of 4 unanswerable messages fall back, and so does 1 ordinary question.
    on_questions, on_unanswerable = ["answer", "fallback", "clarify"], ["fallback", "fallback", "answer", "clarify"]
    p, r = metrics.fallback_precision_recall(on_questions, on_unanswerable)
    assert p == pytest.approx(2 / 3) and r == 0.5
    # No fallback at all: precision is undefined, recall is 0.
    assert metrics.fallback_precision_recall(["answer"], ["answer"]) == (None, 0.0)
    assert metrics.fallback_precision_recall(["fallback"], []) == (0.0, None)


def test_escalation():
    assert metrics.escalated("emergency", "urgent", "clinic_now")  # urgent, though below its level
    assert not metrics.at_level("emergency", "clinic_now")
    assert not metrics.escalated("clinic_now", "answer", "clinic_soon")
    assert metrics.escalated("clinic_soon", "answer", "clinic_soon") and metrics.at_level("clinic_soon", "emergency")
    assert not metrics.escalated("clinic_soon", "answer", None)


def test_share_and_median():
    assert metrics.share([True, False, False, True]) == 0.5 and metrics.share([]) is None
    assert metrics.p50([3.0, 1.0, 2.0]) == 2.0 and metrics.p50([]) is None


# --- variant scoring functions, on synthetic inputs ------------------------------------------------


def test_max_per_owner_takes_each_threads_best_vector():
    best = retrieval.max_per_owner(np.array([0.2, 0.7, 0.1, -0.3, 0.4]), [0, 0, 2, 2, 0], 3)
    assert best[0] == pytest.approx(0.7) and best[2] == pytest.approx(0.1)
    assert best[1] == -np.inf  # a thread with no vector never wins


def test_question_and_best_answer_weighs_the_question_against_the_best_answer():
    question = np.array([0.5, 0.9])
    answers, owners = np.array([0.2, 0.6, 0.3]), [0, 0, 1]
    scores = retrieval.question_and_best_answer(question, answers, owners, 2, weight=0.3)
    assert scores == pytest.approx([0.3 * 0.5 + 0.7 * 0.6, 0.3 * 0.9 + 0.7 * 0.3])
    # weight 1 is question-only scoring; weight 0 the best answer alone.
    assert retrieval.question_and_best_answer(question, answers, owners, 2, 1.0) == pytest.approx(question)
    assert retrieval.question_and_best_answer(question, answers, owners, 2, 0.0) == pytest.approx([0.6, 0.3])


def test_saturate_is_a_fixed_scale_not_per_message():
    assert variants.saturate(np.array([0.0, 5.0, 15.0, -1.0]), half=5.0) == pytest.approx([0.0, 0.5, 0.75, 0.0])
    # The same raw score maps to the same value whatever else the message matched.
    assert variants.saturate(np.array([5.0, 100.0]), 5.0)[0] == variants.saturate(np.array([5.0, 1.0]), 5.0)[0]
    assert variants.weighted_sum(np.array([0.4, 0.5]), np.array([0.5, 0.0]), 0.2) == pytest.approx([0.5, 0.5])


def test_applicable_mask_follows_applies_to():
    threads = [("filler",), ("general",), ("neuromodulator", "filler"), ("surgery_general",), ("laser",)]
    assert variants.applicable_mask(threads, "filler").tolist() == [True, True, True, False, False]
    assert variants.applicable_mask(threads, "rhinoplasty").tolist() == [False, True, False, True, False]
    assert variants.applicable_mask(threads, None).all()


def test_top_hits_orders_cuts_and_filters():
    ids, scores = ("a", "b", "c", "d"), np.array([0.3, 0.9, 0.3, 0.5])
    assert variants.top_hits(ids, scores, 3) == [("b", 0.9), ("d", 0.5), ("a", 0.3)]  # ties keep corpus order
    keep = np.array([True, False, True, False])
    assert [i for i, _ in variants.top_hits(ids, scores, 5, keep)] == ["a", "c"]
    assert variants.top_hits(ids, scores, 2, np.zeros(4, dtype=bool)) == []


# --- scoring, on scripted outcomes -------------------------------------------------------------------


def _trial(ranked=(), decision=None, urgency=None, ms=1.0):
    return Trial(tuple(ranked), decision, urgency, ms)


def _scripted(labelled) -> Trials:
    gold = [q.thread for q in labelled.questions]
    return Trials(
        questions=[
            _trial([gold[0], "x"], "answer", ms=1),  # rank 1
            _trial(["x", gold[1]], "clarify", ms=2),  # rank 2
            _trial(["x", "y", "z"], "fallback", ms=3),  # not ranked
            _trial([gold[3]], "answer", ms=4),  # rank 1
            _trial(["x", "y", gold[4]], "urgent", urgency="clinic_now", ms=5),  # rank 3, a false alarm
            _trial([gold[5]], "answer", ms=6),  # rank 1
        ],
        red_flags=[_trial(decision="urgent", urgency="clinic_now", ms=7), _trial(decision="answer", ms=8)],
        unanswerable=[_trial(["x"], "fallback", ms=9), _trial(["x"], "answer", ms=10)],
        clarify=[_trial(["x"], "clarify", ms=11), _trial(decision="fallback", ms=12)],
    )


def test_score_arithmetic_on_known_outcomes():
    labelled = load_set(FIXTURE)
    row = score(System("scripted", lambda m, t: _trial()), _scripted(labelled), labelled)
    assert (row.hit_at_1, row.hit_at_3) == (pytest.approx(3 / 6), pytest.approx(5 / 6))
    assert row.mrr == pytest.approx((1 + 1 / 2 + 0 + 1 + 1 / 3 + 1) / 6)
    assert row.clarify_rate == 0.5 and row.clarify_rate_questions == pytest.approx(1 / 6)
    # Fallbacks: 1 on an unanswerable message, 1 on a question; 1 of 2 unanswerable caught.
    assert (row.fallback_precision, row.fallback_recall) == (0.5, 0.5)
    # The emergency got "urgent" (at clinic_now level); the clinic_soon item got no flag.
    assert row.urgent_recall == 0.5 and row.urgent_recall_at_level == 0.0
    assert row.false_alarm_rate == pytest.approx(1 / 6)
    assert row.p50_ms == 6.5


def test_a_ranking_only_system_has_no_decision_metrics():
    labelled = load_set(FIXTURE)
    row = score(System("ranker", lambda m, t: _trial(), decides=False), _scripted(labelled), labelled)
    assert row.hit_at_1 == pytest.approx(0.5) and row.p50_ms == 6.5
    assert all(getattr(row, name) is None for name in DECISION_RATES)


# --- the labelled set --------------------------------------------------------------------------------


def test_load_set(corpus):
    labelled = load_set(FIXTURE)
    assert labelled.counts() == {"questions": 6, "red_flags": 2, "unanswerable": 2, "clarify": 2}
    assert labelled.questions[1].treatment == "filler" and labelled.questions[0].treatment is None
    assert labelled.clarify[0].threads == ("botox-exercise", "filler-exercise")
    assert unknown_threads(labelled, corpus) == []
    assert unknown_threads(load_set(ROOT / "tests" / "devset"), corpus) == []


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("red_flags", "- text: chest pain\n  urgency: soonish\n", "red_flags.yml: item 1: urgency: must be one of"),
        ("questions", "- text: gym after botox?\n", "questions.yml: item 1: thread: required"),
        ("clarify", None, "clarify.yml: \\(file\\): a labelled set needs this file"),
        ("unanswerable", "text: [", "unanswerable.yml: \\(file\\): not valid YAML"),
    ],
)
def test_load_set_names_what_is_wrong(tmp_path, name, text, message):
    for file in FIXTURE.glob("*.yml"):
        (tmp_path / file.name).write_text(file.read_text())
    if text is None:
        (tmp_path / f"{name}.yml").unlink()
    else:
        (tmp_path / f"{name}.yml").write_text(text)
    with pytest.raises(LabelledSetError, match=message):
        load_set(tmp_path)


# --- the systems on the tiny set ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_rows(assistant):
    return {row.system: row for row in evaluate(standard_systems(assistant), load_set(FIXTURE))}


def test_pipeline_scores_on_the_tiny_set(fixture_rows):
    row = fixture_rows[PIPELINE]
    assert (row.hit_at_1, row.hit_at_3, row.mrr) == (1.0, 1.0, 1.0)
    # asks about both: which injections, and whose results (Botox or Radiesse; question + best answer scoring)
    assert row.clarify_rate == 1.0
    assert (row.fallback_precision, row.fallback_recall) == (1.0, 0.5)  # "dye my hair after botox" is answered
    assert (row.urgent_recall, row.urgent_recall_at_level, row.false_alarm_rate) == (1.0, 1.0, 0.0)
    assert row.p50_ms > 0


def test_baselines_on_the_tiny_set(fixture_rows):
    assert list(fixture_rows) == SYSTEMS
    # Only one question needs the treatment from context; without it its thread is not ranked first.
    assert fixture_rows[TREATMENT_BLIND].hit_at_1 == pytest.approx(5 / 6)
    assert fixture_rows[TREATMENT_BLIND].urgent_recall == 1.0  # triage is the same
    bm25 = fixture_rows[BM25]
    assert bm25.hit_at_1 is not None and all(getattr(bm25, name) is None for name in DECISION_RATES)


def test_variants_on_the_tiny_set(fixture_rows):
    for name in SYSTEMS[4:]:
        row = fixture_rows[name]
        assert row.urgent_recall == 1.0 and row.false_alarm_rate == 0.0, name  # triage is the same
        assert all(0.0 <= getattr(row, field) <= 1.0 for field in ("hit_at_1", "hit_at_3", "mrr")), name


def test_a_variant_with_the_served_scores_is_the_whole_thread_pipeline(assistant):
    # Scoring every thread with the served vectors and taking the top k is what the FAISS search does; the
    # filter is the pipeline's treatment filter. (Messages without an everyday topic: no topic check.)
    vectors = variants.ThreadVectors.encode(assistant)
    same = variants.variant_assistant(
        assistant, variants.served_scorer(vectors), filter_treatment=True, answer_threshold=0.40
    )
    whole = Assistant(
        assistant.settings.with_values(thread_scoring="whole", answer_threshold=0.40),
        assistant.corpus,
        assistant.index,
        assistant.embedder,
        assistant.vocabulary,
    )
    for message, treatment in (
        ("how long will it stay swollen?", "filler"),
        ("is this lump normal after my filler", None),
    ):
        # The pipeline filters FAISS's top k, the variant takes the top k of the applicable threads: the same
        # order, the variant's list longer.
        served = [c.thread.id for c in whole.candidates(message, treatment)]
        assert served and [c.thread.id for c in same.candidates(message, treatment)][: len(served)] == served
        assert same.ask(message, treatment).decision == whole.ask(message, treatment).decision


def test_the_treatment_filter_keeps_only_applicable_threads(assistant):
    vectors = variants.ThreadVectors.encode(assistant)
    filtered = variants.variant_assistant(assistant, variants.served_scorer(vectors), filter_treatment=True)
    ranked = filtered.candidates("when can I work out?", "filler")
    assert ranked and all(variants.applies_to(c.thread.treatments, "filler") for c in ranked)


def test_treatment_blind_retrieval_ignores_the_context(assistant):
    blind = treatment_blind(assistant)
    trial = blind.run("when can I work out?", "filler")
    assert trial.ranked == tuple(c.thread.id for c in assistant.candidates("when can I work out?", None))


# --- the command (it reads the index this run built, in AFTERCARE_INDEX_DIR) ---------------------------


@pytest.mark.usefixtures("built_index")
@pytest.mark.slow
def test_eval_json_on_the_dev_set():
    result = run_bot("eval", "--json", "--reuse-vectors")  # the same rates, a quarter of the time
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["counts"] == {"questions": 213, "red_flags": 85, "unanswerable": 53, "clarify": 28}
    rows = {row["system"]: row for row in data["rows"]}
    assert list(rows) == SYSTEMS
    for name, row in rows.items():
        for field in RATES:
            if name == BM25 and field in DECISION_RATES:
                assert row[field] is None, field
            else:
                assert 0.0 <= row[field] <= 1.0, (name, field, row[field])
        assert row["p50_ms"] > 0
    # The figures the thresholds were chosen on (README, "Choosing the thresholds" and "Evaluation").
    assert rows[PIPELINE]["hit_at_1"] >= 0.92 and rows[PIPELINE]["urgent_recall"] == 1.0
    # 16 of 18 dev fallbacks are right (0.889); the 0.9 target holds on the held-out set (test_assistant).
    assert rows[PIPELINE]["fallback_precision"] >= 0.88 and rows[PIPELINE]["false_alarm_rate"] == 0.0
    assert rows[PIPELINE]["hit_at_1"] - rows[BM25]["hit_at_1"] >= 0.15
    assert rows[MULTI_FILTER]["hit_at_1"] >= 0.92 and rows[MULTI_FILTER]["fallback_precision"] >= 0.9
    assert all(row["urgent_recall"] == 1.0 for row in rows.values() if row["system"] != BM25)


@pytest.mark.usefixtures("built_index")
@pytest.mark.slow
def test_eval_prints_one_table():
    result = run_bot("eval", "--set", str(FIXTURE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("system"))
    assert lines[header].split()[-2:] == ["p50", "ms"] and "fallback P" in lines[header]
    table = lines[header + 1 : header + 1 + len(SYSTEMS)]
    assert [line.split("  ")[0].strip() for line in table] == SYSTEMS
    assert len({len(line) for line in lines[header : header + 1 + len(SYSTEMS)]}) == 1  # aligned
    assert table[SYSTEMS.index(BM25)].count("n/a") == 6


# --- the real-world set (tests/realworld): title-plus-story questions, uncovered neighbours -----------
# Written before any tuning; the frame check (bot/frame.py) was tuned on dev/ only. The gates sit a little
# under what held-out/ measured when the frame check was adopted (README, "Evaluation").


@pytest.fixture(scope="module")
def realworld_rows(assistant):
    from bot.evaluation.systems import asking, frame_unchecked

    labelled = load_set(ROOT / "tests" / "realworld" / "heldout")
    return {row.system: row for row in evaluate([asking(PIPELINE, assistant), frame_unchecked(assistant)], labelled)}


def test_realworld_heldout_answers_only_what_is_on_file(realworld_rows):
    row, nearness = realworld_rows[PIPELINE], realworld_rows[NO_FRAME]
    assert row.hit_at_1 >= 0.92 and row.urgent_recall == 1.0 and row.false_alarm_rate <= 0.03
    assert row.answered_precision >= 0.81 and row.fallback_recall >= 0.46 and row.fallback_precision >= 0.95
    # The frame check is what turns neighbouring threads into honest fallbacks.
    assert row.fallback_recall - nearness.fallback_recall >= 0.3
    assert row.hit_at_1 >= nearness.hit_at_1 - 0.01


@pytest.mark.usefixtures("built_index")
def test_reusing_vectors_changes_no_rate():
    runs = [
        json.loads(run_bot("eval", "--set", str(FIXTURE), "--json", *extra).stdout)
        for extra in ((), ("--reuse-vectors",))
    ]
    drop_p50 = [[{k: v for k, v in row.items() if k != "p50_ms"} for row in run["rows"]] for run in runs]
    assert drop_p50[0] == drop_p50[1] and len(drop_p50[0]) == len(SYSTEMS)


def test_eval_refuses_a_bad_set(tmp_path):
    result = run_bot("eval", "--set", str(tmp_path))
    assert result.returncode == 2 and "questions.yml" in result.stderr and "Traceback" not in result.stderr
