"""What a question asks (bot/frame.py): phase, kind, uncovered procedures, and when a stored question
does not answer the one asked."""

from __future__ import annotations

import pytest

from bot import frame
from bot.frame import Frame, mismatch, parse, parse_thread


@pytest.mark.parametrize(
    "text, phase",
    [
        ("can i drink alcohol the week before my facelift", "before"),
        ("should i stop taking fish oil before my filler appointment", "before"),
        ("pre-op instructions for rhinoplasty", "before"),
        ("how long before i can fly after botox", "after"),  # "before I can" is a wait, not the phase
        ("i had filler before my wedding, can i drink", "after"),
        ("can i go to the gym after botox", "after"),
    ],
)
def test_phase(text, phase):
    assert frame.phase(text) == phase


@pytest.mark.parametrize(
    "text, kind",
    [
        ("how much does botox cost", "cost"),
        ("how much swelling is normal after lip filler", "wait"),
        ("what are the chances of a droopy eyelid from botox", "chances"),
        ("can i get botox while breastfeeding", "eligibility"),
        ("Can I have laser resurfacing after Accutane?", "eligibility"),
        ("which is better juvederm or restylane", "best"),
        ("juvederm or restylane, whats better for first time lips", "best"),
        ("what is the best way to sleep after filler", "wait"),
        ("How long does lip filler last?", "longevity"),
        ("how long does the swelling last after kybella", "wait"),
        # The kind comes from the question a story asks, not from a price in the story.
        ("Does arnica work for filler bruising? My injector sells it for 40 dollars. I bruise easily.", "wait"),
    ],
)
def test_kind(text, kind):
    assert frame.kind(frame.question_sentences(text)) == kind


def test_uncovered_procedures_and_aliases():
    assert frame.uncovered_procedure("can i shower after my neck lift") == "neck lift"
    assert frame.uncovered_procedure("laser hair removal on my legs, can i tan") == "laser hair removal"
    assert (
        frame.uncovered_procedure("side sleeping after my implants were removed? had an explant")
        == "implant exchange or removal"
    )
    assert frame.uncovered_procedure("can i fly after botox") is None
    assert frame.procedure_alias("how long does a liquid facelift last") == "filler"
    assert frame.without_uncovered("sore after my neck lift and facelift").count("lift") == 1


def test_a_stored_question_answers_only_the_same_frame():
    stored = parse_thread("Can I drink alcohol the evening after my Botox injections?")
    assert mismatch(parse("can i have wine tonight after botox"), stored) is None
    assert mismatch(parse("can i drink the night before my botox appointment"), stored) == "phase"
    assert mismatch(parse("how much does botox cost with a glass of wine"), stored) == "kind"
    assert mismatch(Frame(uncovered="neck lift"), stored) == "procedure"
    # Clinicians who also speak of the time before make the thread answer "before" questions too.
    both = parse_thread("Does arnica help with bruising?", answers=("Start arnica two days before your treatment.",))
    assert both.phase == "both" and mismatch(parse("should i take arnica before my filler appointment"), both) is None
    # Every kind a thread's phrasings ask counts.
    results = parse_thread("When will I see results from Botox?", ("how many months will my botox last",))
    assert mismatch(parse("how long does botox last"), results) is None


def test_describe_says_what_was_understood():
    assert frame.describe(parse("how much is lip filler"), "lip filler") == "the cost of lip filler"
    assert frame.describe(parse("can i drink before my facelift"), "facelift", "alcohol") == "alcohol before facelift"
    assert frame.describe(parse("can i fly after my neck lift"), None, "flying") == "flying after neck lift"
    assert frame.describe(Frame(), "botox") is None
