"""Red-flag triage: runs before retrieval on every message. An emergency is never answered with a
casual stored answer. Rules follow the red-flag table in the domain brief (shared/domain)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.compose import Contact, Reply
from bot.treatments import SURGERY

Urgency = Literal["emergency", "clinic_now", "clinic_soon"]
_RANK = {"emergency": 3, "clinic_now": 2, "clinic_soon": 1}


@dataclass(frozen=True)
class Alert:
    """A red flag found in a message."""

    urgency: Urgency
    pattern: str
    reason: str


@dataclass(frozen=True)
class Rule:
    pattern: str
    urgency: Urgency
    reason: str
    regex: re.Pattern[str]
    # `unless`: treatments after which the symptom is expected. `only`: the rule is specific to these
    # treatments; it still applies when the treatment is unknown, because missing a red flag is worse.
    unless: frozenset[str] = frozenset()
    only: frozenset[str] = frozenset()


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


_CANT = r"(?:can ?not|can'?t|cant|unable to|could ?n'?t|hard to|difficult(?:y)? to|trouble|difficulty|struggl\w* (?:to )?|problems?|having a hard time|issues?)"
_SWALLOW = rf"{_CANT}\s*(?:\w+\s){{0,2}}swallow\w*|chok\w*|gag\w* on (?:water|food|drink)|food (?:going|goes) down the wrong way"
_BREATHE = (
    rf"{_CANT}\s*(?:\w+\s){{0,2}}(?:breath\w*|catch my breath)|short(?:ness)? of breath|breathless\w*|"
    r"gasping|wheez\w*|(?:can'?t|cant|cannot) get (?:enough )?air|struggling for (?:air|breath)|out of breath (?:at rest|sitting|lying)"
)
_FILLERISH = frozenset({"filler", "sculptra", "radiesse"})

RULES: tuple[Rule, ...] = (
    # --- emergency: call the emergency number now ---
    Rule("breathing", "emergency", "difficulty breathing needs emergency care", _rx(_BREATHE)),
    Rule("airway_swelling", "emergency", "swelling of the tongue or throat can block the airway (a severe allergic reaction)",
         _rx(r"(?:tongue|throat|windpipe)\s*(?:\w+\s){0,3}(?:swell\w*|swollen|tight\w*|closing|closed|puff\w*|thick\w*)",
             r"(?:swell\w*|swollen|tight\w*|closing)\s*(?:\w+\s){0,2}(?:tongue|throat)", r"anaphyla\w*", r"hives (?:all over|everywhere)",
             r"(?:hives|rash) (?:and|with|plus) (?:dizz\w*|faint\w*|light.?headed)")),
    Rule("swallowing", "emergency", "trouble swallowing can mean the toxin has spread beyond where it was injected",
         _rx(_SWALLOW), unless=frozenset({"kybella"})),
    Rule("speech", "emergency", "slurred speech or trouble speaking can mean toxin spread or a stroke",
         _rx(r"slur\w*", rf"{_CANT}\s*(?:\w+\s){{0,2}}(?:speak|talk)\w*", r"speech (?:is )?(?:weird|strange|off|slow|garbled)", r"voice (?:is )?(?:slurry|weird|gone)")),
    Rule("double_vision", "emergency", "double vision can mean toxin spread or a blocked blood vessel near the eye",
         _rx(r"double vision", r"seeing (?:double|two of everything)", r"see(?:ing)? double")),
    Rule("vision_loss", "emergency", "loss of vision after an injection or eyelid surgery is an emergency",
         _rx(r"(?:can'?t|cant|cannot|unable to|couldn'?t) see", r"(?:lost|losing|lose|loss of) (?:my )?(?:vision|sight)",
             r"vision (?:is )?(?:gone|going|went|dark\w*|black|grey|gray|loss|lost|disappear\w*|fading|dropping|worse\w*|cloud\w*)",
             r"\bblind\w*", r"(?:dark|black|grey|gray) (?:spot|curtain|patch) in my vision")),
    Rule("blurred_vision", "emergency", "blurred vision after an injection can mean toxin spread or a blocked blood vessel",
         _rx(r"(?:vision|sight|eyesight)\s*(?:\w+\s){0,2}(?:blur\w*|fuzzy|hazy)", r"blur\w* (?:vision|sight|eyesight)", r"(?:everything|things) (?:looks?|is|are) blur\w*"),
         unless=frozenset({"blepharoplasty", "laser", "ipl"})),
    Rule("eye_after_filler", "emergency", "eye pain after filler can mean a blocked blood vessel affecting the eye",
         _rx(r"eye\s*(?:\w+\s){0,2}(?:pain|hurts?|hurting|agony)", r"pain (?:in|behind) my eye"), only=_FILLERISH),
    Rule("eye_bleed", "emergency", "a bulging, very painful eye after eyelid surgery can mean bleeding behind the eye",
         _rx(r"eye\s*(?:\w+\s){0,2}(?:bulg\w*|popping out|push\w* out|protrud\w*)", r"bulg\w* eye")),
    Rule("stroke", "emergency", "face drooping, arm weakness, confusion or a sudden severe headache can be signs of a stroke",
         _rx(r"face\s*(?:\w+\s){0,2}droop\w*", r"droop\w* face", r"(?:arm|leg)s? (?:\w+\s)?(?:weak|numb|heavy|dead)\w*", r"weak\w* in my (?:arm|leg)",
             r"worst headache", r"(?:severe|sudden|splitting|thunderclap|blinding) headache", r"confus\w*", r"disorient\w*")),
    Rule("general_weakness", "emergency", "weakness all over the body can mean the toxin has spread",
         _rx(r"(?:whole|entire) body (?:\w+\s)?weak", r"weak (?:all over|everywhere)", r"(?:all )?my muscles (?:are |feel )?(?:\w+\s)?weak",
             r"can'?t (?:lift|hold up) my (?:head|arms?)")),
    Rule("chest", "emergency", "chest pain, coughing blood, fainting or a racing heart after a procedure can mean a clot in the lung",
         _rx(r"chest\s*(?:\w+\s){0,2}(?:pain|hurts?|tight\w*|pressure|sore)", r"pain (?:in|across) my chest", r"cough\w* (?:up )?blood",
             r"blood when i cough", r"faint\w*", r"passed out", r"black(?:ed)? out", r"heart\s*(?:\w+\s){0,2}(?:racing|pounding)", r"racing heart")),
    Rule("sepsis", "emergency", "shaking, confusion, no urine or feeling extremely unwell can be signs of sepsis",
         _rx(r"(?:shaking|shivering) (?:uncontrollably|non.?stop|badly)", r"(?:haven'?t|not|havent|didn'?t) (?:peed|wee\w*|urinated)",
             r"no (?:urine|pee)", r"feel (?:like )?i'?m dying", r"going to die")),
    # --- clinic_now: contact the clinic now; urgent care or A&E if unreachable ---
    Rule("vascular", "clinic_now", "a white, grey or mottled patch or worsening pain after filler can mean the filler is blocking a blood vessel, which is time-critical",
         _rx(r"(?:lip|lips|skin|area|patch|spot|nose|cheek|chin|tip|it)\s*(?:\w+\s){0,2}(?:went|gone|turn\w*|is|are|look\w*|go(?:ing)?)\s*(?:\w+\s)?(?:white|pale|blanch\w*|grey|gray|dusky|blue|bluish)",
             r"blanch\w*", r"mottl\w*", r"lacy|net.?like|livedo", r"white (?:spots?|patch\w*|area)", r"(?:purple|grey|gray|blue)\w*\s*(?:\w+\s)?(?:blotch\w*|patch\w*|net)",
             r"blotchy", r"pain\s*(?:\w+\s){0,3}(?:getting|get(?:s|ting)?|gotten|got|is) worse", r"worse(?:ning)? pain", r"pain (?:\w+\s)?not better",
             r"(?:skin|lip|lips|it|area)\s*(?:\w+\s){0,2}(?:feels?|is) (?:ice |icy )?cold"), unless=SURGERY),
    Rule("infection", "clinic_now", "increasing redness, heat, pus or fever can mean an infection that needs treatment",
         _rx(r"\bpus\b", r"ooz\w* (?:pus|yellow|green)", r"(?:yellow|green) (?:discharge|fluid|gunk)", r"smell\w*|stinks?|odou?r",
             r"(?:red|hot)\s*(?:,|and)?\s*(?:hot|red|sore|painful|swollen)(?:\s*(?:,|and)\s*(?:hot|red|sore|painful|swollen))?\s*(?:lump|bump|area|wound)?",
             r"fever\w*", r"high temp\w*", r"chills", r"infect\w*")),
    Rule("dvt", "clinic_now", "a swollen, painful, warm or red calf can mean a blood clot in the leg",
         _rx(r"calf\s*(?:\w+\s){0,2}(?:swoll\w*|swell\w*|pain\w*|hurts?|sore|warm|hot|red|tender|cramp\w*)", r"(?:swollen|painful|sore) calf",
             r"one leg\s*(?:\w+\s){0,2}(?:bigger|swollen|fatter)", r"leg (?:is )?(?:swollen|painful) (?:and|after)", r"leg pain after (?:surgery|my|the|a) ",
             r"\bdvt\b|blood clot")),
    Rule("haematoma", "clinic_now", "swelling on one side that grows fast and feels tight, or heavy bleeding, can mean bleeding under the skin",
         _rx(r"one side\s*(?:\w+\s){0,4}(?:swollen|bigger|tight|hard)", r"(?:suddenly|rapidly|quickly) (?:much )?(?:bigger|swollen|swelling|hard)",
             r"bleed\w*\s*(?:\w+\s){0,2}(?:won'?t stop|not stopping|through|soak\w*|a lot|heavily)", r"soak\w* (?:through )?(?:the |my )?(?:dressing|bandage|gauze)",
             r"drain\s*(?:\w+\s){0,3}(?:bright red|blood|clots?)", r"hard and (?:tight|tense)|tight and hard|tense and (?:swollen|hard)")),
    Rule("kybella_swallow", "clinic_now", "trouble swallowing after Kybella needs checking by your clinic today",
         _rx(_SWALLOW, r"(?:crooked|uneven|lopsided|asymmetric\w*) smile", r"smile\s*(?:\w+\s){0,2}(?:crooked|uneven|lopsided)", r"open sores?"),
         only=frozenset({"kybella"})),
    Rule("burn", "clinic_now", "blisters, burns or a cold-sore outbreak after a laser, light or peel treatment need checking",
         _rx(r"blister\w*", r"\bburn(?:s|t|ed)?\b(?!\w)(?! feel)(?! sensation)", r"cold sores?|herpes|fever blisters?", r"raw (?:and )?(?:weeping|oozing)", r"weeping"),
         only=frozenset({"laser", "ipl", "chemical_peel", "microneedling"})),
    Rule("uncontrolled_pain", "clinic_now", "pain that your medicine does not control needs checking",
         _rx(r"(?:painkillers?|pain ?meds?|medication|tablets?|pills?)\s*(?:\w+\s){0,2}(?:not|aren'?t|isn'?t|don'?t|doesn'?t|arent|isnt)\s*(?:\w+\s)?(?:working|touching|helping|help|doing)",
             r"(?:unbearable|excruciating|agoni\w*|severe|intense|extreme) pain", r"pain (?:is )?(?:unbearable|excruciating|severe|10/10|ten out of ten)")),
    # --- clinic_soon: answer normally, and add: book a check ---
    # A droop with nothing else is "U (routine)" in the brief and has its own stored thread, so the
    # patient gets that answer plus "contact your injector"; with double vision, swallowing or breathing
    # trouble the emergency rules above win.
    Rule("toxin_droop", "clinic_soon", "a drooping eyelid or brow after toxin should be checked by your injector",
         _rx(r"eye\s*(?:is )?half (?:closed|shut)", r"(?:eye ?lid|eyebrow|brow|lid|eye)s?\s*(?:\w+\s){0,2}(?:droop\w*|dropp\w*|dropped|fell|falling|hooded|lower)", r"droopy (?:eye|lid|brow)\w*",
             r"(?:droop\w*|dropped|heavy) (?:eye ?lid|brow|eyebrow)")),
    Rule("late_implant_change", "clinic_soon", "new swelling or a lump around an implant years later should be checked",
         _rx(r"implant\w*\s*(?:\w+\s){0,5}(?:swoll\w*|swell\w*|lump|fluid)\s*(?:\w+\s){0,3}years?", r"years? (?:after|later)\s*(?:\w+\s){0,5}(?:swoll\w*|swell\w*|lump|fluid)"),
         only=frozenset({"breast_augmentation"})),
    Rule("fat_growth", "clinic_soon", "a treated area growing bigger and firmer months later should be checked",
         _rx(r"(?:fat|area|bulge|belly|stomach)\s*(?:\w+\s){0,3}(?:got|getting|grew|grown|is) (?:bigger|larger|harder|firmer)"),
         only=frozenset({"coolsculpting"})),
)

# Words that negate a symptom named after them in the same clause ("no trouble breathing").
_NEGATION = re.compile(r"\b(?:no|not|without|never|nor|denies|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|haven'?t|hasn'?t|wasn'?t|zero|none)\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[.;!?,]|\b(?:but|however|although|though|except)\b", re.IGNORECASE)
_FEVER = re.compile(r"(?:temp\w*|fever)\D{0,12}(\d{2,3}(?:\.\d)?)", re.IGNORECASE)


def _negated(text: str, start: int) -> bool:
    clause_start = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    before = text[clause_start:start]
    # "can't"/"cannot" inside the symptom itself is not negation; look at up to 4 words before it.
    return bool(_NEGATION.search(" ".join(before.split()[-4:])))


def _applies(rule: Rule, treatment: str | None) -> bool:
    if treatment in rule.unless:
        return False
    return not rule.only or treatment is None or treatment in rule.only


def _fever_alert(text: str) -> Alert | None:
    for m in _FEVER.finditer(text):
        value = float(m.group(1))
        if 38.0 <= value <= 43.0 or 100.4 <= value <= 108.0:
            return Alert("clinic_now", "fever", "a temperature of 38 °C (100.4 °F) or more can mean an infection")
    return None


def assess(message: str, treatment: str | None = None) -> Alert | None:
    """The most urgent red flag in a message, or None. `treatment` is the canonical treatment, if known."""
    text = " ".join((message or "").lower().replace("’", "'").split())
    if not text:
        return None
    found: list[Alert] = []
    for rule in RULES:
        if not _applies(rule, treatment):
            continue
        if any(not _negated(text, m.start()) for m in rule.regex.finditer(text)):
            found.append(Alert(rule.urgency, rule.pattern, rule.reason))
    fever = _fever_alert(text)
    if fever:
        found.append(fever)
    return max(found, key=lambda a: _RANK[a.urgency], default=None)


def is_urgent(alert: Alert | None) -> bool:
    """Whether an alert replaces the answer (emergency or clinic now) rather than adding to it."""
    return alert is not None and alert.urgency in ("emergency", "clinic_now")


def compose_alert(alert: Alert, contact: Contact) -> Reply:
    """What to do now, plainly, with no retrieved advice."""
    why = f"This matters because {alert.reason}."
    if alert.urgency == "emergency":
        text = (
            f"This could be an emergency. Call {contact.emergency_number} now, or go to the nearest emergency department. "
            f"Please don't wait for an online answer. {why} "
            f"When you are safe, let {contact.clinic} know."
        )
    else:
        text = (
            f"Please contact {contact.clinic} now, not tomorrow. If you can't reach them within a few minutes, "
            f"go to urgent care or the emergency department. {why} "
            f"If things get worse, or you have trouble breathing, call {contact.emergency_number}."
        )
    notice = f"I'm an automated assistant and can't examine you. In an emergency call {contact.emergency_number}."
    return Reply(text=f"{text}\n\n{notice}", disclaimer=notice)


def check_note(alert: Alert, contact: Contact) -> str:
    """The line added to a normal answer for a `clinic_soon` flag."""
    return f"Please also book a check with {contact.clinic}: {alert.reason}."
