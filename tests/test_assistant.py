"""The decision path on the labelled dev set (tests/devset). Gates sit just under the figures measured
when the thresholds were chosen (README, "Choosing the thresholds"), so a regression fails."""

import pytest

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
    ["", "   \n\t ", "🙂🙂🙂", "x" * 20000, "<script>alert(1)</script>", "¿Puedo hacer ejercicio después del bótox?",
     "ボトックスの後にジムに行けますか", "null", "{\"message\": 1}", "../../etc/passwd"],
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
    assert set(data["reply"]["citations"][0]) == {"n", "name", "credentials", "specialty", "location", "url", "answer_id"}
