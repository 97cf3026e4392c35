"""Reply composition. Extractive by design: every medical statement in a reply is a sentence quoted
from a stored answer; the only words of our own are framing, counts, sources and the disclaimer."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass

from bot.alerts import Contact, alert_reply
from bot.corpus import Answer, Thread
from bot.durations import Duration, find_durations
from bot.treatments import label
from bot.triage import Alert
from replies import (
    Block,
    Button,
    Citation,
    DemoNote,
    Disclaimer,
    Hint,
    MatchedQuestion,
    Options,
    Quote,
    Quotes,
    Reply,
    Sources,
    Summary,
    Text,
)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(A-Z0-9])")
# Courtesy sentences that real Q&A answers open or close with; they are never the clinician's advice.
_COURTESY = re.compile(
    r"^(thank(s| you)|great question|good question|hi\b|hello\b|dear\b|best( wishes| regards)?\b|"
    r"kind regards|sincerely|good luck|i hope (this|that) helps|hope (this|that) helps|all the best)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Meaning:
    """One reading of an ambiguous term: the canonical treatment and how to name it to a patient."""

    treatment: str
    title: str


HELPFUL_TITLE, NOT_HELPFUL_TITLE = "Yes, helpful", "Not helpful"
SEND_TO_CLINIC_TITLE, SEND_TO_CLINIC_PAYLOAD = "Send my question to the clinic", "/request_human"


def feedback_buttons(thread_id: str) -> list[Button]:
    """ "Was this helpful?" buttons for an answer from `thread_id` (Rasa intent `feedback`)."""
    return [
        Button(HELPFUL_TITLE, "/feedback" + json.dumps({"helpful": "yes", "feedback_thread": thread_id})),
        Button(NOT_HELPFUL_TITLE, "/feedback" + json.dumps({"helpful": "no", "feedback_thread": thread_id})),
    ]


DEMO_NOTICE = (
    "Demo content: these answers were written for fictional clinicians to show how the assistant works; "
    "they are not real medical advice."
)


def disclaimer(contact: Contact) -> str:
    """The notice every reply with medical content carries."""
    return (
        "This is general information from clinicians' published answers, not a diagnosis or a substitute "
        f"for advice from your own clinician. If you are worried, contact {contact.clinic}. "
        f"In an emergency call {contact.emergency_number}."
    )


def sentences(text: str) -> list[str]:
    """Split prose into sentences (good enough for clinicians' answers)."""
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def key_sentence(answer: Answer) -> str:
    """The sentence that carries a clinician's advice: the first that is not a courtesy."""
    parts = sentences(answer.body)
    advice = [s for s in parts if not _COURTESY.match(s)] or parts
    first = advice[0]
    # A very short opener ("Yes." / "It depends.") says little alone: keep the next sentence with it.
    if len(first.split()) < 5 and len(advice) > 1:
        first = f"{first} {advice[1]}"
    return first


def _time_frame(answer: Answer, sentence: str) -> Duration | None:
    found = find_durations(sentence) or find_durations(answer.body)
    return found[0] if found else None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summarise(frames: list[Duration | None]) -> str:
    """One sentence on where the clinicians agree and differ, counting the time frames they give."""
    total = len(frames)
    given = [f for f in frames if f is not None]
    head = f"{_plural(total, 'clinician')} answered."
    if not given:
        return f"{head} Their key points are quoted below."
    counts = Counter(f.label for f in given)
    order = sorted(counts, key=lambda label: min(f.low for f in given if f.label == label))
    missing = total - len(given)
    tail = f" ({missing} gave no time frame.)" if missing else ""
    if len(counts) == 1:
        if not missing:
            return f"{head} All of them give the same time frame: {order[0]}."
        if len(given) == 1:
            return f"{head} 1 clinician gives a time frame: {order[0]}.{tail}"
        return f"{head} {len(given)} clinicians give the same time frame: {order[0]}.{tail}"
    spread = ", ".join(f"{label} ({counts[label]})" for label in order)
    return f"{head} They differ on timing: {spread}.{tail}"


def _pick_quotes(frames: list[Duration | None], limit: int) -> list[int]:
    """Answer positions to quote: one per distinct time frame first, so the spread of opinion shows."""
    chosen: list[int] = []
    seen: set[str | None] = set()
    for i, frame in enumerate(frames):
        label = frame.label if frame else None
        if label not in seen:
            chosen.append(i)
            seen.add(label)
    chosen += [i for i in range(len(frames)) if i not in chosen]
    return sorted(chosen[: max(limit, 2)])


def compose_answer(thread: Thread, contact: Contact, max_quotes: int = 4) -> Reply:
    """An answer reply: matched question, summary, numbered quotes, sources, disclaimer."""
    keys = [key_sentence(a) for a in thread.answers]
    frames = [_time_frame(a, k) for a, k in zip(thread.answers, keys)]
    picked = _pick_quotes(frames, min(max_quotes, len(thread.answers)))
    quotes, citations = [], []
    for n, i in enumerate(picked, start=1):
        answer, answer_id = thread.answers[i], thread.answer_id(i)
        quotes.append(Quote(n, keys[i], answer_id))
        a = answer.author
        citations.append(
            Citation(
                n, a.name, a.credentials, a.specialty, a.location, str(answer.url) if answer.url else None, answer_id
            )
        )
    blocks: list[Block] = [
        MatchedQuestion(thread.question),
        Summary(summarise(frames)),
        Quotes(tuple(quotes)),
        Sources(tuple(citations)),
    ]
    if thread.demo:
        blocks.append(DemoNote(DEMO_NOTICE))
    blocks.append(Disclaimer(disclaimer(contact)))
    # Feedback buttons only: the blocks are complete without them (SMS channels drop buttons).
    return Reply(tuple(blocks), tuple(feedback_buttons(thread.id)))


def compose_clarify(threads: list[Thread], contact: Contact) -> Reply:
    """Ask which stored question the patient means, one button each. When the threads are about
    different treatments the buttons name the treatment, because that is what the patient knows."""
    treatments = [t.treatments[0] for t in threads]
    if len(set(treatments)) == len(threads):
        # The patient knows their treatment, not our threads: the choice completes their own question
        # (the action answers the message before the button with this treatment).
        intro = "The answer depends on your treatment. Which one did you have?"
        buttons = [Button(label(t), "/ask_aftercare" + json.dumps({"treatment": t})) for t in treatments]
    else:
        intro = "I have clinicians' answers to a few similar questions. Which one is closest to yours?"
        # The stored question itself as payload: the choice works on every channel, even typed.
        buttons = [Button(t.question, t.question) for t in threads]
    return _choice(intro, buttons)


def compose_clarify_term(term: str, meanings: tuple[Meaning, ...]) -> Reply:
    """Ask which treatment an ambiguous term ("BBL") means; the choice completes the patient's question
    (payload `/ask_aftercare{"treatment": ...}`, as for a treatment clarification)."""
    buttons = [Button(m.title, "/ask_aftercare" + json.dumps({"treatment": m.treatment})) for m in meanings]
    return _choice(f'"{term}" can mean different treatments. Which one did you have?', buttons)


def _choice(intro: str, buttons: list[Button]) -> Reply:
    """A question, its numbered options (the buttons, where a channel shows them) and how to answer."""
    hint = Hint(
        "Tap one, or rephrase your question and name your treatment.",
        "Please send your question again and name your treatment in it.",
    )
    return Reply((Text(intro), Options(tuple(b.title for b in buttons)), hint), tuple(buttons))


def compose_fallback(contact: Contact, about: str | None = None) -> Reply:
    """Say honestly that no clinician answer is on file (naming what was understood, when known), and offer
    to send the question to the clinic."""
    missing = f"about {about}" if about else "for that question"
    text = (
        f"I'm sorry, I don't have a clinician's answer on file {missing}, and I won't guess. "
        f"Please ask {contact.clinic} directly, or I can send your question to the clinic team so a person "
        'gets back to you: just say "send my question to the clinic". '
        f"If you have severe or worsening symptoms, contact your clinic now or call {contact.emergency_number} in an emergency."
    )
    return Reply.say(text, [Button(SEND_TO_CLINIC_TITLE, SEND_TO_CLINIC_PAYLOAD)])


def compose_off_topic(contact: Contact) -> Reply:
    """Reply to a message that is not about aftercare."""
    text = (
        "I can only help with aftercare questions, using the answers the clinic's clinicians have published. "
        f"For anything else, please contact {contact.clinic}. In an emergency call {contact.emergency_number}."
    )
    return Reply.say(text)


def compose_prompt(contact: Contact) -> Reply:
    """Reply to a message with nothing to go on (empty, or only symbols)."""
    text = (
        "I didn't catch a question there. Please type your aftercare question, for example: "
        '"How long after Botox can I exercise?" '
        f"In an emergency call {contact.emergency_number}."
    )
    return Reply.say(text)


def compose_alert(alert: Alert, contact: Contact) -> Reply:
    """What to do now about a red flag, plainly, with no retrieved advice."""
    return alert_reply(alert, contact)
