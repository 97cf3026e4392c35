"""Red-flag rules as data: the regex fragments in patients' words, one `Rule` per row of the red-flag table
in the domain brief, the treatments after which a symptom is expected, and how long. Nothing here runs on
a message; bot/triage/engine.py applies these.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from bot.treatments import SURGERY

Urgency = Literal["emergency", "clinic_now", "clinic_soon"]


@dataclass(frozen=True)
class Rule:
    """One red flag: its name, urgency, the reason given to the patient, its regex and where it applies."""

    pattern: str
    urgency: Urgency
    reason: str
    regex: re.Pattern[str]
    # `unless`: treatments after which the symptom is expected. `only`: the rule is specific to these
    # treatments; it still applies when the treatment is unknown, because missing a red flag is worse.
    unless: frozenset[str] = frozenset()
    only: frozenset[str] = frozenset()
    # How long after an `unless` treatment the symptom stays expected; after that the rule applies again
    # (red, warm skin is expected for a day or two after a laser, not a week later). None: always expected.
    expected_for: dt.timedelta | None = None


def _rx(*alternatives: str) -> re.Pattern[str]:
    """One regex from alternatives, each anchored at word boundaries on both sides."""
    return re.compile("|".join(rf"(?<!\w)(?:{a})(?!\w)" for a in alternatives), re.IGNORECASE)


# ------------------------------------------------------------------------------------------------------
# Shared vocabulary. Text is lowercased, curly apostrophes are straightened and whitespace is collapsed
# to single spaces before matching, so fragments use a plain " " between words.

# Negations, and the words that end a negation's reach; _gap() never skips over them.
NEG = (
    r"(?:no|not|never|nor|none|neither|without|isn'?t|aren'?t|wasn'?t|weren'?t|don'?t|doesn'?t|didn'?t|"
    r"haven'?t|hasn'?t)"
)
_STOP = rf"(?:{NEG}|but|and|or|though|although|except|however)"


def _gap(n: int) -> str:
    """Up to n filler words (each followed by a space) between a site and its symptom, none a negation."""
    return rf"(?:(?!{_STOP}\b)[\w']+ ){{0,{n}}}"


def _span(n: int) -> str:
    """Like _gap, but may cross "and"/"or" ("eye swollen shut and bulging"); still never a negation."""
    return rf"(?:(?!{NEG}\b)[\w']+ ){{0,{n}}}"


# Body words with their common misspellings ("tounge", "swollow", "vison", "dubble").
_TONGUE = r"(?:tongue|tounge|tonge)'?s?"
_SWALLOWING = r"(?:swallow|swollow|swalow|swallo)\w*"
_VISION = r"(?:vision|vison|vission|sight|eyesight|eye sight)"
_DOUBLE = r"(?:double|dubble|duble)"

# "can't", "hard to", "trouble", "struggling to", "can barely"... (difficulty doing something)
_CANT = (
    r"(?:can ?not|can'?t|could ?n'?t|unable to|not able to|no longer able to|can no longer|"
    r"can (?:barely|hardly|only just)|(?:barely|hardly)(?! any)|having a hard time|"
    r"(?:hard|difficult|tough|impossible|a struggle|an effort) to|"
    r"(?:trouble|difficulty|difficulties|problems?|issues?|struggl\w*|strain\w*)(?: to| with)?)"
)

_SWALLOW = (
    rf"{_CANT} {_span(3)}{_SWALLOWING}",  # _span: "struggling to chew and swallow"
    rf"{_SWALLOWING} {_gap(3)}(?:hard|harder|difficult\w*|tough|tricky|impossible|weird|strange|odd|funny|wrong|"
    r"a struggle|an effort|trouble|problems?|issues?|struggl\w*)",
    r"chok(?:e|ed|es|ing)(?! up)",
    r"gag(?:s|ged|ging)? on",
    # "hard to get my food down", "can't keep water down"
    rf"{_CANT} {_gap(2)}(?:get|keep|force) {_gap(2)}(?:food|water|drinks?|liquids?|fluids?|pills?|tablets?|"
    r"anything|it|them|soup|tea|coffee) down",
    # "food/water going down the wrong way"
    r"(?:going|goes|went|gone|go) down (?:the )?wrong(?: way| pipe| hole| side)?",
    rf"(?:food|water|drinks?|liquids?|fluids?|pills?|tablets?|something|things|it) {_gap(3)}stuck in my throat",
    # drink coming back out through the nose (weak palate), not water up the nose in the shower
    r"(?:water|drinks?|liquids?|fluids?|food|milk|tea|coffee) (?:\w+ ){0,3}(?:coming|comes|came|come) (?:back )?"
    r"(?:out|up) (?:of |through )?my nose",
)

# "can't breathe through my nose" after a nose job is expected congestion, not an airway problem.
_NOT_NOSE = (
    r"(?! (?:[\w']+ ){0,2}(?:through|out of|from|via|with|in) "
    r"(?:(?:my |the |one |either |left |right )*(?:nose|nostril)|it\b))"
)
_BREATHE = (
    rf"{_CANT} {_span(3)}(?:breath\w*|get (?:my |a |enough |any )?(?:breath|air)){_NOT_NOSE}",
    rf"breathing {_gap(3)}(?:hard|harder|difficult\w*|laboured|labored|heavy|shallow|tight|noisy|raspy|rattl\w*|"
    rf"strained|a struggle|an effort|struggl\w*|fast|rapid|funny|weird|strange|trouble|problems?){_NOT_NOSE}",
    r"(?:laboured|labored|noisy|rapid|shallow|difficult|raspy) breathing",
    r"short(?:ness)? of breath",
    r"(?:breathless\w*|out of breath)(?! easily)",
    r"gasping(?! at)",
    r"wheez\w*",
    r"(?:struggling|fighting|gasping) for (?:air|breath)",
    r"air hunger",
    r"(?:i'?m|i am|like i'?m) suffocating",
    rf"(?:stopp?\w*|stops) breathing{_NOT_NOSE}",
)

_DROOP = (
    rf"(?:eye ?lids?|eyebrows?|brows?|lids?) {_gap(4)}(?:droop\w*|dropp\w*|dropped|fell|fallen|falling|"
    r"hood\w*|lower\w*|sag\w*|sunk|sinking|heavy|heavier|half (?:closed|shut)|won'?t open)",
    rf"eyes? {_gap(4)}(?:droop\w*|dropp\w*|dropped|sagg\w*|half (?:closed|shut)|won'?t open)",
    r"(?:droop\w*|dropped|heavy|hooded|saggy|sagging|lazy) (?:eye ?lids?|lids?|brows?|eyebrows?|eyes?)",
    r"(?:can'?t|cannot|unable to) (?:fully |properly )?open (?:my )?(?:left |right |one )?eyes?",
    r"ptosis",
)

_PAIN = r"(?:pain\w*|hurt\w*|sore\w*|ach(?:e|es|ing|y)|headaches?|throb\w*|tender\w*|agony)"
_MEDS = (
    r"(?:pain ?killers?|pain ?meds?|pain ?relief|meds|medication|medicine|tablets?|pills?|paracetamol|"
    r"acetaminophen|tylenol|ibuprofen|advil|nurofen|co-?codamol|codeine|tramadol|oxy\w*|morphine|norco|"
    r"percocet|vicodin)"
)
_SKIN = (
    r"(?:lips?|skin|area|patch|spot|bit|nose|nostril|tip|cheeks?|chin|jaw\w*|forehead|temples?|"
    r"tear troughs?|under ?eyes?|it|side)"
)
_HEAT = r"(?:hot|warm|hotter|warmer|warmth|heat|burning hot)"

# Late implant changes: a time span in years, and a new swelling, lump or fluid, in either order.
_YEARS = (
    r"(?:\d+|a few|few|several|many|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty) ?"
    r"(?:years?|yrs?)|decades?|(?:19|20)\d\d|years (?:later|after|ago|on)"
)
_LATE_SX = r"swell\w*|swollen|lumps?|lumpy|fluid|bigger|larger|grow\w*|enlarg\w*|mass|puff\w*|changed shape"
# Words are [\w']+ and the gaps between them [^\w']+, two classes that share no character: with "\W+"
# for the gaps an apostrophe could go to either side, and a run of apostrophes backtracked exponentially
# ("3 years" followed by 40 apostrophes took hours). The optional "'" lets a word end in one ("years' time").
_FAR = rf"'?(?:[^\w']+(?!{NEG}\b)[\w']+){{0,14}}?[^\w']+"

_FILLERISH = frozenset({"filler", "sculptra", "radiesse"})
_ENERGY = frozenset({"laser", "ipl", "chemical_peel", "microneedling"})

RULES: tuple[Rule, ...] = (
    # ==================================== emergency: call the emergency number now ====================
    Rule("breathing", "emergency", "difficulty breathing needs emergency care", _rx(*_BREATHE)),
    Rule(
        "airway_swelling",
        "emergency",
        "swelling of the tongue or throat can block the airway (a severe allergic reaction)",
        _rx(
            rf"(?:(?:lips?|face|mouth|neck) and (?:my )?)?(?:{_TONGUE}|throat'?s?|windpipe|airway|uvula|"
            r"roof of my mouth|back of my mouth)(?: and (?:my )?(?:lips?|face|mouth|neck|tongue|throat))? "
            rf"{_gap(3)}(?:swell\w*|swollen|tight\w*|clos\w*|puff\w*|thick\w*|bigger|huge|massive|enlarg\w*|fat|"
            r"fatter|blown up|balloon\w*|narrow\w*|constrict\w*|heavy|growing)",
            rf"(?:swell\w*|swollen|puffy|tight\w*|closing|thick|enlarged|fat|massive|huge) {_gap(2)}"
            rf"(?:{_TONGUE}|throat|windpipe|airway|uvula)",
            r"anaphyla\w*",
            r"epi ?pen",
            rf"(?:having|had|got|getting|is|it'?s|think|like|bad|severe|serious|massive) {_gap(2)}allergic reaction",
            rf"hives {_gap(3)}(?:all over|everywhere|spreading|over my (?:whole|entire) body)",
            r"(?:covered|broken out|broke out|breaking out|come out|came out) in (?:hives|welts)",
            # a rash or hives with faintness or wheeze is anaphylaxis, not a skin problem
            r"(?:hives|welts|rash\w*) (?:\w+ ){0,6}(?:dizz\w*|faint\w*|light.?headed|wheez\w*|vomit\w*|throwing up)",
            r"(?:dizz\w*|faint\w*|light.?headed) (?:\w+ ){0,6}(?:hives|welts|rash\w*)",
        ),
    ),
    Rule(
        "swallowing",
        "emergency",
        "trouble swallowing can mean the toxin has spread beyond where it was injected",
        _rx(*_SWALLOW),
        unless=frozenset({"kybella"}),
    ),  # after Kybella: clinic_now, see kybella_complication
    Rule(
        "speech",
        "emergency",
        "slurred speech or trouble speaking can mean toxin spread or a stroke",
        _rx(
            r"slurr?\w*",
            rf"{_CANT} {_span(3)}(?:speak|talk|get (?:my |the )?words out|form (?:words|sentences))(?:ing)?"
            r"(?! (?:to|with|about|on|over|for|right now|now|at the moment|at work|long|much)\b)",
            rf"(?:speech|voice|words|talking) {_gap(3)}(?:weird|strange|off|slow|garbled|slurr?\w*|funny|nasal|"
            r"wrong|jumbled|muddled|mixed up|thick|drunk|mumbl\w*|gone|not right|nonsense|gibberish|trouble|"
            r"problems?)",
            r"words (?:\w+ ){0,2}(?:coming|come|came) out (?:\w+ )?(?:wrong|funny|weird|strange|jumbled|muddled|"
            r"mixed up|slurred|backwards)",
            r"(?:not|isn'?t|aren'?t|stopped) making (?:any )?sense",
            r"talk\w* (?:nonsense|gibberish)",
            r"(?:sound|sounds|sounding) (?:like i'?m |like im )?(?:drunk|nasal|slurred)",
            r"can'?t find (?:my |the )?words",
            r"mumbl\w*",
            r"nasal (?:voice|speech|sounding)",
        ),
    ),
    Rule(
        "double_vision",
        "emergency",
        "double vision can mean toxin spread or a blocked blood vessel near the eye",
        _rx(
            rf"{_DOUBLE} (?:{_VISION}|images?)",
            rf"(?:seeing|see|saw|sees) {_gap(2)}{_DOUBLE}",
            r"(?:two|2) of (?:everything|everyone|every\w*|things)",
            r"(?:seeing|see|saw|sees) (?:two|2) of",
            r"(?:two|2) (?:images|tvs|screens|pictures)",
            r"(?:seeing|see|saw) (?:two|2)(?! (?:different|doctors?|injectors?|surgeons?|clinics?|nurses?|people|"
            r"weeks?|days?|months?|hours?|times?|options?)\b)",
            r"(?:everything|things|objects|words|text|the tv|people|faces|lines) (?:\w+ ){0,2}(?:doubled|double)",
            rf"(?:vision|eyes?|sight) {_gap(2)}(?:doubl\w*|split\w*|crossed)",
            r"ghost\w* (?:images?|vision)",
            r"overlapping (?:images|vision)",
            r"eyes (?:not|don'?t|aren'?t|won'?t) (?:lining up|line up|working together|aligned|focus\w* together)",
        ),
    ),
    Rule(
        "vision_loss",
        "emergency",
        "loss of vision after an injection or eyelid surgery is an emergency",
        # "can't see", but not "can't see without my glasses", "can't see any difference" or "can't see my surgeon"
        _rx(
            r"(?:can ?not|can'?t|could ?n'?t|unable to|not able to|can (?:barely|hardly)) see"
            r"(?! (?:[\w']+ ){0,3}?(?:without|glasses|specs|contacts|lenses|differen\w*|changes?|results?|"
            r"improvement|effect\w*|point|why|how|what|when|where|whether|if|doctor|surgeon|injector|nurse|clinic|"
            r"gp|dr|appointment|anyone|anybody|you|reason|bruis\w*|scars?|stitch\w*|lumps?|swelling|"
            r"incisions?|much of)\b)",
            rf"(?:lost|losing|lose|loss of) (?:my |the |all |some |part of (?:my )?)?{_VISION}",
            rf"{_VISION} {_gap(3)}(?:gone|going|goes|went|dark\w*|dim|dimmer|dimming|black\w*|"
            r"grey\w*|gray\w*|lost|loss|disappear\w*|fading|faded|dropp\w*|worse\w*|worsen\w*|shadow\w*|blank|"
            r"closing in)",
            rf"eyes? {_gap(2)}(?:gone|went|going|turned|getting) (?:dark|dim|blind|black and white)",
            r"(?:everything|it all|the room|the world) (?:\w+ ){0,2}(?:went|goes|going|gone|turned|turning|getting|"
            r"got) (?:\w+ )?(?:dark|black|grey|gray|dim|dimmer|darker)",
            r"(?:dark|black|grey|gray) (?:spots?|curtains?|patch\w*|shadows?|areas?|clouds?|veil|shade)"
            r" in (?:my |the )?(?:\w+ )?(?:vision|sight|eye|field)",
            r"(?:curtain|shadow|veil|shade) (?:\w+ ){0,3}(?:over|across|coming down|came down) (?:\w+ ){0,2}"
            r"(?:eye|vision|sight)",
            # "blind", but not the question "can filler cause blindness"
            r"(?<!cause )(?<!causes )(?<!causing )(?<!make you )(?<!makes you )blind(?:ed|ness)?",
            r"only see (?:light|shadows|shapes)",
        ),
    ),
    Rule(
        "blurred_vision",
        "emergency",
        "blurred vision after an injection can mean toxin spread or a blocked blood vessel",
        _rx(
            rf"(?:{_VISION}|eyes?|everything|things|it all) {_gap(3)}(?:blurr?\w*|fuzzy|hazy|misty|"
            r"foggy|cloudy|out of focus|smudg\w*)",
            rf"{_VISION} {_gap(3)}(?:weird|funny|strange|off|not right|wonky|distorted|wavy|"
            r"messed up|affected|sparkl\w*|flash\w*)",
            r"blurr?(?:y|ed|ing|iness)",
            r"(?:can'?t|cannot|unable to) focus my eyes",
            r"eyes (?:can'?t|won'?t|don'?t|cannot) focus",
        ),
        # watery or blurry eyes are expected for a while after eyelid surgery and lasers near the eye
        unless=frozenset({"blepharoplasty", "laser", "ipl"}),
        expected_for=dt.timedelta(weeks=3),
    ),
    Rule(
        "filler_eye",
        "emergency",
        "eye pain or a drooping eyelid after filler can mean a blocked blood vessel affecting the eye",
        # pain *under* the eye after tear-trough filler is the injection site, so only pain in or behind it
        _rx(
            rf"(?<!under )(?<!under my )(?<!around my )(?<!around )eyes? {_gap(3)}(?:pain\w*|hurt\w*|sore|"
            r"ach\w*|agony|throbb\w*|stinging)",
            r"(?:pain|ache|aching|throbbing|pressure) (?:\w+ ){0,2}(?:in|behind) (?:my |the |one |left |right )*eyes?",
            r"(?:sore|painful|aching) eyes?",
            *_DROOP,
        ),
        only=_FILLERISH,
    ),
    Rule(
        "eye_bleed",
        "emergency",
        "a bulging or very painful eye after eyelid surgery can mean bleeding behind the eye",
        _rx(
            rf"eyes? {_span(4)}(?:bulg\w*|popping out|pop\w* out|push\w* out|protrud\w*|sticking out|poking out)",
            r"bulg\w* eyes?",
            r"(?:sticking|poking|popping|bulging|pushing) out more than the other",
            r"(?:severe|extreme|excruciating|unbearable|intense|deep|agoni[sz]ing|crushing|terrible|horrendous|"
            r"really bad|worst) (?:\w+ )?(?:pain|ache|pressure) (?:\w+ ){0,2}(?:in|behind) (?:my |the |one |left |"
            r"right )*eyes?",
            rf"eyes? {_gap(3)}(?:extremely|incredibly|unbearably|excruciatingly|so|really|very) painful",
            rf"eyes? {_gap(3)}(?:agony|excruciating|unbearable|killing me)",
        ),
    ),
    Rule(
        "stroke",
        "emergency",
        "face drooping, arm weakness, confusion or a sudden severe headache can be signs of a stroke",
        _rx(
            rf"(?:face|mouth) {_gap(3)}(?:droop\w*|dropp\w*|sagging|slipp\w*|fallen|lopsided|paralys\w*|frozen)",
            r"droop\w* (?:face|mouth)",
            rf"one side of (?:my |the |her |his )?(?:face|mouth|body) {_gap(3)}(?:droop\w*|dropp\w*|sagging|"
            r"fallen|slipp\w*|weak\w*|paralys\w*|heavy|won'?t move|not moving|dead)",
            rf"one side of (?:my |her |his |the )?body {_gap(3)}numb\w*",
            rf"arms? {_gap(3)}(?:weak\w*|numb\w*|heavy|dead|limp|floppy|paralys\w*|useless|won'?t move|"
            r"not working|gave way|giving way)",
            rf"legs? {_gap(3)}(?:weak\w*|dead|limp|floppy|paralys\w*|useless|won'?t move|gave way|giving way|"
            r"giving out|gave out|buckl\w*)",
            r"weak\w* (?:\w+ ){0,2}(?:in|down) (?:my |one |the )*(?:left |right )?(?:arms?|legs?|side)",
            r"(?:can'?t|cannot|unable to) (?:move|feel) my (?:left |right )?arm",
            r"(?:can'?t|cannot|unable to) move my (?:left |right )?leg",
            # the sudden "worst ever" headache; other severe headaches are in severe_headache below
            r"(?:worst|sudden|splitting|thunderclap|blinding|explosive) (?:\w+ )?headache",
            rf"headache {_gap(2)}(?:worst|out of nowhere|came on suddenly)",
            r"head (?:is |feels (?:like it'?s )?)?(?:exploding|splitting)",
            # "confused" as a state, not "confused about the aftercare" or "a bit confused, can i..."
            r"(?<!bit )(?<!little )(?<!slightly )confus(?:ed|ion)(?![,.?]? (?:about|by|over|as to|re|regarding|"
            r"with|on|why|how|what|which|when|whether|if|because|as|can|should|is|do|does|will|are)\b)",
            r"disorient\w*",
            r"(?:can'?t|cannot|not) think(?:ing)? straight",
            r"don'?t know where i am",
            r"(?:doesn'?t|didn'?t|does not|did not) (?:know|recogni[sz]e) (?:me|where|who)",
        ),
    ),
    # A headache is common after toxin; a severe one there is a clinic_now pain problem (uncontrolled_pain).
    Rule(
        "severe_headache",
        "emergency",
        "a severe headache after filler or surgery can mean a blocked blood vessel",
        _rx(
            r"(?:severe|excruciating|crushing|agoni[sz]ing|unbearable|horrendous|horrific|awful|terrible|horrible|"
            r"massive|killer|really bad|extreme|intense) (?:\w+ )?headache",
            rf"headache {_gap(2)}(?:severe|unbearable|excruciating|agony|10/10|so bad|really bad|awful|terrible|"
            r"horrendous)",
        ),
        unless=frozenset({"neuromodulator"}),
    ),
    Rule(
        "general_weakness",
        "emergency",
        "weakness all over the body can mean the toxin has spread",
        _rx(
            rf"(?:whole|entire) body {_gap(3)}(?:weak\w*|heavy|floppy|limp|not working)",
            r"weak (?:all over|everywhere|as a kitten)",
            rf"(?:all (?:of )?my|every) muscles? {_gap(3)}(?:weak\w*|floppy|heavy|giving (?:up|way|out)|not working)",
            r"muscles (?:\w+ ){0,2}weak (?:all over|everywhere)",
            r"(?:can'?t|cannot|struggling to|hard to|unable to) (?:hold|keep|lift) (?:my )?head up",
            r"(?:no|zero) strength (?:in|anywhere|left)",
            r"(?:too|so) weak (?:to|(?:that )?i can'?t) (?:stand|walk|get up|lift|hold)",
        ),
    ),
    # Chest pain on its own is expected soreness after breast surgery; the lung-clot signs below still apply.
    Rule(
        "chest_pain",
        "emergency",
        "chest pain after a procedure can mean a clot in the lung",
        _rx(
            rf"chest {_gap(3)}(?:pain\w*|hurt\w*|tight\w*|pressure|sore\w*|ach\w*|heav\w*|crush\w*|squeez\w*|"
            r"stabb\w*|burning)",
            r"(?:pain|tightness|pressure|ache|aching|heaviness|crushing|squeezing|stabbing|sharp pain) (?:\w+ ){0,2}"
            r"(?:in|across|on|around|through) (?:my |the )?chest",
        ),
        unless=frozenset({"breast_augmentation"}),
    ),
    Rule(
        "lung_clot",
        "emergency",
        "pain on breathing in or coughing blood after a procedure can mean a clot in the lung",
        _rx(
            rf"(?:pain\w*|hurt\w*|sore|stabb\w*|sharp|catch\w*|agony) {_gap(4)}(?:when|every time|whenever|if|as) "
            r"(?:i )?(?:breathe|breath|take a (?:deep |big )?breath|inhale|breathing in)",
            rf"(?:breathing|breathe|breath\w*) (?:in )?{_gap(2)}(?:hurts|is painful|painful|sore|sharp pain|agony)",
            r"(?:hurts|painful|pain|agony) to (?:breathe|take a breath|inhale)",
            r"cough\w* (?:up )?(?:(?:bits|bit|flecks?|streaks?|spots?|specks?|some|a (?:bit|little|lot)|lots|"
            r"traces?|clots?) (?:of )?)?(?:fresh |bright |red |dark )?blood\w*",
            r"(?:blood|bloody|red|pink) (?:\w+ ){0,2}(?:in|streaked|when i cough|in my) (?:my |the )?(?:spit|phlegm|"
            r"sputum|mucus|saliva|cough)",
            r"(?:bloody|blood.?streaked|blood.?stained|frothy pink) (?:spit|phlegm|sputum|mucus)",
            r"spit\w* (?:up |out )?(?:\w+ ){0,2}blood",
            rf"cough\w* {_span(4)}blood(?! pressure| tests?)",
            rf"blood {_span(4)}cough\w*",
        ),
    ),
    Rule(
        "collapse",
        "emergency",
        "fainting or a racing heart after a procedure can mean a clot in the lung or blood loss",
        # "faint" as in fainting, not "a faint bruise"
        # fainting at the needle during the appointment is a common, harmless faint
        _rx(
            r"faint(?:ed|ing)(?! (?:\w+ ){0,2}(?:at|during|in) (?:the |my |her |his )?(?:\w+ )?(?:appointment|clinic|"
            r"procedure|injection|needle|treatment|consultation))",
            r"(?:feel\w*|felt|going to|gonna|about to|nearly|almost|might|keep|kept) (?:\w+ )?faint",
            r"pass(?:ed|ing)? out",
            r"black(?:ed|ing)? out",
            r"(?:i|i'?ve|she|he|nearly|almost|just|then) collapsed",
            r"collapsing",
            rf"heart {_gap(3)}(?:racing|pounding|thumping|hammering|fluttering|"
            r"going (?:crazy|mad|so fast|really fast)|"
            r"beating (?:\w+ )?fast|skipping|irregular)",
            r"racing heart",
            r"palpitations?(?! (?:when|if|whenever)\b)",
            rf"pulse {_gap(2)}(?:racing|fast|high|weak|thready)",
        ),
    ),
    Rule(
        "sepsis",
        "emergency",
        "shaking, confusion, no urine or feeling extremely unwell can be signs of sepsis",
        _rx(
            rf"(?:shak\w*|shiver\w*|trembl\w*) {_gap(2)}(?:uncontrollabl\w*|non.?stop|badly|violently|like crazy|"
            r"like mad|like a leaf|so much|so hard|all over|constantly)",
            r"(?:can'?t|cannot) stop (?:shaking|shivering|trembling)",
            r"rigou?rs",
            r"teeth (?:are )?chattering",
            r"(?:extreme|violent|uncontrollable|severe|intense) (?:shivering|shaking|shakes|chills)",
            # "pee(d|ing)" but not "peeled": a skin that hasn't peeled yet is a peel question
            rf"(?:haven'?t|have not|not|didn'?t|did not|hasn'?t|can'?t|cannot|unable to|barely) {_gap(3)}"
            r"(?:pee|peed|peeing|wee|weed|weeing|urinat\w*|passed (?:any )?urine|passed water)",
            r"no (?:urine|pee|wee)\b",
            # "i'm dying", but not "dying to know" or "dying for a drink"
            r"(?:feel\w*|felt) (?:\w+ ){0,2}(?:dying|going to die|gonna die|like death)",
            r"going to die|gonna die|i'?m dying(?! (?:to|for)\b)",
            r"(?:extremely|really|very|seriously|terribly|incredibly|super|so) (?:unwell|ill)(?! with)",
            r"(?:can'?t|hard to|struggling to) (?:stay awake|wake (?:her|him|me|up))",
        ),
    ),
    Rule(
        "sepsis_skin",
        "emergency",
        "mottled skin after surgery can be a sign of sepsis",
        _rx(r"mottl\w*", r"marbl\w* skin"),
        only=SURGERY,
    ),
    # ==================================== clinic_now: contact the clinic now; A&E if unreachable =======
    Rule(
        "vascular",
        "clinic_now",
        "a white, grey or mottled patch or a cold patch of skin after filler can mean the filler is blocking a "
        "blood vessel, which is time-critical",
        _rx(
            rf"{_SKIN} {_gap(3)}(?:went|gone|go|goes|going|turn\w*|become|became|becoming|getting|got|changed|"
            r"changing|is|are|was|looks?|looking|seems?|appears?) (?:\w+ ){0,2}(?:white|whit\w*|pale\w*|"
            r"blanch\w*|grey\w*|gray\w*|dusky|ashen|waxy|bluish|blueish|purplish|mottl\w*|blotch\w*|lacy|marbl\w*)",
            r"lips? (?:have |has )?(?:gone|went|turned|turning|going) (?:\w+ )?blue",
            r"blanch\w*",
            r"mottl\w*",
            r"livedo\w*",
            r"(?:lacy|net.?like|web.?like|lace.?like|marbled|reticular)",
            r"dusky|greyish|grayish|bluish|blueish|ashen",
            r"white (?:spots?|patch\w*|areas?|dots?|marks?|bits?)",
            r"(?:pale|grey|gray) (?:patch\w*|areas?|spots?|skin)",
            r"(?:purple|blue|grey|gray)\w* (?:and |, ?)?(?:blotch\w*|net|web|lace|lacy|mottl\w*|pattern)",
            r"blotchy",
            # a cold patch of skin ("it feels cold" is more often the ice pack)
            rf"(?!it ){_SKIN} {_gap(3)}(?:feels?|is|are|gone|went|turned|getting|got) "
            r"(?:ice |icy |stone |really |very )?"
            r"(?:cold|icy|freezing)(?! sores?)",
            r"cold to (?:the )?touch",
            # blisters or pustules a day or two after filler are a late sign of a blocked vessel
            r"blister\w*",
            r"pustul\w*",
        ),
        only=_FILLERISH,
    ),
    # The delayed pain of CoolSculpting (days 3-5) is expected; anywhere else pain that grows is a warning sign.
    Rule(
        "worsening_pain",
        "clinic_now",
        "pain that keeps getting worse can mean a blocked blood vessel after filler, or bleeding or infection",
        _rx(
            rf"{_PAIN} {_gap(4)}(?:getting|get|gets|got|gotten|keeps? getting|growing|becoming|become|has got|"
            r"has gotten) (?:\w+ )?(?:worse|more (?:intense|severe|painful|sore)|stronger|sharper|unbearable)",
            rf"{_PAIN}(?: and| but)? {_gap(5)}(?:worse|worsening|increasing|intensifying|escalating|ramping up|"
            r"not (?:getting |any )?(?:better|improving|easing|settling)|no better)",
            r"(?:worse|worsening|increasing|escalating) (?:\w+ )?(?:pain|throbbing|ache|soreness)",
            r"hurts? (?:\w+ )?more (?:today|now|and more|every|each|than (?:yesterday|before|it did|last night|"
            r"this morning|the day before))",
            r"(?:more and more|increasingly|even more|much more) (?:painful|sore|tender)",
            r"(?:getting|got|gets|becoming) (?:\w+ )?(?:more painful|more sore|sorer|more tender)",
        ),
        unless=frozenset({"coolsculpting"}),
        expected_for=dt.timedelta(weeks=3),
    ),
    Rule(
        "infection",
        "clinic_now",
        "increasing redness, heat, pus or fever can mean an infection that needs treatment",
        _rx(
            r"pus",
            r"pus.?filled",
            rf"ooz\w* {_gap(2)}(?:pus|yellow\w*|green\w*|cloudy|milky|thick|smelly|gunk|goo|muck|crust\w*)",
            r"(?:yellow|green|greenish|yellowish|cloudy|milky|smelly|foul|creamy)\w* (?:\w+ )?(?:discharge|gunk|goo|"
            r"stuff|liquid|muck|crust\w*|ooze|scabs?)",
            # straw-coloured fluid from lipo ports is expected; cloudy, milky or green fluid is not
            r"(?:green|greenish|cloudy|milky|smelly|foul|creamy|thick)\w* (?:\w+ )?fluid",
            r"(?:discharge|fluid|liquid|stuff) (?:\w+ ){0,2}(?:yellow|green|cloudy|milky|smell\w*|stink\w*)",
            rf"(?:wound|incision|scar|cut|drain|port|stitch\w*|dressing|bandage|garment|it|area|belly button|navel|"
            rf"lips?|nose) {_gap(3)}(?:smell\w*|stink\w*|reek\w*)(?! (?:fine|ok|okay|normal|nice|good))",
            r"(?:smell|odou?r|stench|whiff) (?:\w+ ){0,3}(?:from|coming|off|of|out of|around|under) (?:\w+ ){0,2}"
            r"(?:wound|incision|scar|cut|drain|port|stitch\w*|dressing|bandage|garment|it|area|belly button|navel|"
            r"lips?|nose|tt|tummy|breasts?|boobs?)",
            r"(?:bad|foul|horrible|funny|weird|rotten|awful|nasty|strange|off|gross|disgusting|putrid|sour|fishy|"
            r"horrid) (?:\w+ )?(?:smell|odou?r|stench)",
            # an inflamed lump, or inflammation that grows
            r"(?:red\w*|inflamed|tender|sore|painful|hot|warm|hard|angry),?(?: and)? (?:\w+ ){0,2}(?:red\w*|inflamed|"
            r"tender|sore|painful|hot|warm) (?:lump|bump|nodule|knot|swelling|boil|abscess|spot|area|patch)",
            r"(?:red|inflamed|tender|painful|hot)\w* (?:\w+ )?(?:lump|bump|nodule|knot) (?:\w+ ){0,8}"
            r"(?:weeks?|months?) (?:later|after)",
            rf"(?:red\w*|rash|infection|inflammation) {_gap(5)}(?:spread\w*|tracking|creeping|growing|expanding|"
            r"getting (?:bigger|wider|larger))",
            r"red (?:streaks?|lines?|tracks?)",
            r"(?:getting|got|gets) (?:\w+ )?(?:hotter|redder|warmer)",
            r"abscess\w*",
            r"cellulitis",
            # fever, but not hay fever, yellow fever jabs or fever blisters (cold sores, see device_burn)
            r"(?<!hay )(?<!hay-)(?<!yellow )(?<!scarlet )(?<!glandular )(?<!dengue )(?<!typhoid )fever(?:ish|s)?"
            r"(?! (?:blisters?|jabs?|vaccin\w*|shots?|tablets?|pills?|medicine|meds))",
            r"high temp\w*",
            r"(?:running|got|have|has|having|with|spiked?|spiking) (?:a |an )?(?:high |bit of a |slight )?"
            r"(?:temp|temperature)",
            r"burning up",
            r"chills",
            r"night sweats",
            r"hot (?:and|then) cold(?! compress)",
            r"(?:looks?|looking|think|seems?|is|it'?s|become|became|gone|might be|may be|could be|worried|sure|"
            r"probably|definitely|now|badly) (?:\w+ ){0,2}infected",
            # an infection of the wound, not "a sinus infection, can i still have botox"
            r"(?:i'?ve|i have|i got|it'?s got|have got|has|developed|developing|think|worried|sure) (?:\w+ ){0,2}"
            r"(?<!sinus )(?<!chest )(?<!ear )(?<!uti )(?<!urinary )(?<!bladder )(?<!kidney )(?<!throat )(?<!tooth )"
            r"(?<!dental )(?<!yeast )(?<!viral )(?<!fungal )(?<!eye )(?<!tract )infection",
        ),
    ),
    # Red, warm skin for a day or two is the expected reaction to lasers, light, peels and microneedling; after
    # those, infection shows as pus, crusts, spreading redness or fever (rule above).
    Rule(
        "inflamed_skin",
        "clinic_now",
        "skin that is red, hot and tender can mean an infection that needs treatment",
        _rx(
            r"angry (?:red|looking)|looks? angry|red and angry",
            rf"(?:red|redness|reddish|inflamed)(?:,| and|,? ?&)? {_gap(2)}{_HEAT}",
            rf"{_HEAT}(?:,| and|,? ?&)? {_gap(2)}(?:red|redness|inflamed|tender|sore|painful|swollen|throbb\w*)",
            rf"(?:tender|sore|painful|throbb\w*|swollen)(?:,| and|,? ?&)? {_gap(2)}{_HEAT}",
            r"(?:hot|warm) to (?:the )?touch",
        ),
        unless=_ENERGY,
        expected_for=dt.timedelta(days=3),
    ),
    Rule(
        "dvt",
        "clinic_now",
        "a swollen, painful, warm or red calf can mean a blood clot in the leg",
        _rx(
            rf"calf {_gap(3)}(?:swoll\w*|swell\w*|puff\w*|pain\w*|hurt\w*|sore|warm|hot|red|tender|cramp\w*|ach\w*|"
            r"tight|hard|bigger|fatter|throbb\w*|heavy)",
            r"(?:swollen|swelling|painful|sore|tender|aching|achy|red|hot|warm|puffy|tight|hard) (?:\w+ )?calf",
            rf"one (?:leg|calf|ankle|foot) {_gap(3)}(?:bigger|swollen|fatter|puffier|thicker|larger|more swollen|"
            r"red|hot|warm|painful)",
            r"(?:leg|ankle|foot|thigh) (?:\w+ ){0,3}(?:bigger|fatter|thicker|larger|more swollen|puffier) "
            r"than the other",
            rf"back of (?:my |the )?(?:leg|knee|thigh|calf) {_gap(3)}(?:sore|pain\w*|hurt\w*|ach\w*|tender|swoll\w*|"
            r"swell\w*|tight|cramp\w*|red|hot|warm)",
            # one leg (singular) sore or swollen after travel or surgery
            rf"leg {_gap(3)}(?:swoll\w*|swell\w*|pain\w*|hurt\w*|sore|ach\w*|cramp\w*|tender) (?:\w+ ){{0,5}}"
            r"(?:flight|flying|plane|travel\w*|drive|journey|surgery|op|operation)",
            rf"(?:flight|flying|plane|travel\w*|journey) (?:\w+ ){{0,6}}leg {_gap(3)}(?:swoll\w*|swell\w*|pain\w*|"
            r"hurt\w*|sore|ach\w*|cramp\w*|tender)",
            r"clot in (?:my |the )?(?:leg|calf)",
            r"(?:think|worried|scared|afraid|sure|feel like|might|may|could) (?:\w+ ){0,3}(?:be|have|got|has) "
            r"(?:a |an )?(?:dvt|blood clot|clot)",
        ),
    ),
    Rule(
        "haematoma",
        "clinic_now",
        "swelling on one side that grows fast and feels tight, or heavy bleeding, can mean bleeding under the skin",
        _rx(
            r"balloon\w*",
            r"blown up|blew up|blowing up",
            r"tight as a drum|like a drum|rock hard|hard as (?:a )?rock",
            rf"(?:swell\w*|swollen|bigger|growing|expanding|puffing up) {_gap(2)}(?:fast|quickly|rapidly|"
            r"by the (?:hour|minute)|so fast|really fast|in (?:an|one|a few) hours?)",
            rf"(?:suddenly|rapidly|quickly|overnight|all of a sudden) {_gap(2)}(?:much |way |a lot |really |so )?"
            r"(?:bigger|larger|swollen|swelling|swelled|hard|harder|tight|tense|huge|massive)",
            r"(?:much|way|a lot|loads|massively|far|hugely|significantly|twice as) (?:more swollen|bigger|larger|"
            r"puffier|fatter) than (?:the )?(?:other|left|right)",
            rf"(?:one|left|right) (?:side|breast|boob|cheek) {_gap(5)}(?:much |way |a lot |so much |really )(?:more "
            r"swollen|bigger|larger|harder|tighter)",
            rf"bleed\w* {_gap(3)}(?:won'?t stop|not stopping|hasn'?t stopped|through|soak\w*|a lot|heavily|loads|"
            r"lots|like crazy|everywhere|non.?stop|constantly|pouring|gushing|dripping)",
            r"(?:won'?t|can'?t|doesn'?t|isn'?t) stop(?:ping)? bleeding",
            r"bleed\w* (?:and |but )?(?:it )?(?:won'?t|will not|doesn'?t|isn'?t|hasn'?t|can'?t) stop",
            r"(?:soak\w*|drench\w*|saturat\w*) (?:right |all the way |straight )?through",
            rf"(?:dressing|bandage|gauze|pads?|garment|plaster) {_gap(3)}(?:soaked|drenched|saturated|full of blood|"
            r"covered in blood|dripping)",
            rf"(?:blood|bleeding) {_gap(3)}(?:soaked|soaking|pour\w*|gush\w*|dripping|spurt\w*|everywhere)",
            rf"drains? {_gap(4)}(?:bright red|fresh (?:red )?blood|pure blood|red blood|full of blood|filling (?:up )?"
            r"(?:with blood|fast|quickly)|clots?|loads of blood|lots of blood)",
            r"(?:bright red|fresh) (?:red )?blood",
        ),
        only=SURGERY,
    ),
    Rule(
        "kybella_complication",
        "clinic_now",
        "trouble swallowing, an uneven smile or open sores after Kybella need checking by your clinic today",
        _rx(
            *_SWALLOW,
            r"(?:crooked|uneven|lopsided|wonky|asymmetric\w*|droopy|one.?sided) (?:smile|mouth|lip)",
            rf"(?:smile|mouth|bottom lip|lower lip) {_gap(3)}(?:crooked|uneven|lopsided|wonky|asymmetric\w*|droop\w*|"
            r"one.?sided|weak|won'?t move)",
            r"open (?:\w+ )?(?:sores?|wounds?)",
            r"raw (?:\w+ )?sores?",
            r"ulcer\w*",
            r"sores? (?:\w+ ){0,2}(?:opening|opened|open|weeping|bleeding)",
            r"skin (?:has |is )?(?:broken|opened|opening|splitting|split) (?:down|open|up)",
        ),
        only=frozenset({"kybella"}),
    ),
    Rule(
        "device_burn",
        "clinic_now",
        "blisters, burns or a cold-sore outbreak after a laser, light or peel treatment need checking",
        _rx(
            r"blister\w*",
            r"burn(?:s|t|ed)? (?:marks?|spots?|patch\w*|lines?|shapes?|scars?|on|all over)",
            # burns shaped like the device tip; the fine grid marks of RF microneedling are expected
            r"(?:square|rectangle|rectangular|grid|stripe|striped|line|tip)\w*(?:.shaped| shaped| like)? (?:\w+ ){0,2}"
            r"(?:burn\w*|blisters?)",
            r"(?:square|rectangle|rectangular)\w*(?:.shaped| shaped| like)? (?:\w+ ){0,2}(?:marks?|imprints?|scabs?)",
            r"(?:got|have|has|left|gave me|given me|caused|with) (?:a |some |little |small |bad |\w+ )?"
            r"burns?(?! risk)",
            r"(?:laser|ipl|machine|device|peel|it) (?:\w+ ){0,2}burn(?:t|ed) (?:me|my)",
            # a cold-sore outbreak now, not "i get cold sores, should i take antivirals before my laser"
            r"(?:got|have|has|having|developed|broken out in|broke out in|breaking out in|covered in|outbreak of|"
            r"flare of|flare.?up of)(?: \w+)? (?:cold sores?|herpes|fever blisters?)",
            r"(?:cold sores?|herpes|fever blisters?) (?:\w+ ){0,2}(?:breaking out|broke out|coming up|came up|"
            r"appeared|appearing|popping up|popped up|all over|everywhere|flar\w*|spreading|outbreak)",
            r"raw (?:and )?(?:weeping|oozing|bleeding)",
        ),
        only=_ENERGY,
    ),
    Rule(
        "uncontrolled_pain",
        "clinic_now",
        "pain that your medicine does not control needs checking",
        _rx(
            rf"{_MEDS} {_gap(4)}(?:not|aren'?t|isn'?t|don'?t|doesn'?t|won'?t|never|barely|hardly) (?:\w+ )?"
            r"(?:working|work|touching|touch|help\w*|doing|do|mak\w* (?:a |any )?(?:difference|dent)|cutting it|"
            r"taking the edge off|enough|shifting)",
            rf"{_MEDS} {_gap(3)}(?:useless|do nothing|doing nothing|did nothing|no use|no good|not enough|"
            r"not strong enough|(?:have|had|having) no effect)",
            rf"{_PAIN} (?:\w+ ){{0,6}}(?:even|despite) (?:with |after |on |taking |having )?(?:\w+ ){{0,2}}{_MEDS}",
            r"(?:unbearable|excruciating|agoni[sz]ing|severe|intense|extreme|horrendous|horrific|crippling|"
            r"debilitating|insane) (?:\w+ )?(?:pain|ache|aching|soreness|headache)",
            rf"(?:pain|hurts|hurting|soreness|ache) {_gap(3)}(?:unbearable|excruciating|agoni[sz]ing|severe|intense|"
            r"extreme|10/10|10 out of 10|ten out of ten|9/10|through the roof|off the charts|horrendous)",
            r"in (?:absolute |complete |so much |such )?agony",
            r"(?:can'?t|cannot|unable to) (?:sleep|move|cope|function|stand it|bear it) (?:\w+ ){0,2}(?:because of |"
            r"from |with |for )(?:the )?pain",
        ),
    ),
    # ==================================== clinic_soon: answer normally, and add: book a check ==========
    # A droop with nothing else is "U (routine)" in the brief and has its own stored thread, so the
    # patient gets that answer plus "contact your injector"; with double vision, swallowing or breathing
    # trouble the emergency rules above win. After filler a droop is an emergency (filler_eye).
    Rule(
        "toxin_droop",
        "clinic_soon",
        "a drooping eyelid or brow after toxin should be checked by your injector",
        _rx(*_DROOP),
    ),
    Rule(
        "late_implant_change",
        "clinic_soon",
        "new swelling or a lump around an implant years later should be checked",
        _rx(rf"(?:{_YEARS}){_FAR}(?:{_LATE_SX})", rf"(?:{_LATE_SX}){_FAR}(?:{_YEARS})"),
        only=frozenset({"breast_augmentation"}),
    ),
    Rule(
        "fat_growth",
        "clinic_soon",
        "a treated area growing bigger and firmer months later should be checked",
        _rx(
            rf"(?:fat|areas?|bulge|belly|stomach|tummy|abdomen|love handles?|flanks?|muffin top|chin|thighs?|arms?|"
            rf"bump|pouch) {_gap(5)}(?:grown|grew|growing|got bigger|getting bigger|gotten bigger|bigger|"
            r"larger|expanded|expanding|thicker|firmer|harder|increased)",
            r"(?:worse|bigger|larger|fatter|thicker) than (?:it was )?(?:before|it was)",
            r"(?:hard|firm|solid|square|rectangular|block)\w*,? (?:\w+ ){0,2}(?:bulge|lump|block|shelf|mass|ridge)",
            r"instead of (?:shrinking|going down|getting smaller|reducing|disappearing)",
        ),
        only=frozenset({"coolsculpting"}),
    ),
)

# Symptoms expected for a while after a treatment and worth a check when they last longer (brief, section 1:
# lip swelling settles within 1-2 weeks, Radiesse swelling 1-3 days, Kybella swelling days to weeks,
# microneedling redness 24-48 h, IPL sunburn feel hours to days). Applied only when the time since
# treatment is known, from the message or the conversation.
LINGERING = _rx(
    r"swell\w*", r"swollen", r"puff\w*", r"bruis\w*", r"still (?:red|sore|tender|lumpy)", r"(?:redness|red)(?! wine)"
)
EXPECTED_FOR = {
    "neuromodulator": dt.timedelta(weeks=2), "filler": dt.timedelta(weeks=2), "sculptra": dt.timedelta(weeks=2),
    "radiesse": dt.timedelta(weeks=1), "kybella": dt.timedelta(weeks=6), "microneedling": dt.timedelta(days=4),
    "ipl": dt.timedelta(weeks=1), "chemical_peel": dt.timedelta(weeks=2),
}  # fmt: skip

# Fever with a number ("temp 38.4", "fever of 101"); the engine checks the value is a fever.
FEVER = re.compile(
    r"\b(?:temp|temps|temperature|fever|feverish|thermometer)\b\D{0,15}?(\d{2,3}(?:[.,]\d{1,2})?)", re.IGNORECASE
)

# The concepts of the semantic layer's exemplars (data/triage/exemplars.yml), each with the rule whose
# reason its alerts give: every rule under its own name, and three concepts named after the brief's
# table rather than a rule. Built at import, so a renamed rule fails here instead of at the first alert;
# the exemplar loader refuses a concept missing from this table.
_BY_PATTERN = {rule.pattern: rule for rule in RULES}
CONCEPTS: dict[str, Rule] = {
    **_BY_PATTERN,
    "toxin_spread": _BY_PATTERN["swallowing"],
    "anaphylaxis": _BY_PATTERN["airway_swelling"],
    # the filler_eye rule's reason names a droop too; this concept's exemplars are mostly about sight
    "filler_eye": _BY_PATTERN["vision_loss"],
}
