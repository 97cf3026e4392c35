"""Red-flag triage (bot/triage/).

The phrasings here are written for these tests and differ from the dev set on purpose: the rules should
cover a symptom in the words patients use, not a list of known messages. The last tests measure the dev
set itself (tests/devset), which the rules must pass without being tuned to its wording.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot import triage
from bot.treatments import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "devset"
RANK = {None: 0, "clinic_soon": 1, "clinic_now": 2, "emergency": 3}
DETECT = object()  # take the treatment from the message, as the assistant does


@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary(str(ROOT / "data" / "nlu" / "treatments.yml"))


def _urgency(vocabulary, text: str, treatment=DETECT) -> str | None:
    if treatment is DETECT:
        treatment = (vocabulary.find(text) or [None])[0]
    alert = triage.assess(text, treatment)
    return alert.urgency if alert else None


# --- red flags, one group per row of the red-flag table (aftercare-brief.md section 2) -------------------
RED_FLAGS = [
    # toxin spread / botulism: swallowing, speech, breathing, double vision, general weakness (E)
    ("i can hardly swallow my own spit since the botox in my neck", "emergency"),
    ("drinks keep going down the wrong way since my tox on friday", "emergency"),
    ("food is getting stuck in my throat after dysport", "emergency"),
    ("swallowing is a real struggle since my trap tox", "emergency"),
    ("my speech sounds drunk after botox yesterday", "emergency"),
    ("i sound drunk and can't get my words out after tox", "emergency"),
    ("everything looks double since xeomin", "emergency"),
    ("im seeing two since my botox", "emergency"),
    ("since dysport my eyes won't focus together", "emergency"),
    ("my whole body feels weak after botox", "emergency"),
    ("can't hold my head up since the botox", "emergency"),
    ("my eyelids are drooping and i'm seeing double after botox", "emergency"),
    # local droop after toxin, nothing else (clinic_soon in this project)
    ("my brow has dropped after my anti wrinkle injections", "clinic_soon"),
    ("cant fully open my eye after botox", "clinic_soon"),
    # filler blocking a skin vessel (U, immediately)
    ("my lip has gone really pale after the filler", "clinic_now"),
    ("the tip of my nose looks bluish after nose filler", "clinic_now"),
    ("a greyish patch has appeared above my lip since the filler", "clinic_now"),
    ("the area under my eye looks dusky after the tear trough", "clinic_now"),
    ("lip feels icy cold after filler", "clinic_now"),
    ("mottled skin on my cheek after radiesse", "clinic_now"),
    ("my lip hurts more today than yesterday after filler", "clinic_now"),
    ("pain from my chin filler is not getting better", "clinic_now"),
    ("the pain keeps getting worse after my cheek filler", "clinic_now"),
    # filler affecting the eye or brain (E)
    ("my vision has gone dim in my right eye after filler", "emergency"),
    ("everything went dark in one eye during my nose filler", "emergency"),
    ("black curtain coming down over my eye after filler", "emergency"),
    ("eye really hurts after my nose filler", "emergency"),
    ("droopy eyelid after tear trough filler", "emergency"),
    ("my face has dropped on one side after cheek filler", "emergency"),
    ("my wife says im not making any sense after filler", "emergency"),
    ("terrible headache after cheek filler", "emergency"),
    # anaphylaxis (E)
    ("my tongue is swelling after my botox", "emergency"),
    ("tongue getting bigger after restylane", "emergency"),
    ("my throats closing", "emergency"),
    ("feeling so dizzy and covered in hives after filler", "emergency"),
    ("i think i'm having an allergic reaction, my throat feels tight", "emergency"),
    # infection (U)
    ("bump from my filler is angry red", "clinic_now"),
    ("my filler lump is warm and tender", "clinic_now"),
    ("redness spreading around my lips after filler", "clinic_now"),
    ("my cheek is getting hotter after filler", "clinic_now"),
    ("painful red lump appeared in my lip 6 weeks after filler", "clinic_now"),
    ("pus coming out of my lipo incision", "clinic_now"),
    ("my scar smells bad after tummy tuck", "clinic_now"),
    ("i think my boob job wound is infected", "clinic_now"),
    ("got a fever after my filler", "clinic_now"),
    # sepsis (E)
    ("my mum had lipo and is shivering violently and confused", "emergency"),
    ("i haven't been able to pee all day after my tummy tuck", "emergency"),
    ("teeth chattering and shaking all over after my boob job", "emergency"),
    ("my skin is mottled after my tummy tuck", "emergency"),
    # DVT (U, same day)
    ("my calf puffed up after my flight home from surgery", "clinic_now"),
    ("my calf is aching and swollen after lipo", "clinic_now"),
    ("the back of my leg aches since the long drive back from my abdominoplasty", "clinic_now"),
    ("my left leg is swollen and painful after the flight", "clinic_now"),
    # clot in the lung / fat embolism (E)
    ("coughed up some blood after my lipo", "emergency"),
    ("there were bits of blood when i coughed after my bbl", "emergency"),
    ("it hurts when i take a deep breath after my tummy tuck", "emergency"),
    ("crushing chest pain after lipo", "emergency"),
    ("heart beating really fast and i feel faint after my op", "emergency"),
    ("i blacked out after my boob job", "emergency"),
    ("i feel so breathless after my tummy tuck", "emergency"),
    # bleeding / haematoma after surgery (U; airway E)
    ("one side of my chest is ballooning after my implants", "clinic_now"),
    ("my right breast is suddenly much bigger and hard after augmentation", "clinic_now"),
    ("fresh red blood in my drain after abdominoplasty", "clinic_now"),
    ("i've soaked through my dressings after my tummy tuck", "clinic_now"),
    ("my stitches are bleeding and it won't stop after my facelift", "clinic_now"),
    ("my neck lift is swelling fast on one side", "clinic_now"),
    ("neck swelling and struggling to breathe after facelift", "emergency"),
    # bleeding behind the eye after eyelid surgery (E)
    ("my eye is sticking out and the pain is unbearable after bleph", "emergency"),
    ("eye swollen shut and bulging after eyelid surgery, the pain is excruciating", "emergency"),
    ("vision dropping after bleph", "emergency"),
    # Kybella (U; breathing E)
    ("my smile looks uneven after kybella", "clinic_now"),
    ("the skin under my jaw has broken open into an ulcer since kybella", "clinic_now"),
    ("breathing is hard since my kybella", "emergency"),
    # laser, IPL, peel (U)
    ("blistering on my face after ipl", "clinic_now"),
    ("little rectangle shaped marks after my laser", "clinic_now"),
    ("outbreak of cold sores after my peel", "clinic_now"),
    ("my laser burned me", "clinic_now"),
    # pain that medicine doesn't control, fever after surgery (U)
    ("the painkillers aren't doing anything after my facelift", "clinic_now"),
    ("the tablets are not helping at all after my rhinoplasty", "clinic_now"),
    ("can't sleep because of the pain after lipo", "clinic_now"),
    ("temperature of 38.9 after my op", "clinic_now"),
    ("temp 101 after my tummy tuck", "clinic_now"),
    ("i'm burning up after my facelift", "clinic_now"),
    # implant: swelling, fluid or a lump years later (M)
    ("swelling around my implant 11 years later", "clinic_soon"),
    ("my implants went in 15 years ago and now theres a lump in my armpit", "clinic_soon"),
    ("my breast has swollen up, implants from 2012", "clinic_soon"),
    # CoolSculpting: treated area growing (M)
    ("the fat they froze has grown back bigger after coolsculpting", "clinic_soon"),
    ("my tummy is worse than before after coolsculpting", "clinic_soon"),
    ("there's a hard bulge where they did the coolsculpting 3 months ago", "clinic_soon"),
]


@pytest.mark.parametrize(("text", "level"), RED_FLAGS)
def test_red_flag_caught_at_its_level_or_higher(vocabulary, text, level):
    got = _urgency(vocabulary, text)
    assert RANK[got] >= RANK[level], f"{text!r}: expected {level}, got {got}"


def test_red_flags_cover_enough_cases():
    assert len(RED_FLAGS) >= 40


# --- treatment-aware rules ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "treatment", "expected"),
    [
        # lip swelling is expected after lip filler; tongue or throat swelling is not
        ("my lips are really swollen after lip filler, when does it go down", DETECT, None),
        ("lip swelling after lip filler, is this normal", DETECT, None),
        ("tongue and lips swelling after filler", DETECT, "emergency"),
        ("my throat feels like it's swelling shut", "filler", "emergency"),
        # blurry or watery eyes are expected after eyelid surgery, not after toxin
        ("blurry eyes after eyelid surgery, is that normal", DETECT, None),
        ("my vision is a bit blurry from the ointment after my bleph", DETECT, None),
        ("blurry vision after botox this morning", DETECT, "emergency"),
        ("blurry eyes after botox", DETECT, "emergency"),
        # swallowing trouble: expected-ish after Kybella (clinic today), toxin spread after Botox (E)
        ("swallowing trouble after kybella", DETECT, "clinic_now"),
        ("hard to swallow after my double chin injections", DETECT, "clinic_now"),
        ("swallowing trouble after botox", DETECT, "emergency"),
        ("hard to swallow", "neuromodulator", "emergency"),
        ("hard to swallow", "kybella", "clinic_now"),
        # an unknown treatment gets the more urgent reading
        ("hard to swallow", None, "emergency"),
        # a droop: clinic_soon after toxin, an emergency after filler
        ("eyelid drooping since botox", DETECT, "clinic_soon"),
        ("my eyelid is drooping after cheek filler", DETECT, "emergency"),
        # chest soreness after breast surgery is expected; after liposuction it is not
        ("my chest is sore after breast augmentation, how long does it last", DETECT, None),
        ("chest tightness after lipo", DETECT, "emergency"),
        # red, warm skin for a day or two is expected after microneedling and lasers
        ("face is red and a bit warm after microneedling, normal?", DETECT, None),
        ("my filler lump is red and hot", DETECT, "clinic_now"),
        # the delayed pain of CoolSculpting is expected
        ("pain after coolsculpting getting worse on day 4, is that normal", DETECT, None),
        # a severe headache: emergency after filler, a pain problem for the clinic after toxin
        ("excruciating headache after botox", DETECT, "clinic_now"),
        ("sudden severe headache after botox", DETECT, "emergency"),
        # blocked nose after a nose job is not an airway emergency
        ("i can't breathe through my nose after my rhinoplasty, when will the swelling go down", DETECT, None),
    ],
)
def test_treatment_aware(vocabulary, text, treatment, expected):
    assert _urgency(vocabulary, text, treatment) == expected


# --- negation -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "treatment", "expected"),
    [
        ("no trouble breathing, just a bruise", "filler", None),
        ("no, I can't breathe", "filler", "emergency"),
        ("no i cant breathe properly since the filler", DETECT, "emergency"),
        ("i'm not having any trouble breathing or swallowing", "neuromodulator", None),
        ("no double vision or anything", "neuromodulator", None),
        ("throat isn't tight and tongue not swollen", "filler", None),
        ("i can breathe fine and swallowing is fine", "neuromodulator", None),
        ("hardly any trouble swallowing, just a little tight after kybella", DETECT, None),
        # a negated symptom in one clause doesn't hide a real one in the next
        ("no pain but my tongue is swelling", "filler", "emergency"),
        ("no pain just my tongue is swelling", "filler", "emergency"),
        ("not sure if normal, my tongue is swelling up", DETECT, "emergency"),
        ("i don't know what's happening but my throat is closing", None, "emergency"),
        ("i have no idea why but i cant swallow", "neuromodulator", "emergency"),
        # hypothetical questions are not reports
        ("how do i avoid infection after microneedling", DETECT, None),
        ("is there a risk of blood clots if i fly after lipo", DETECT, None),
        ("what should i do if my throat swells after filler", DETECT, None),
        ("can i drink coffee after filler or will i choke", DETECT, None),
    ],
)
def test_negation_and_hypotheticals(vocabulary, text, treatment, expected):
    assert _urgency(vocabulary, text, treatment) == expected


# --- an ordinary question with a red flag in it is still flagged --------------------------------------
@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("when can i wear makeup after filler? also my lip went white and feels cold", "clinic_now"),
        ("how long should i sleep upright after my facelift, and my right cheek is ballooning", "clinic_now"),
        ("is it ok to have wine tonight after botox? since lunch i've been choking on water", "emergency"),
        ("can i shower with the drains in? theres fresh bright red blood filling them", "clinic_now"),
        ("when can i fly home after lipo, my calf has gone hot and sore", "clinic_now"),
        ("what cream should i use after my laser? there are blisters on my cheek", "clinic_now"),
        ("can i go back to the gym next week, the wound smells bad though", "clinic_now"),
        ("can i take arnica after my nose filler, the tip looks greyish", "clinic_now"),
        ("can i colour my hair after botox? i'm also seeing double since yesterday", "emergency"),
    ],
)
def test_mixed_messages_are_flagged(vocabulary, text, level):
    got = _urgency(vocabulary, text)
    assert RANK[got] >= RANK[level], f"{text!r}: expected {level}, got {got}"


# --- ordinary questions must not be urgent --------------------------------------------------------------
ORDINARY = [
    "i can't see any difference 2 weeks after my botox",
    "can't see my surgeon until monday, when can i shower after lipo",
    "i can't see well without my glasses, can i wear them after rhinoplasty",
    "cant see without my contacts, when can i put them back in after bleph",
    "is it safe to take antihistamines for hay fever the week after botox",
    "does hayfever season affect how long my lip filler lasts",
    "need a yellow fever vaccine for my trip, ok two days after cheek filler?",
    "what are the signs of infection after a tummy tuck",
    "should i wear dvt socks on the flight home after my surgery",
    "i'm a bit confused about the aftercare, can i wash my face tonight",
    "my skin hasn't peeled yet after my chemical peel, is it working",
    "faint bruise on my cheek after filler, how do i cover it",
    "when can i lift my arms above my head after a boob job",
    "my back is killing me from sleeping upright after my facelift",
    "my jaw feels weak when chewing after masseter botox",
    "can i go in a hot tub after botox",
    "my face looks sunburnt after laser",
    "is it normal for the skin to be weeping after co2 laser on day 1",
    "the drain fluid is pinkish, is that normal",
    "fluid leaking from my lipo incisions, is that normal",
    "mild headache after botox, can i take paracetamol",
    "does lip filler hurt more than botox",
    "what painkillers can i take after my tummy tuck",
    "my throat is a bit sore and i have swollen glands, can i still have botox",
    "i have a sinus infection, can i still get botox",
    "dark patches under my eyes after ipl, when do they fade",
    "my breasts feel hard and tight after implants, when do they soften and drop",
    "one side more swollen than the other after rhinoplasty, normal?",
    "my eyes went black and blue after my nose job",
    "it hurts when i cough after my tummy tuck",
    "i'm dying for a glass of wine after botox",
    "i gasped when i saw my lips, they look amazing",
    "i had two of the syringes in my lips, how long will it last",
    "i can't talk right now but when can i exercise after filler",
    "terrible headache after botox, can i take ibuprofen",
    "my eyes feel heavy after tear trough filler",
    "my nose is so stuffy i have to breathe through my mouth",
    "a little bit of blood on the pillow after my facelift, is that normal",
    "is it ok to use a sauna at 80 degrees after filler",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_question_not_urgent(vocabulary, text):
    treatment = (vocabulary.find(text) or [None])[0]
    alert = triage.assess(text, treatment)
    assert not triage.is_urgent(alert), f"{text!r}: {alert}"


def test_hayfever_is_not_fever():
    assert triage.assess("my hayfever is awful this week, had filler on monday") is None
    assert triage.assess("running a fever after filler", "filler").urgency == "clinic_now"


def test_fever_number():
    assert triage.assess("thermometer says 38.2 after lipo", "liposuction").pattern == "fever"
    assert triage.assess("my temp is 37.1 after lipo, is that ok", "liposuction") is None


def test_public_api():
    alert = triage.assess("i can't breathe", None)
    assert isinstance(alert, triage.Alert) and triage.is_urgent(alert)
    assert not triage.is_urgent(None)
    assert not triage.is_urgent(triage.assess("eyelid drooping since botox", "neuromodulator"))
    assert triage.assess("", None) is None


def test_the_package_keeps_the_public_surface():
    # Callers import these from bot.triage; the parts live in rules, negation and engine.
    for name in (
        "assess",
        "is_urgent",
        "most_urgent",
        "Alert",
        "SecondOpinion",
        "clauses",
        "negated_clause",
        "reason_for",
        "RULES",
        "Negations",
        "CONCEPTS",
    ):
        assert hasattr(triage, name), name
    assert callable(triage.clauses) and triage.clauses("no pain, just a bruise") == ["no pain", "just a bruise"]


def test_rules_are_grouped_by_urgency():
    ranks = [RANK[rule.urgency] for rule in triage.RULES]
    assert ranks == sorted(ranks, reverse=True)
    names = [rule.pattern for rule in triage.RULES]
    assert len(names) == len(set(names))


# --- the dev set -----------------------------------------------------------------------------------------
def _devset(name: str) -> list[dict]:
    return yaml.safe_load((DEVSET / f"{name}.yml").read_text(encoding="utf-8"))


def test_devset_red_flags_all_caught(vocabulary):
    missed = []
    for item in _devset("red_flags"):
        got = _urgency(vocabulary, item["text"], (vocabulary.find(item["text"]) or [item.get("treatment")])[0])
        if RANK[got] < RANK[item["urgency"]]:
            missed.append((item["urgency"], got, item["text"]))
    assert not missed


def test_devset_questions_false_alarms_at_most_3_percent(vocabulary):
    questions = _devset("questions")
    alarms = [
        q["text"]
        for q in questions
        if triage.is_urgent(triage.assess(q["text"], (vocabulary.find(q["text"]) or [q.get("treatment")])[0]))
    ]
    assert len(alarms) <= 0.03 * len(questions), alarms


def test_devset_unanswerable_never_urgent(vocabulary):
    urgent = [
        u["text"]
        for u in _devset("unanswerable")
        if triage.is_urgent(triage.assess(u["text"]))
        or triage.is_urgent(triage.assess(u["text"], (vocabulary.find(u["text"]) or [None])[0]))
    ]
    assert not urgent


# --- time since treatment --------------------------------------------------------------------------------
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "treatment", "elapsed", "expected"),
    [
        # red, warm skin is expected for a day or two after a laser or microneedling; later it is not
        ("my face is red and hot", "microneedling", 1 * DAY, None),
        ("my face is red and hot", "microneedling", 5 * DAY, "clinic_now"),
        ("my face is red and hot", "microneedling", None, None),
        # blurry eyes are expected at first after eyelid surgery
        ("my vision is blurry", "blepharoplasty", 2 * DAY, None),
        ("my vision is blurry", "blepharoplasty", 30 * DAY, "emergency"),
        # lip swelling settles within 1-2 weeks after filler; longer deserves a check
        ("my lips are still swollen", "filler", 3 * DAY, None),
        ("my lips are still swollen", "filler", 21 * DAY, "clinic_soon"),
        ("no swelling at all now", "filler", 21 * DAY, None),
        ("bruise still there", "neuromodulator", 20 * DAY, "clinic_soon"),
        ("chin still swollen", "kybella", 14 * DAY, None),
        # time never lowers an emergency
        ("my tongue is swelling", "filler", 10 * 60 * dt.timedelta(seconds=1), "emergency"),
        ("can't swallow", "neuromodulator", 14 * DAY, "emergency"),
    ],
)
def test_time_since_treatment(text, treatment, elapsed, expected):
    alert = triage.assess(text, treatment, elapsed)
    assert (alert.urgency if alert else None) == expected


def test_a_second_opinion_only_adds():
    def raise_to_emergency(message, treatment):
        return triage.Alert("emergency", "semantic:test", "test")

    def silent(message, treatment):
        return None

    assert (
        triage.assess("can i exercise after botox", "neuromodulator", semantic=raise_to_emergency).urgency
        == "emergency"
    )
    assert triage.assess("i can't breathe", None, semantic=silent).urgency == "emergency"


def test_clauses_and_negated_clauses():
    assert triage.clauses("No trouble breathing, just a small bruise. Is that ok?") == [
        "no trouble breathing",
        "just a small bruise",
        "is that ok",
    ]
    assert triage.negated_clause("no trouble breathing")
    assert triage.negated_clause("what if i get a fever")
    assert not triage.negated_clause("no i can't breathe")
    assert not triage.negated_clause("my throat is closing")
