"""What a question asks, beyond its words: the phase (before or after a treatment), the kind of question
(how long to wait, cost, chances and risks, eligibility, which is best...) and procedures the corpus has
no thread for. Two questions with close wording but a different frame are different questions: a thread
about drinking *after* a facelift does not answer a question about drinking the week *before* it, and a
"how long should I wait" thread does not answer "what does it cost".

Pure functions over text; the decision path uses them to veto a near thread that does not answer the
question (bot/assistant.py), and the fallback to say what it understood (bot/compose.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Phase = Literal["before", "after", "both"]  # "both": a stored thread whose answers also cover the time before
Kind = Literal["wait", "cost", "chances", "eligibility", "best", "longevity"]

# Procedures the demo corpus has no thread for, which share a word or a body area with ones it has
# ("neck lift" is not a facelift, "laser hair removal" is not a laser resurfacing, an implant exchange is not
# a first augmentation). A clinic that adds threads for one removes it here.
UNCOVERED_PROCEDURES: dict[str, str] = {
    "brow lift": r"(?:brow|forehead|eyebrow) lift",
    "neck lift": r"neck ?lift",
    "breast lift": r"breast lift|mastopexy|boob lift",
    "breast reduction": r"breast reduction|reduction mammoplasty",
    "implant exchange or removal": r"implant (?:exchange|swap|revision|removal|replacement)|(?:exchange|swap|replace|remove|removal of|revision of) (?:my |the )?(?:breast )?implants?|explant\w*|capsulectomy",
    "laser hair removal": r"laser hair removal|hair removal laser|laser(?:ing)? (?:my )?(?:legs|underarms?|bikini|armpits?)|lhr",
    "tattoo removal": r"tattoo removal|remov\w* (?:a |my )?tattoo",
    "lip lift": r"lip lift|bullhorn lift",
    "hair transplant": r"hair transplant|fue|fut",
    "sclerotherapy": r"sclerotherapy|spider veins? (?:injection|treatment)|vein injections?",
    "otoplasty": r"otoplasty|ear pinning|ear surgery",
    "arm or thigh lift": r"(?:arm|thigh|body) lift|brachioplasty",
    "Brazilian butt lift": r"brazilian butt lift|butt lift|fat transfer to (?:the |my )?(?:butt|buttocks)",
    "Ultherapy or Thermage": r"ultherapy|thermage|hifu",
    "microblading": r"microblading|brow tattoo",
    "lash lift": r"lash lift|lash extensions?",
    "breast augmentation revision": r"(?:second|redo|revision) (?:breast )?augmentation",
    "chin or cheek implant": r"(?:chin|cheek|jaw) implants?",
    "tear trough surgery": r"lower (?:eye)?lid surgery with fat|fat repositioning",
    "buccal fat removal": r"buccal fat(?: removal| pad removal| reduction)?",
    "Emsculpt": r"emsculpt\w*",
    "dermaplaning": r"dermaplan\w*",
    "sinus lift": r"sinus lift",
    "revision rhinoplasty": r"revision rhinoplasty|(?:second|redo) (?:nose job|rhinoplasty)",
}
# The covered treatment an uncovered procedure is easily taken for. When a message names an uncovered
# procedure and also a covered treatment, the question is about the covered one ("a hydrafacial after my
# Botox"), unless that treatment is only the one the procedure resembles ("implant removal ... my implants").
ADJACENT: dict[str, frozenset[str]] = {
    "brow lift": frozenset({"facelift"}), "neck lift": frozenset({"facelift"}),
    "breast lift": frozenset({"breast_augmentation"}), "breast reduction": frozenset({"breast_augmentation"}),
    "implant exchange or removal": frozenset({"breast_augmentation"}),
    "breast augmentation revision": frozenset({"breast_augmentation"}),
    "laser hair removal": frozenset({"laser", "ipl"}), "tattoo removal": frozenset({"laser"}),
    "lip lift": frozenset({"filler", "surgery_general"}), "arm or thigh lift": frozenset({"liposuction", "abdominoplasty"}),
    "Brazilian butt lift": frozenset({"liposuction", "surgery_general"}), "Ultherapy or Thermage": frozenset({"laser"}),
    "revision rhinoplasty": frozenset({"rhinoplasty"}), "buccal fat removal": frozenset({"surgery_general", "filler"}),
    "Emsculpt": frozenset({"coolsculpting"}), "sinus lift": frozenset({"rhinoplasty", "surgery_general"}),
}  # fmt: skip
_UNCOVERED = {
    name: re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE) for name, words in UNCOVERED_PROCEDURES.items()
}
# Names patients use for a covered treatment that another treatment's word would claim ("liquid facelift"
# is filler, not a facelift).
ALIASES: dict[str, tuple[str, str]] = {
    "liquid facelift": (r"liquid (?:face ?lift|facelift)|non.?surgical (?:face ?lift|facelift)", "filler"),
    "face and neck lift": (r"face ?(?:lift )?(?:and|&|\+) neck ?lift|neck (?:and|&|\+) face ?lift", "facelift"),
}
_ALIASES = {name: (re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE), t) for name, (words, t) in ALIASES.items()}

_PROCEDURE_WORDS = (
    r"surgery|procedure|appointment|op|operation|treatment|session|injections?|jabs?|filler|botox|lasers?|peel|"
    r"facelift|lipo\w*|augmentation|implants?|rhinoplasty|nose job|tummy tuck|bbl|consult\w*|microneedling|ipl|"
    r"kybella|sculptra|radiesse|coolsculpting|threads?|thread lift|blepharoplasty|eyelid surgery|dysport|xeomin|"
    r"juvederm|restylane|fraxel|morpheus8"
)
# "Before" as the phase: before the treatment itself, not "how long before I can..." or "before my wedding".
_BEFORE = re.compile(
    r"\b(?:before|prior to|ahead of|leading up to|in preparation for|to prepare for|prep(?:are|aring)? for)\s+"
    rf"(?:(?:my|the|a|an|your|getting|having|i (?:get|have|go in for))\s+){{0,2}}(?:\w+\s+)?(?:{_PROCEDURE_WORDS})\b"
    r"|\bpre.?op(?:erative|erativ)?\b|\b(?:before|prior to) (?:i |we )?(?:get|have|go for|book|do) (?:it|them|this|that|\w+)\b"
    r"|\b(?:week|day|days|weeks|night|month|months) before (?:my |the |)(?:\w+ )?(?:" + _PROCEDURE_WORDS + r")\b"
    r"|\b(?:stop|quit|avoid|pause) (?:\w+ ){0,3}before\b",
    re.IGNORECASE,
)
_KINDS: dict[str, re.Pattern[str]] = {
    "cost": re.compile(
        r"\b(?:cost\w*|price\w*|pricing|expensive|cheap\w*|afford\w*|insurance|financ\w*|payment plan|"
        r"how much (?:is|are|does|do|will|would|should|did)\b(?:\s+\S+){0,4}?\s+(?:cost|charge|run|pay)|"
        r"how much (?:is|are) (?:a |one |the |my )?(?:\w+ )?(?:botox|filler|syringe|unit|session|treatment|laser|peel|lipo\w*|"
        r"facelift|surgery|rhinoplasty|implants?|kybella|sculptra|coolsculpting)\w*|worth the money)\b|\$\s?\d|\d\s?(?:dollars|usd|pounds|euros)\b",
        re.IGNORECASE,
    ),
    "chances": re.compile(
        r"\b(?:chances?|odds|how likely|likelihood|likely is it|how common|how rare|percent\w*|statistic\w*|"
        r"what are the risks|risks? of (?:getting|having|developing|a|an)|complication rates?|success rates?|"
        r"how often does|how many people|probability)\b|\d\s?%",
        re.IGNORECASE,
    ),
    "eligibility": re.compile(
        r"\b(?:pregnan\w*|breast.?feed\w*|nursing|trying to conceive|ttc|ivf|"
        r"(?:good |right |suitable )?candidate|too old|too young|accutane|isotretinoin|(?:am i|is she|is he) (?:old|young) enough|age limit|"
        r"while (?:on|taking) (?:accutane|isotretinoin|blood thinners|warfarin|eliquis|chemo\w*|antibiotics)|"
        r"(?:with|if i have|i have) (?:lupus|an autoimmune|autoimmune|diabetes|a keloid|keloids|rosacea flare|"
        r"myasthenia|a pacemaker|a bleeding disorder))\b",
        re.IGNORECASE,
    ),
    "longevity": re.compile(
        r"\bhow (?:long|many (?:months|years|weeks)) (?:does|do|will|would|should|can|is|are) (?:my |the |your |a |an )?"
        r"(?:\w+ ){0,2}?(?:botox|dysport|xeomin|toxin|filler|fillers|juvederm|restylane|voluma|sculptra|radiesse|kybella|"
        r"facelift|face lift|results?|effects?|treatment|implants?|threads?|lip filler|lip flip)\w* (?:\w+ ){0,3}?"
        r"(?:last|stay|hold)\b|\bwhen (?:will|would|do|does) (?:i|it|they) (?:need|have to get) (?:a |another )?top.?up\b",
        re.IGNORECASE,
    ),
    "best": re.compile(
        r"\b(?:what(?:'s|s| is) better|which (?:is|one is|would be|works?) (?:better|best)|which (?:should i|to) (?:choose|get|pick|go for)|"
        r"better than|(?:\w+) vs\.? (?:\w+)|versus|compared (?:to|with)|or should i (?:get|go for|try|do)|"
        r"what(?:'s| is) the best (?:treatment|option|procedure|filler|injectable|laser|brand))\b",
        re.IGNORECASE,
    ),
}
# The kinds no demo thread answers; a thread's own frame says which it does (all are "wait"/"normal" now).
_KIND_WORDS = {"cost": "the cost of", "chances": "the chances or risks of", "eligibility": "who can have",
               "best": "which treatment is best for", "longevity": "how long the results last for"}  # fmt: skip


@dataclass(frozen=True)
class Frame:
    """What a question asks: its phase, its kind, and an uncovered procedure it names (if any)."""

    phase: Phase = "after"
    kind: Kind = "wait"
    uncovered: str | None = None
    # A stored thread: every kind its question and phrasings ask (empty: just `kind`).
    kinds: frozenset[str] = frozenset()


def procedure_alias(text: str) -> str | None:
    """The covered treatment a patient's name for it stands for ("liquid facelift" -> filler), or None."""
    for pattern, treatment in _ALIASES.values():
        if pattern.search(text):
            return treatment
    return None


def uncovered_procedure(text: str) -> str | None:
    """A procedure the corpus has no thread for, named in the text ("neck lift"), or None."""
    for name, pattern in _UNCOVERED.items():
        if pattern.search(text):
            return name
    return None


def without_uncovered(text: str) -> str:
    """The text with uncovered procedures' names blanked, so their words name no covered treatment."""
    for pattern in _UNCOVERED.values():
        text = pattern.sub(" ", text)
    return text


def phase(text: str) -> Phase:
    """`before` when the question is about the time before a treatment, else `after` (aftercare)."""
    return "before" if _BEFORE.search(text) else "after"


def kind(text: str) -> Kind:
    """The kind of question: cost, chances, eligibility, best, or wait (timing, normal, what to do)."""
    for name, pattern in _KINDS.items():
        if pattern.search(text):
            return name  # type: ignore[return-value]
    return "wait"


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


def question_sentences(text: str) -> str:
    """The question a message asks: its sentences that end in a question mark ("title plus story" messages
    ask in the title and perhaps once more at the end), else the whole message. The story around it gives
    treatment and timing, not the kind of question ("it cost 40 dollars" in a story is no cost question)."""
    parts = [p for p in _SENTENCE_BREAK.split(text.strip()) if p]
    if len(parts) < 2:
        return text
    asked = [p for p in parts if p.rstrip().endswith("?")]
    return " ".join(asked) if asked else text


def parse(text: str) -> Frame:
    """The frame of one message: its kind from the question it asks, phase and procedure from all of it."""
    return Frame(phase(text), kind(question_sentences(text)), uncovered_procedure(text))


# Whether a thread whose answers speak of the time before the treatment answers "before" questions too.
BEFORE_FROM_ANSWERS = True


def parse_thread(question: str, phrasings: tuple[str, ...] = (), answers: tuple[str, ...] = ()) -> Frame:
    """The frame of a stored thread: its kind from its question and phrasings; its phase is "both" when
    its clinicians also speak of the time before the treatment (then they answer a "before" question too)."""
    asked = " ".join([question, *phrasings])
    covers_before = phase(asked) == "before" or (BEFORE_FROM_ANSWERS and any(phase(a) == "before" for a in answers))
    kinds = frozenset(kind(text) for text in (question, *phrasings))
    return Frame("both" if covers_before else "after", kind(question), uncovered_procedure(asked), kinds)


def mismatch(asked: Frame, stored: Frame) -> str | None:
    """Why a stored question with frame `stored` does not answer one with frame `asked`, or None."""
    if asked.uncovered and asked.uncovered != stored.uncovered:
        return "procedure"
    if asked.phase != stored.phase and stored.phase != "both":
        return "phase"
    if asked.kind not in (stored.kinds or {stored.kind}):
        return "kind"
    return None


def describe(frame: Frame, treatment_label: str | None, topic: str | None = None) -> str | None:
    """What the patient asked about, in words, for the honest fallback ("the cost of lip filler"), or None."""
    subject = frame.uncovered or treatment_label
    if frame.kind in _KIND_WORDS and subject:
        return f"{_KIND_WORDS[frame.kind]} {subject}"
    if frame.phase == "before" and subject:
        return f"{topic} before {subject}" if topic else f"preparing for {subject}"
    if frame.uncovered:
        return f"{topic} after {frame.uncovered}" if topic else frame.uncovered
    return None
