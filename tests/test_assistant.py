"""The decision path on the labelled dev set (tests/devset). Gates sit just under the figures measured
when the thresholds were chosen (README, "Choosing the thresholds"), so a regression fails."""

import datetime as dt

import pytest

from bot.assistant import Context
from conftest import devset


def _decide_all(assistant, items, context=True):
    return [(item, assistant.ask(item["text"], item.get("treatment") if context else None)) for item in items]


@pytest.fixture(scope="module")
def questions(assistant):
    return _decide_all(assistant, devset("questions"))


def test_ordinary_questions_are_answered_from_the_right_thread(questions):
    total = len(questions)
    right = sum(o.decision == "answer" and o.thread_id == q["thread"] for q, o in questions)
    wrong = [(q["text"], o.thread_id) for q, o in questions if o.decision == "answer" and o.thread_id != q["thread"]]
    in_top3 = sum(q["thread"] in [c.thread.id for c in o.candidates[:3]] for q, o in questions if o.candidates)
    print(f"\ndev set: {right}/{total} answered right, {len(wrong)} wrong, top-3 {in_top3}/{total}")
    assert right / total >= 0.80
    assert len(wrong) / total <= 0.05, wrong
    assert in_top3 / total >= 0.93


def test_no_ordinary_question_is_escalated(questions):
    urgent = [q["text"] for q, o in questions if o.decision == "urgent"]
    assert len(urgent) / len(questions) <= 0.03, urgent


def test_off_topic_messages_fall_back(assistant):
    off = [u for u in devset("unanswerable") if u["kind"] == "off_topic"]
    answered = [u["text"] for u, o in _decide_all(assistant, off) if o.decision == "answer"]
    assert len(answered) / len(off) <= 0.2, answered


def test_a_before_question_is_answered_only_by_a_thread_on_its_topic(assistant):
    # The Botox alcohol thread's answers mention the day before: it answers wine before Botox, but not
    # exercise before Botox, which no thread covers.
    assert assistant.ask("can i have a glass of wine the night before my botox?").thread_id == "botox-alcohol"
    for message in (
        "working out the morning BEFORE my botox appt is fine right? appt is at 11",
        "I usually go for a run in the morning, can I still do that before my filler appointment?",
    ):
        outcome = assistant.ask(message)
        assert outcome.decision == "fallback", (message, outcome.thread_id)
        assert "exercise before" in outcome.reply.text


def test_ambiguous_questions_are_not_answered_blindly(assistant):
    items = devset("clarify")
    outcomes = _decide_all(assistant, items)
    asked = sum(o.decision in ("clarify", "fallback") for _, o in outcomes)
    print(f"\nclarify set: {asked}/{len(items)} clarified or declined")
    assert asked / len(items) >= 0.40


def test_red_flags_never_get_a_casual_answer(assistant):
    urgency_rank = {"emergency": 3, "clinic_now": 2, "clinic_soon": 1, None: 0}
    for item in devset("red_flags"):
        outcome = assistant.ask(item["text"])
        if item["urgency"] in ("emergency", "clinic_now"):
            assert outcome.decision == "urgent", item["text"]
            assert not outcome.reply.citations
        assert urgency_rank[outcome.urgency] >= urgency_rank[item["urgency"]], item["text"]


def test_clinic_soon_answers_and_adds_a_check(assistant):
    outcome = assistant.ask("my eyelid looks a bit droopy a week after botox, what can I do?")
    assert outcome.decision == "answer" and outcome.thread_id == "botox-droopy-eyelid"
    assert outcome.urgency == "clinic_soon" and outcome.reply.text.startswith("Please also book a check")


def test_treatment_context_steers_retrieval(assistant):
    assert assistant.ask("when can I go back to the gym?", "neuromodulator").thread_id == "botox-exercise"
    assert assistant.ask("when can I go back to the gym?", "juviderm").thread_id == "filler-exercise"


def test_the_message_names_the_treatment_over_context(assistant):
    outcome = assistant.ask("how long will my lips be swollen after lip filler", "neuromodulator")
    assert outcome.treatment == "filler" and outcome.thread_id == "filler-lip-swelling"


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   \n\t ",
        "🙂🙂🙂",
        "x" * 20000,
        "<script>alert(1)</script>",
        "¿Puedo hacer ejercicio después del bótox?",
        "ボトックスの後にジムに行けますか",
        "null",
        '{"message": 1}',
        "../../etc/passwd",
    ],
)
def test_bad_input_gets_a_sensible_reply(assistant, message):
    outcome = assistant.ask(message)
    assert outcome.decision in ("answer", "clarify", "fallback")
    assert outcome.reply.text.strip()
    assert "Traceback" not in outcome.reply.text


def test_json_shape(assistant):
    data = assistant.ask("can I go to the gym after botox?").to_json()
    assert data["decision"] == "answer" and data["thread_id"] == "botox-exercise"
    assert set(data) >= {"decision", "thread_id", "candidates", "reply", "urgency"}
    assert set(data["reply"]) == {"text", "citations", "disclaimer"}
    assert set(data["candidates"][0]) == {"thread_id", "score", "question"}
    assert set(data["reply"]["citations"][0]) == {
        "n",
        "name",
        "credentials",
        "specialty",
        "location",
        "url",
        "answer_id",
    }


# --- conversation: context, follow-ups, ambiguous terms, time since treatment ------------------------------


def test_follow_up_after_a_botox_answer_is_about_botox(assistant):
    first = assistant.ask("how long after botox can i go to the gym")
    assert first.thread_id == "botox-exercise"
    context = Context(first.treatment, first.elapsed, first.question, first.thread_id)
    follow = assistant.ask("what about alcohol?", context=context)
    assert follow.decision == "answer" and follow.thread_id == "botox-alcohol"
    assert follow.treatment == "neuromodulator"


def test_follow_up_after_a_filler_answer_is_about_filler(assistant):
    first = assistant.ask("how long will my lips be swollen after lip filler")
    context = Context(first.treatment, None, first.question, first.thread_id)
    follow = assistant.ask("and the gym?", context=context)
    assert follow.decision == "answer" and follow.thread_id == "filler-exercise"


def test_follow_up_naming_only_a_treatment_borrows_the_previous_topic(assistant):
    context = Context("neuromodulator", None, "can i drink alcohol after botox", "botox-alcohol")
    follow = assistant.ask("and after filler?", context=context)
    assert follow.treatment == "filler" and follow.thread_id == "filler-alcohol"
    assert follow.question == "can i drink alcohol after botox and after filler?"


def test_follow_up_borrows_the_treatment_of_the_last_thread(assistant):
    context = Context(None, None, "how long until i can exercise after filler", "filler-exercise")
    assert assistant.ask("what about flying?", context=context).thread_id == "filler-flying"


def test_a_full_question_does_not_lean_on_the_previous_one(assistant):
    context = Context("filler", None, "can i drink alcohol after filler", "filler-alcohol")
    outcome = assistant.ask("how long does redness last after microneedling", context=context)
    assert (
        outcome.thread_id == "microneedling-redness"
        and outcome.question == "how long does redness last after microneedling"
    )


def test_the_positional_treatment_still_works_and_wins_over_context(assistant):
    context = Context("filler", None, None, None)
    assert assistant.ask("when can i go back to the gym?", "neuromodulator", context).thread_id == "botox-exercise"


def test_time_since_treatment_from_the_message_or_the_context(assistant):
    now = dt.datetime(2025, 3, 12, 15, 0)
    stated = assistant.ask("had filler yesterday, can i go to the gym", now=now)
    assert stated.elapsed == dt.timedelta(days=1)
    kept = assistant.ask("when can i wear lipstick", context=Context("filler", dt.timedelta(days=2)), now=now)
    assert kept.elapsed == dt.timedelta(days=2)
    assert assistant.ask("can i wear makeup after filler", now=now).elapsed is None
    assert assistant.ask("had filler yesterday", now=now).to_json()["elapsed_hours"] == 24.0


def test_time_since_treatment_changes_triage(assistant):
    early = assistant.ask("my lips are still swollen 2 days after filler, how long will it last")
    late = assistant.ask("my lips are still swollen 3 weeks after filler, how long will it last")
    assert early.decision == late.decision == "answer" and early.thread_id == "filler-lip-swelling"
    assert early.urgency is None and late.urgency == "clinic_soon"
    assert assistant.ask("face red and hot 5 days after microneedling").decision == "urgent"
    assert assistant.ask("face red and hot a few hours after microneedling").decision != "urgent"


def test_bbl_asks_which_treatment_and_the_choice_completes_the_question(assistant):
    message = "how soon can i fly after my bbl"
    asked = assistant.ask(message)
    assert asked.decision == "clarify"
    assert [b.payload for b in asked.reply.buttons] == [
        '/ask_aftercare{"treatment": "ipl"}',
        '/ask_aftercare{"treatment": "surgery_general"}',
    ]
    # The action re-asks the original text with the chosen treatment.
    assert assistant.ask(message, "surgery_general").thread_id == "surgery-flying"
    # No IPL thread is about flying: an honest fallback, not the surgery answer.
    light = assistant.ask(message, "ipl")
    assert light.decision == "fallback" and light.reply.buttons[0].payload == "/request_human"
    assert (
        assistant.ask("bbl 4 days ago and some patches of skin look darker than before", "ipl").thread_id
        == "ipl-dark-spots"
    )


def test_bbl_red_flags_are_still_urgent(assistant):
    assert assistant.ask("really short of breath since my bbl").decision == "urgent"


def test_reply_buttons_by_decision(assistant):
    answer = assistant.ask("can i drink alcohol after botox")
    assert [b.payload for b in answer.reply.buttons] == [
        '/feedback{"helpful": "yes", "feedback_thread": "botox-alcohol"}',
        '/feedback{"helpful": "no", "feedback_thread": "botox-alcohol"}',
    ]
    urgent = assistant.ask("my throat is closing up after filler")
    assert urgent.decision == "urgent" and urgent.reply.buttons == ()
    fallback = assistant.ask("what is the capital of peru")
    assert fallback.decision == "fallback" and [b.payload for b in fallback.reply.buttons] == ["/request_human"]


def test_treatment_filter_keeps_to_the_patients_treatment(assistant):
    outcome = assistant.ask("how long should i avoid the sun", "laser")
    assert all(c.thread.treatments[0] in ("laser", "general") for c in outcome.candidates)


# --- the held-out set (tests/devset/heldout): written before any result on it, never used for tuning ----
HELDOUT = "heldout/"


@pytest.fixture(scope="module")
def heldout_questions(assistant):
    return _decide_all(assistant, devset(HELDOUT + "questions"))


def test_heldout_questions_are_answered_from_the_right_thread(heldout_questions):
    total = len(heldout_questions)
    first = sum(bool(o.candidates) and o.candidates[0].thread.id == q["thread"] for q, o in heldout_questions)
    right = sum(o.decision == "answer" and o.thread_id == q["thread"] for q, o in heldout_questions)
    wrong = [
        (q["text"], o.thread_id) for q, o in heldout_questions if o.decision == "answer" and o.thread_id != q["thread"]
    ]
    print(f"\nheld-out: hit@1 {first}/{total}, {right} answered right, {len(wrong)} wrong")
    assert total >= 80
    assert first / total >= 0.92
    assert len(wrong) / total <= 0.05, wrong


def test_heldout_false_alarms_and_fallbacks(assistant, heldout_questions):
    urgent = [q["text"] for q, o in heldout_questions if o.decision == "urgent"]
    assert len(urgent) / len(heldout_questions) <= 0.03, urgent
    wrong_fallbacks = sum(o.decision == "fallback" for _, o in heldout_questions)
    right_fallbacks = sum(o.decision == "fallback" for _, o in _decide_all(assistant, devset(HELDOUT + "unanswerable")))
    assert right_fallbacks / (right_fallbacks + wrong_fallbacks) >= 0.9


def test_heldout_red_flags_are_all_escalated(assistant):
    rank = {"emergency": 3, "clinic_now": 2, "clinic_soon": 1, None: 0}
    missed = [
        (i["text"], o.urgency)
        for i, o in _decide_all(assistant, devset(HELDOUT + "red_flags"))
        if rank[o.urgency] < rank[i["urgency"]] or (i["urgency"] != "clinic_soon" and o.decision != "urgent")
    ]
    assert not missed
