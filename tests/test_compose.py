import re

import pytest

from bot.compose import Contact, compose_answer, compose_clarify, compose_fallback, key_sentence, sentences, summarise
from bot.corpus import Answer, Author
from bot.durations import find_durations
from replies import web

CONTACT = Contact("Demo Clinic", "+1 555 0100", "911")


def test_every_reply_quotes_stored_answers_and_cites_them(corpus):
    for thread in corpus.published:
        reply = compose_answer(thread, CONTACT)
        answers = {thread.answer_id(i): a for i, a in enumerate(thread.answers)}
        assert 2 <= len(reply.quotes) <= 4 or len(thread.answers) < 2
        assert [q.n for q in reply.quotes] == [c.n for c in reply.citations] == list(range(1, len(reply.quotes) + 1))
        for quote, citation in zip(reply.quotes, reply.citations):
            answer = answers[citation.answer_id]
            assert citation.answer_id == quote.answer_id
            assert citation.name == answer.author.name and citation.url == str(answer.url)
            # Extractive: the quoted words stand in the stored answer as they are.
            assert quote.text in " ".join(answer.body.split())
            assert f'"{quote.text}" [{quote.n}]' in reply.text
        assert reply.disclaimer and reply.disclaimer in reply.text
        assert "911" in reply.disclaimer and "Demo Clinic on +1 555 0100" in reply.disclaimer
        assert thread.question in reply.text


def _own_sentences(text, thread):
    """Sentences of a reply that are not quotes, sources or our fixed framing."""
    body = text.split("Sources:")[0]
    lines = [
        ln for ln in body.splitlines() if ln and not ln.startswith('- "') and not ln.startswith("Closest question")
    ]
    return lines


def test_no_advice_of_our_own(corpus):
    """Outside the quotes, a reply holds only the counting summary: no sentence of advice."""
    allowed = re.compile(
        r"^\d+ clinicians? answered\.( All of them give the same time frame: .+\.| 1 clinician gives a time frame: .+\.| \d+ clinicians give the same time frame: .+\.| They differ on timing: .+\.| Their key points are quoted below\.)( \(\d+ gave no time frame\.\))?$"
    )
    for thread in corpus.published:
        for line in _own_sentences(compose_answer(thread, CONTACT).text, thread):
            assert allowed.match(line), line


def test_summary_counts_time_frames_from_the_answers(corpus):
    thread = corpus.get("botox-exercise")
    reply = compose_answer(thread, CONTACT)
    labels = [find_durations(key_sentence(a))[0].label for a in thread.answers if find_durations(key_sentence(a))]
    assert reply.summary.startswith(f"{len(thread.answers)} clinicians answered. They differ on timing:")
    for label in set(labels):
        assert f"{label} ({labels.count(label)})" in reply.summary


def test_quotes_show_the_spread_of_opinion(corpus):
    thread = corpus.get("botox-exercise")
    frames = {find_durations(q.text)[0].label for q in compose_answer(thread, CONTACT).quotes if find_durations(q.text)}
    assert len(frames) >= 3


@pytest.mark.parametrize(
    ("frames", "expected"),
    [
        ([None, None], "2 clinicians answered. Their key points are quoted below."),
        (["2 weeks", "2 weeks"], "2 clinicians answered. All of them give the same time frame: 2 weeks."),
        (["2 weeks", None], "2 clinicians answered. 1 clinician gives a time frame: 2 weeks. (1 gave no time frame.)"),
        (
            ["2 weeks", "2 weeks", None],
            "3 clinicians answered. 2 clinicians give the same time frame: 2 weeks. (1 gave no time frame.)",
        ),
        (
            ["4 hours", "24 hours", "4 hours"],
            "3 clinicians answered. They differ on timing: 4 hours (2), 24 hours (1).",
        ),
    ],
)
def test_summarise(frames, expected):
    durations = [find_durations(f)[0] if f else None for f in frames]
    assert summarise(durations) == expected


def test_key_sentence_skips_courtesy():
    answer = Answer(
        author=Author(name="X"), body="Thank you for your question. Wait 2 weeks before a facial. Best wishes."
    )
    assert key_sentence(answer) == "Wait 2 weeks before a facial."


def test_sentences():
    assert sentences("One. Two? Three! 4 hours is fine.") == ["One.", "Two?", "Three!", "4 hours is fine."]


def test_demo_footer_only_on_demo_threads(corpus):
    thread = corpus.get("botox-exercise")
    assert "Demo content" in compose_answer(thread, CONTACT).text
    assert "Demo content" not in compose_answer(thread.model_copy(update={"demo": False}), CONTACT).text


def test_clarify_and_fallback(corpus):
    threads = [corpus.get("botox-exercise"), corpus.get("filler-exercise")]
    reply = compose_clarify(threads, CONTACT)
    assert [b.payload for b in reply.buttons] == [
        '/ask_aftercare{"treatment": "neuromodulator"}',
        '/ask_aftercare{"treatment": "filler"}',
    ]
    assert [b.title for b in reply.buttons] == ["Botox and other anti-wrinkle injections", "Dermal filler"]
    same = compose_clarify([corpus.get("botox-lying-down"), corpus.get("botox-sleep-position")], CONTACT)
    assert [b.title for b in same.buttons] == [b.payload for b in same.buttons]
    fallback = compose_fallback(CONTACT).text
    assert "don't have a clinician's answer on file" in fallback and "+1 555 0100" in fallback and "911" in fallback


def test_answers_carry_feedback_buttons_with_the_thread(corpus):
    reply = compose_answer(corpus.get("botox-alcohol"), CONTACT)
    assert [(b.title, b.payload) for b in reply.buttons] == [
        ("Yes, helpful", '/feedback{"helpful": "yes", "feedback_thread": "botox-alcohol"}'),
        ("Not helpful", '/feedback{"helpful": "no", "feedback_thread": "botox-alcohol"}'),
    ]
    # The text stands alone without the buttons (SMS): no dangling "tap below".
    assert "helpful" not in reply.text.lower()
    assert web.payload(reply, "answer", "botox-alcohol")["buttons"][0]["payload"].startswith("/feedback")


def test_fallback_offers_to_send_the_question_to_the_clinic():
    reply = compose_fallback(CONTACT)
    assert [(b.title, b.payload) for b in reply.buttons] == [("Send my question to the clinic", "/request_human")]
    # The offer is in the text too, for channels that drop buttons.
    assert "send my question to the clinic" in reply.text
    assert "on file" in reply.text and "911" in reply.text


def test_clarify_for_an_ambiguous_term():
    from bot.compose import Meaning, compose_clarify_term

    reply = compose_clarify_term(
        "BBL",
        (
            Meaning("ipl", "BroadBand Light (IPL photofacial)"),
            Meaning("surgery_general", "Brazilian butt lift (surgery)"),
        ),
    )
    assert [b.payload for b in reply.buttons] == [
        '/ask_aftercare{"treatment": "ipl"}',
        '/ask_aftercare{"treatment": "surgery_general"}',
    ]
    assert '"BBL"' in reply.text and "1. BroadBand Light (IPL photofacial)" in reply.text
    assert "2. Brazilian butt lift (surgery)" in reply.text
