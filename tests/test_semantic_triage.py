"""The semantic red-flag layer (bot/semantic_triage.py) with the real model and exemplars."""

import pytest

from bot import triage
from bot.semantic_triage import ExemplarError, load_exemplars
from conftest import ROOT, devset

EXEMPLARS = ROOT / "data" / "triage" / "exemplars.yml"


@pytest.fixture(scope="module")
def semantic(assistant):
    assert assistant.semantic is not None
    return assistant.semantic


def test_exemplars_cover_every_level():
    exemplars, benign = load_exemplars(EXEMPLARS)
    assert {e.level for e in exemplars} == {"emergency", "clinic_now", "clinic_soon"}
    assert len(exemplars) >= 40 and benign


def test_exemplars_are_not_copied_from_the_labelled_sets():
    exemplars, benign = load_exemplars(EXEMPLARS)
    labelled = {i["text"].lower() for name in ("red_flags", "questions") for i in devset(name)}
    assert not [e.text for e in exemplars if e.text.lower() in labelled]
    assert not [b for b in benign if b.lower() in labelled]


def test_every_exemplar_concept_has_a_rule_reason():
    # The typed link from an exemplar's concept to the reason its alerts give (bot/triage/rules.py).
    exemplars, _ = load_exemplars(EXEMPLARS)
    assert not [e.concept for e in exemplars if e.concept not in triage.CONCEPTS]
    rules = {rule.pattern: rule for rule in triage.RULES}
    assert triage.CONCEPTS["toxin_spread"] is rules["swallowing"]
    assert triage.CONCEPTS["anaphylaxis"] is rules["airway_swelling"]
    assert triage.CONCEPTS["filler_eye"] is rules["vision_loss"]
    assert all(triage.CONCEPTS[name] is rule for name, rule in rules.items() if name != "filler_eye")


def test_an_unknown_concept_is_refused_at_load(tmp_path):
    bad = tmp_path / "x.yml"
    bad.write_text(
        "red_flags:\n  - {text: hi, level: emergency, concept: breathing}\n"
        "  - {text: ho, level: emergency, concept: breathnig}\n"
    )
    with pytest.raises(ExemplarError, match="item 2: unknown concept 'breathnig'"):
        load_exemplars(bad)


def test_a_bad_exemplar_file_is_named(tmp_path):
    bad = tmp_path / "x.yml"
    bad.write_text("red_flags:\n  - {text: hi, level: soon, concept: x}\n")
    with pytest.raises(ExemplarError, match="item 1"):
        load_exemplars(bad)


@pytest.mark.parametrize(
    "message",
    [
        "cant see proprly out of my left eye",
        "its hard to get air in",
        "i feel like i'm gonna pass out",
        "my chest feels heavy and i cant catch my breath",
    ],
)
def test_lay_language_and_typos_are_caught(semantic, message):
    alert = triage.assess(message, None, semantic=semantic)
    assert alert is not None and triage.is_urgent(alert), message


@pytest.mark.parametrize(
    "message",
    [
        "no trouble breathing, can i go to the gym after botox",
        "breathing fine, just a small bruise after filler",
        "what are the signs of infection after lipo",
        "how long does swelling last after lip filler",
    ],
)
def test_negations_and_ordinary_questions_are_left_alone(semantic, message):
    assert not triage.is_urgent(triage.assess(message, None, semantic=semantic)), message


def test_negated_clauses_are_not_compared(semantic):
    units = semantic.units("no trouble breathing, just a small bruise")
    assert units == ["just a small bruise"]


def test_no_ordinary_dev_question_is_escalated_by_the_semantic_layer(semantic, vocabulary_find):
    alarms = [
        q["text"]
        for q in devset("questions")
        if triage.is_urgent(semantic(q["text"], vocabulary_find(q["text"]) or q.get("treatment")))
    ]
    assert not alarms


@pytest.fixture(scope="module")
def vocabulary_find(assistant):
    return lambda text: (assistant.vocabulary.find(text) or [None])[0]


def test_triage_without_an_embedder_still_works():
    assert triage.assess("i can't breathe").urgency == "emergency"


@pytest.mark.parametrize("message", ["brething is reely hard after filler", "my throte feels like its closing"])
def test_misspelt_symptom_words_are_corrected_before_the_rules(semantic, message):
    assert triage.assess(message, None) is None  # the rules alone miss them
    assert triage.is_urgent(triage.assess(message, None, semantic=semantic)), message


def test_real_words_are_not_corrected(semantic):
    assert semantic.corrected("the wound is smelling, skin tone uneven") == "the wound is smelling, skin tone uneven"
    assert semantic.corrected("my throte is closing") == "my throat is closing"
