"""Replies as typed blocks and their per-channel renderers (replies/): pure, on real composed replies
and on synthetic long ones."""

from __future__ import annotations

import re

import pytest

from bot import triage
from bot.compose import DEMO_NOTICE, Contact, compose_alert, compose_answer, compose_clarify, compose_fallback
from replies import (
    Button,
    Citation,
    DemoNote,
    Disclaimer,
    MatchedQuestion,
    Note,
    Options,
    Quote,
    Quotes,
    Reply,
    Sources,
    Summary,
    Text,
    plain,
    slack,
    telegram,
    web,
)
from replies.layout import split_text

CONTACT = Contact("Demo Clinic", "555-0100", "911")
SPECIAL = "_*[]()~`>#+-=|{}.!\\"


def long_reply(n_quotes: int = 12, words: int = 60) -> Reply:
    """An answer far beyond 1,600 characters, shaped like compose_answer's."""
    quotes = [Quote(i, " ".join(f"word{i}x{j}" for j in range(words)) + ".", f"t#{i}") for i in range(1, n_quotes + 1)]
    citations = [
        Citation(
            i, f"Dr. Name {i}", "MD", "Dermatologist", "Town, ST", f"https://clinic.example/doc-{i}?a=1&b=(2)", f"t#{i}"
        )
        for i in range(1, n_quotes + 1)
    ]
    blocks = (
        MatchedQuestion("Can I exercise?"),
        Summary("12 clinicians answered."),
        Quotes(tuple(quotes)),
        Sources(tuple(citations)),
        Disclaimer(cf_disclaimer()),
    )
    return Reply(blocks)


def cf_disclaimer() -> str:
    from bot.compose import disclaimer

    return disclaimer(CONTACT)


def emergency() -> Reply:
    alert = triage.assess("i had lip filler an hour ago and now my throat feels tight and i can't breathe properly")
    assert alert is not None and alert.urgency == "emergency"
    return compose_alert(alert, CONTACT)


def words(text: str) -> list[str]:
    return re.findall(r"word\d+x\d+", text)


# --- blocks -------------------------------------------------------------------------------------


def test_a_composed_answer_is_typed_blocks_and_its_text_reads_in_the_same_order(corpus):
    for thread in corpus.published:
        reply = compose_answer(thread, CONTACT)
        kinds = [type(b) for b in reply.blocks]
        expected = [MatchedQuestion, Summary, Quotes, Sources] + ([DemoNote] if thread.demo else []) + [Disclaimer]
        assert kinds == expected, thread.id
        paragraphs = reply.text.split("\n\n")
        assert paragraphs[0] == f'Closest question on file: "{thread.question}"'
        assert paragraphs[2].splitlines() == [f'- "{q.text}" [{q.n}]' for q in reply.quotes]
        assert paragraphs[3].splitlines()[1:] == [
            f"[{c.n}] {c.who}" + (f" {c.url}" if c.url else "") for c in reply.citations
        ]
        assert paragraphs[-1] == reply.disclaimer and reply.demo == thread.demo


def test_rendering_follows_the_blocks_not_their_wording():
    """A reworded note or question keeps its rich form: nothing is recognised by its phrases."""
    reply = Reply((Note("Any wording at all."), MatchedQuestion("Whatever we stored?"), Text("Our own words.")))
    assert slack.slack(reply)[0]["blocks"][0]["text"]["text"] == ":warning: *Any wording at all.*"
    assert telegram.telegram(reply)[0]["text"].split("\n")[0] == "⚠️ *Any wording at all\\.*"
    assert "*Whatever we stored?*" in slack.slack(reply)[0]["blocks"][1]["text"]["text"]
    assert reply.text == 'Any wording at all.\n\nClosest question on file: "Whatever we stored?"\n\nOur own words.'


def test_web_payload_names_every_block_in_order(corpus):
    answer = compose_answer(corpus.get("botox-exercise"), CONTACT).with_note("Please also book a check.")
    payload = web.payload(answer, "answer", "botox-exercise", "clinic_soon")
    assert [b["type"] for b in payload["blocks"]][:3] == ["note", "matchedquestion", "summary"]
    assert payload["blocks"][0]["text"] == "Please also book a check."
    assert payload["question"] == answer.question and payload["urgency"] == "clinic_soon"
    assert [q["n"] for q in payload["quotes"]] == [q.n for q in answer.quotes]


def test_say_makes_a_text_block_per_paragraph():
    reply = Reply.say("First.\n\nSecond line\nthird line.", [Button("Cancel", "/cancel")])
    assert [type(b) for b in reply.blocks] == [Text, Text] and reply.text == "First.\n\nSecond line\nthird line."
    assert reply.disclaimer == "" and reply.question is None and reply.buttons == (Button("Cancel", "/cancel"),)


def test_unknown_paragraphs_are_kept_word_for_word():
    reply = compose_fallback(CONTACT)
    assert plain.sms(reply) == [reply.text]  # its button is not in the text: SMS leaves it out
    (message,) = plain.messenger(reply)
    assert message["text"] == reply.text
    assert all(len(q["title"]) <= plain.MESSENGER_QUICK_REPLY_TITLE for q in message.get("quick_replies", []))
    assert [q["payload"] for q in message.get("quick_replies", [])] == [b.payload for b in reply.buttons]


# --- SMS and WhatsApp ---------------------------------------------------------------------------


def test_sms_answers_from_the_corpus_fit_and_number_their_sources(corpus):
    for thread in corpus.published:
        reply = compose_answer(thread, CONTACT)
        parts = plain.sms(reply)
        assert all(len(p) <= plain.SMS_LIMIT for p in parts)
        text = "\n".join(parts)
        for c in reply.citations:
            line = next(line for line in text.splitlines() if line.startswith(f"[{c.n}] "))
            if c.url:
                assert line.endswith(c.url)
        assert reply.disclaimer in text


def test_long_sms_is_split_into_numbered_parts_within_1600_chars():
    reply = long_reply()
    assert len(reply.text) > 2 * plain.SMS_LIMIT
    parts = plain.sms(reply)
    assert len(parts) >= 3
    assert all(len(p) <= plain.SMS_LIMIT for p in parts)
    assert [p.split(" ", 1)[0] for p in parts] == [f"({i}/{len(parts)})" for i in range(1, len(parts) + 1)]
    # Nothing lost, nothing cut mid-word, order kept.
    assert words("\n".join(parts)) == words(reply.text)
    assert all(
        re.fullmatch(r"https://clinic\.example/doc-\d+\?a=1&b=\(2\)", u)
        for u in re.findall(r"https://\S+", "\n".join(parts))
    )


def test_a_paragraph_longer_than_a_message_splits_at_sentences_then_words():
    sentence = "This sentence has exactly eight words in it. "
    reply = Reply.say(sentence * 80)
    parts = plain.sms(reply)
    assert len(parts) > 1 and all(len(p) <= plain.SMS_LIMIT for p in parts)
    for part in parts:
        body = part.split(" ", 1)[1]
        assert body.startswith("This sentence") and body.endswith("in it.")
    one_word_sentence = Reply.say(" ".join(["lorem"] * 700))
    parts = plain.sms(one_word_sentence)
    assert all(len(p) <= plain.SMS_LIMIT for p in parts)
    assert sum(p.split(" ", 1)[1].count("lorem") for p in parts) == 700


def test_split_text_never_cuts_words():
    text = " ".join(f"w{i}" * 3 for i in range(500))
    pieces = split_text(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == text.split()
    assert split_text("short", 100) == ["short"]
    assert split_text("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]  # one word longer than a message


def test_sms_is_plain_text():
    reply = Reply.say("<b>Ice</b> it **gently** for `ten` minutes — “twice” a day…")
    (text,) = plain.sms(reply)
    assert text == 'Ice it gently for ten minutes - "twice" a day...'


def test_sms_urgent_reply_is_complete_and_first():
    reply = emergency()
    (text,) = plain.sms(reply)
    assert text.startswith("URGENT: This could be an emergency. Call 911 now")
    assert reply.disclaimer in text


def test_urgent_line_leads_even_when_the_reply_is_long():
    base = emergency()
    reply = Reply(base.blocks + (Text("More text follows here. " * 200),))
    parts = plain.sms(reply)
    assert len(parts) > 1
    first_paragraph = base.text.split("\n\n")[0]
    assert parts[0].startswith(f"(1/{len(parts)}) URGENT: {first_paragraph}")


def test_clarification_on_sms_lists_options_and_asks_to_rephrase(corpus):
    reply = compose_clarify([corpus.get("botox-exercise"), corpus.get("filler-exercise")], CONTACT)
    (text,) = plain.sms(reply)
    assert "1. Botox" in text and "2. Dermal filler" in text
    assert "Tap" not in text and "name your treatment" in text
    assert "/ask_aftercare" not in text


# --- Messenger ----------------------------------------------------------------------------------


def test_messenger_quick_replies_use_numbers_when_titles_are_long(corpus):
    reply = compose_clarify([corpus.get("botox-exercise"), corpus.get("filler-exercise")], CONTACT)
    (message,) = plain.messenger(reply)
    assert [q["title"] for q in message["quick_replies"]] == ["1", "2"]
    assert [q["payload"] for q in message["quick_replies"]] == [b.payload for b in reply.buttons]
    short = Reply((Text("Which?"), Options(("Yes", "No"))), (Button("Yes", "/affirm"), Button("No", "/deny")))
    (message,) = plain.messenger(short)
    assert [q["title"] for q in message["quick_replies"]] == ["Yes", "No"]


def test_messenger_messages_fit_2000_chars():
    messages = plain.messenger(long_reply())
    assert len(messages) > 1 and all(len(m["text"]) <= plain.MESSENGER_LIMIT for m in messages)
    assert words("\n".join(m["text"] for m in messages)) == words(long_reply().text)


# --- Slack --------------------------------------------------------------------------------------


def slack_texts(messages: list[dict]) -> list[str]:
    out = []
    for m in messages:
        for b in m["blocks"]:
            if b["type"] == "section":
                out.append(b["text"]["text"])
            elif b["type"] == "context":
                out.append(b["elements"][0]["text"])
    return out


def test_slack_answer_is_mrkdwn(corpus):
    reply = compose_answer(corpus.get("botox-exercise"), CONTACT)
    messages = slack.slack(reply)
    texts = slack_texts(messages)
    joined = "\n\n".join(texts)
    assert f"*{reply.question}*" in joined
    for q in reply.quotes:
        assert f'> "{q.text}" [{q.n}]' in joined
    for c in reply.citations:
        assert f"[{c.n}] <{c.url}|{c.name}, " in joined
    assert any(b["type"] == "context" and "not a diagnosis" in b["elements"][0]["text"] for b in messages[0]["blocks"])
    assert messages[0]["text"]  # notification fallback


def test_slack_escapes_control_characters_and_limits_sections():
    reply = Reply.say("Use <b>cream</b> & rest > 2 days.\n\n" + ("Sentence number one is here. " * 300))
    messages = slack.slack(reply)
    texts = slack_texts(messages)
    assert texts[0] == "Use &lt;b&gt;cream&lt;/b&gt; &amp; rest &gt; 2 days."
    assert len(texts) > 2 and all(len(t) <= slack.SECTION_LIMIT for t in texts)


def test_slack_buttons_fit_slack_limits(corpus):
    threads = [t for t in corpus.published if t.treatments[0] == "neuromodulator"][:3]
    reply = Reply.say("Which one?", [Button(t.question + " " + "x" * 80, t.question) for t in threads])
    (message,) = slack.slack(reply)
    actions = message["blocks"][-1]
    assert actions["type"] == "actions"
    assert all(len(e["text"]["text"]) <= slack.BUTTON_TITLE for e in actions["elements"])
    assert [e["value"] for e in actions["elements"]] == [t.question for t in threads]


def test_slack_urgent_is_first_and_marked():
    reply = emergency()
    first = slack_texts(slack.slack(reply))[0]
    assert first.startswith(":rotating_light: *URGENT: This could be an emergency. Call 911 now")


# --- Telegram -----------------------------------------------------------------------------------


def unescaped_specials(markdown: str) -> list[str]:
    """Special characters not escaped and not part of our own markup (bold, italic, quote, links)."""
    text = re.sub(r"(?<!\\)\[((?:\\.|[^\[\]\\])*)\]\((?:\\.|[^)\\])*\)", r"\1", markdown)  # [label](url) -> label
    found = []
    for line in text.split("\n"):
        line = line[1:] if line.startswith(">") else line
        i = 0
        while i < len(line):
            ch = line[i]
            if ch == "\\":
                i += 2
                continue
            if ch in SPECIAL and ch not in "*_":
                found.append(ch)
            i += 1
    return found


def test_telegram_escape_round_trips():
    text = "a_b*c[d](e)~f`g>h#i+j-k=l|m{n}o.p!q\\r"
    escaped = telegram.escape(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == text
    assert not unescaped_specials(escaped)


def test_telegram_answer_is_valid_markdown_v2(corpus):
    for thread in corpus.published:
        reply = compose_answer(thread, CONTACT)
        for message in telegram.telegram(reply):
            assert message["parse_mode"] == "MarkdownV2"
            assert len(message["text"]) <= telegram.MESSAGE_LIMIT
            assert not unescaped_specials(message["text"]), (thread.id, unescaped_specials(message["text"]))
    reply = compose_answer(corpus.get("botox-exercise"), CONTACT)
    text = telegram.telegram(reply)[0]["text"]
    c = reply.citations[0]
    assert f"\\[1\\] [{telegram.escape(c.name)}" in text and f"]({c.url})" in text
    assert f"*{telegram.escape(reply.question)}*" in text
    assert text.count("\n>") == len(reply.quotes)


def test_telegram_link_targets_escape_parentheses():
    reply = long_reply(2, 5)
    text = "\n".join(m["text"] for m in telegram.telegram(reply))
    assert "](https://clinic.example/doc-1?a=1&b=(2\\))" in text


def test_telegram_splits_long_replies_without_breaking_markup():
    reply = Reply.say("Be careful. " * 1000)
    messages = telegram.telegram(reply)
    assert len(messages) > 1 and all(len(m["text"]) <= telegram.MESSAGE_LIMIT for m in messages)
    assert all(not unescaped_specials(m["text"]) for m in messages)


def test_telegram_inline_keyboard_and_its_64_byte_limit(corpus):
    reply = compose_clarify([corpus.get("botox-exercise"), corpus.get("filler-exercise")], CONTACT)
    (message,) = telegram.telegram(reply)
    keyboard = message["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [telegram.compact_payload(b.payload) for b in reply.buttons]
    assert keyboard[1][0]["callback_data"] == '/ask_aftercare{"treatment":"filler"}'
    # 40 characters but 80 bytes: over the limit, so the button sends its own title (= payload).
    long_payload = [Button("é" * 40, "é" * 40), Button("Dermal filler", "Dermal filler")]
    markup = telegram.keyboard(long_payload)
    assert "inline_keyboard" not in markup and markup["keyboard"] == [[{"text": "é" * 40}], [{"text": "Dermal filler"}]]
    assert "inline_keyboard" in telegram.keyboard([Button("x", "é" * 32)])  # exactly 64 bytes


def test_telegram_urgent_is_bold_and_first():
    reply = emergency()
    (message,) = telegram.telegram(reply)
    assert message["text"].startswith("⚠️ *URGENT: This could be an emergency\\. Call 911 now")


@pytest.mark.parametrize(
    "render",
    [plain.sms, telegram.telegram, slack.slack, plain.messenger],
    ids=["sms", "telegram", "slack", "messenger"],
)
def test_clinic_soon_note_comes_first(corpus, render):
    answer = compose_answer(corpus.get("botox-exercise"), CONTACT)
    note = "Please also book a check with Demo Clinic on 555-0100: spreading redness should be looked at."
    reply = answer.with_note(note)
    first = render(reply)[0]
    first_text = first if isinstance(first, str) else slack_texts([first])[0] if "blocks" in first else first["text"]
    assert "Please also book a check" in first_text.split("\n")[0]
    assert DEMO_NOTICE.split(":")[0] in "\n".join(
        r if isinstance(r, str) else "\n".join(slack_texts([r])) if "blocks" in r else r["text"] for r in render(reply)
    )


def test_telegram_leaves_out_buttons_it_cannot_send():
    short = Button("Yes, helpful", '/feedback{"helpful": "yes", "feedback_thread": "botox-exercise"}')
    long = Button("Not helpful", '/feedback{"helpful": "no", "feedback_thread": "a-very-long-thread-identifier-here"}')
    markup = telegram.keyboard([short, long])
    assert markup == {
        "inline_keyboard": [
            [{"text": "Yes, helpful", "callback_data": '/feedback{"helpful":"yes","feedback_thread":"botox-exercise"}'}]
        ]
    }
    assert telegram.keyboard([long]) is None
    assert telegram.compact_payload("not an intent {") == "not an intent {"
    assert telegram.compact_payload('/x{"a": ') == '/x{"a": '


def test_answers_carry_their_feedback_buttons_where_the_channel_can_show_them(corpus):
    reply = compose_answer(corpus.get("botox-exercise"), CONTACT)
    assert reply.buttons, "compose_answer offers feedback buttons"
    assert all(b.title not in "\n".join(plain.sms(reply)) for b in reply.buttons)
    assert slack.slack(reply)[-1]["blocks"][-1]["type"] == "actions"
    assert [q["title"] for q in plain.messenger(reply)[-1]["quick_replies"]] == [b.title for b in reply.buttons]
