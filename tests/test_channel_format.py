"""Per-channel rendering of replies (bot.channel_format): pure, on real composed replies and on
synthetic long ones."""

from __future__ import annotations

import re

import pytest

from bot import channel_format as cf
from bot import triage
from bot.compose import DEMO_NOTICE, Button, Citation, Contact, Quote, Reply, compose_alert, compose_answer, compose_clarify, compose_fallback

CONTACT = Contact("Demo Clinic", "555-0100", "911")
SPECIAL = "_*[]()~`>#+-=|{}.!\\"


def long_reply(n_quotes: int = 12, words: int = 60) -> Reply:
    """An answer far beyond 1,600 characters, shaped like compose_answer's."""
    quotes = [Quote(i, " ".join(f"word{i}x{j}" for j in range(words)) + ".", f"t#{i}") for i in range(1, n_quotes + 1)]
    citations = [
        Citation(i, f"Dr. Name {i}", "MD", "Dermatologist", "Town, ST", f"https://clinic.example/doc-{i}?a=1&b=(2)", f"t#{i}")
        for i in range(1, n_quotes + 1)
    ]
    notice = cf_disclaimer()
    lines = ['Closest question on file: "Can I exercise?"', "", "12 clinicians answered.", ""]
    lines += [f'- "{q.text}" [{q.n}]' for q in quotes]
    lines += ["", "Sources:"]
    lines += [f"[{c.n}] {c.name}, {c.credentials}, {c.specialty}, {c.location} {c.url}" for c in citations]
    lines += ["", notice]
    return Reply("\n".join(lines), notice, citations, quotes, [], "12 clinicians answered.", "Can I exercise?")


def cf_disclaimer() -> str:
    from bot.compose import disclaimer

    return disclaimer(CONTACT)


def emergency() -> tuple[Reply, str]:
    alert = triage.assess("i had lip filler an hour ago and now my throat feels tight and i can't breathe properly")
    assert alert is not None and alert.urgency == "emergency"
    return compose_alert(alert, CONTACT), alert.urgency


def words(text: str) -> list[str]:
    return re.findall(r"word\d+x\d+", text)


# --- parsing ------------------------------------------------------------------------------------


def test_every_part_of_a_composed_answer_is_recognised(corpus):
    for thread in corpus.published:
        reply = compose_answer(thread, CONTACT)
        kinds = [line.kind for p in cf.parse(reply).paragraphs for line in p.lines]
        # "text" would mean compose changed its layout and channels lost their rich rendering.
        assert "text" not in kinds, (thread.id, kinds)
        assert kinds.count("quote") == len(reply.quotes) and kinds.count("source") == len(reply.citations)
        assert kinds[-1] == "disclaimer" and ("demo" in kinds) == thread.demo


def test_unknown_paragraphs_are_kept_word_for_word():
    reply = compose_fallback(CONTACT)
    assert cf.sms(reply) == [reply.text]  # its button is not in the text: SMS leaves it out
    (message,) = cf.messenger(reply)
    assert message["text"] == reply.text
    assert all(len(q["title"]) <= cf.MESSENGER_QUICK_REPLY_TITLE for q in message.get("quick_replies", []))
    assert [q["payload"] for q in message.get("quick_replies", [])] == [b.payload for b in reply.buttons]


# --- SMS and WhatsApp ---------------------------------------------------------------------------


def test_sms_answers_from_the_corpus_fit_and_number_their_sources(corpus):
    for thread in corpus.published:
        reply = compose_answer(thread, CONTACT)
        parts = cf.sms(reply)
        assert all(len(p) <= cf.SMS_LIMIT for p in parts)
        text = "\n".join(parts)
        for c in reply.citations:
            line = next(line for line in text.splitlines() if line.startswith(f"[{c.n}] "))
            if c.url:
                assert line.endswith(c.url)
        assert reply.disclaimer in text


def test_long_sms_is_split_into_numbered_parts_within_1600_chars():
    reply = long_reply()
    assert len(reply.text) > 2 * cf.SMS_LIMIT
    parts = cf.sms(reply)
    assert len(parts) >= 3
    assert all(len(p) <= cf.SMS_LIMIT for p in parts)
    assert [p.split(" ", 1)[0] for p in parts] == [f"({i}/{len(parts)})" for i in range(1, len(parts) + 1)]
    # Nothing lost, nothing cut mid-word, order kept.
    assert words("\n".join(parts)) == words(reply.text)
    assert all(re.fullmatch(r"https://clinic\.example/doc-\d+\?a=1&b=\(2\)", u) for u in re.findall(r"https://\S+", "\n".join(parts)))


def test_a_paragraph_longer_than_a_message_splits_at_sentences_then_words():
    sentence = "This sentence has exactly eight words in it. "
    reply = Reply(sentence * 80, "")
    parts = cf.sms(reply)
    assert len(parts) > 1 and all(len(p) <= cf.SMS_LIMIT for p in parts)
    for part in parts:
        body = part.split(" ", 1)[1]
        assert body.startswith("This sentence") and body.endswith("in it.")
    one_word_sentence = Reply(" ".join(["lorem"] * 700), "")
    parts = cf.sms(one_word_sentence)
    assert all(len(p) <= cf.SMS_LIMIT for p in parts)
    assert sum(p.split(" ", 1)[1].count("lorem") for p in parts) == 700


def test_split_text_never_cuts_words():
    text = " ".join(f"w{i}" * 3 for i in range(500))
    pieces = cf.split_text(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == text.split()
    assert cf.split_text("short", 100) == ["short"]
    assert cf.split_text("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]  # one word longer than a message


def test_sms_is_plain_text():
    reply = Reply("<b>Ice</b> it **gently** for `ten` minutes — “twice” a day…", "")
    (text,) = cf.sms(reply)
    assert text == 'Ice it gently for ten minutes - "twice" a day...'


def test_sms_urgent_reply_is_complete_and_first():
    reply, urgency = emergency()
    (text,) = cf.sms(reply, urgency)
    assert text.startswith("URGENT: This could be an emergency. Call 911 now")
    assert reply.disclaimer in text


def test_urgent_line_leads_even_when_the_reply_is_long():
    base, urgency = emergency()
    reply = Reply(base.text + "\n\n" + ("More text follows here. " * 200), base.disclaimer)
    parts = cf.sms(reply, urgency)
    assert len(parts) > 1
    first_paragraph = base.text.split("\n\n")[0]
    assert parts[0].startswith(f"(1/{len(parts)}) URGENT: {first_paragraph}")


def test_clarification_on_sms_lists_options_and_asks_to_rephrase(corpus):
    reply = compose_clarify([corpus.get("botox-exercise"), corpus.get("filler-exercise")], CONTACT)
    (text,) = cf.sms(reply)
    assert "1. Botox" in text and "2. Dermal filler" in text
    assert "Tap" not in text and "name your treatment" in text
    assert "/ask_aftercare" not in text


# --- Messenger ----------------------------------------------------------------------------------


def test_messenger_quick_replies_use_numbers_when_titles_are_long(corpus):
    reply = compose_clarify([corpus.get("botox-exercise"), corpus.get("filler-exercise")], CONTACT)
    (message,) = cf.messenger(reply)
    assert [q["title"] for q in message["quick_replies"]] == ["1", "2"]
    assert [q["payload"] for q in message["quick_replies"]] == [b.payload for b in reply.buttons]
    short = Reply("Which?\n\n1. Yes\n2. No", "", buttons=[Button("Yes", "/affirm"), Button("No", "/deny")])
    (message,) = cf.messenger(short)
    assert [q["title"] for q in message["quick_replies"]] == ["Yes", "No"]


def test_messenger_messages_fit_2000_chars():
    messages = cf.messenger(long_reply())
    assert len(messages) > 1 and all(len(m["text"]) <= cf.MESSENGER_LIMIT for m in messages)
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
    messages = cf.slack(reply)
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
    reply = Reply("Use <b>cream</b> & rest > 2 days.\n\n" + ("Sentence number one is here. " * 300), "")
    messages = cf.slack(reply)
    texts = slack_texts(messages)
    assert texts[0] == "Use &lt;b&gt;cream&lt;/b&gt; &amp; rest &gt; 2 days."
    assert len(texts) > 2 and all(len(t) <= cf.SLACK_SECTION_LIMIT for t in texts)


def test_slack_buttons_fit_slack_limits(corpus):
    threads = [t for t in corpus.published if t.treatments[0] == "neuromodulator"][:3]
    reply = Reply("Which one?", "", buttons=[Button(t.question + " " + "x" * 80, t.question) for t in threads])
    (message,) = cf.slack(reply)
    actions = message["blocks"][-1]
    assert actions["type"] == "actions"
    assert all(len(e["text"]["text"]) <= cf.SLACK_BUTTON_TITLE for e in actions["elements"])
    assert [e["value"] for e in actions["elements"]] == [t.question for t in threads]


def test_slack_urgent_is_first_and_marked():
    reply, urgency = emergency()
    first = slack_texts(cf.slack(reply, urgency))[0]
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
    escaped = cf.telegram_escape(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == text
    assert not unescaped_specials(escaped)


def test_telegram_answer_is_valid_markdown_v2(corpus):
    for thread in corpus.published:
        reply = compose_answer(thread, CONTACT)
        for message in cf.telegram(reply):
            assert message["parse_mode"] == "MarkdownV2"
            assert len(message["text"]) <= cf.TELEGRAM_LIMIT
            assert not unescaped_specials(message["text"]), (thread.id, unescaped_specials(message["text"]))
    reply = compose_answer(corpus.get("botox-exercise"), CONTACT)
    text = cf.telegram(reply)[0]["text"]
    c = reply.citations[0]
    assert f"\\[1\\] [{cf.telegram_escape(c.name)}" in text and f"]({c.url})" in text
    assert f"*{cf.telegram_escape(reply.question)}*" in text
    assert text.count("\n>") == len(reply.quotes)


def test_telegram_link_targets_escape_parentheses():
    reply = long_reply(2, 5)
    text = "\n".join(m["text"] for m in cf.telegram(reply))
    assert "](https://clinic.example/doc-1?a=1&b=(2\\))" in text


def test_telegram_splits_long_replies_without_breaking_markup():
    reply = Reply("Be careful. " * 1000, "")
    messages = cf.telegram(reply)
    assert len(messages) > 1 and all(len(m["text"]) <= cf.TELEGRAM_LIMIT for m in messages)
    assert all(not unescaped_specials(m["text"]) for m in messages)


def test_telegram_inline_keyboard_and_its_64_byte_limit(corpus):
    reply = compose_clarify([corpus.get("botox-exercise"), corpus.get("filler-exercise")], CONTACT)
    (message,) = cf.telegram(reply)
    keyboard = message["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [cf.compact_payload(b.payload) for b in reply.buttons]
    assert keyboard[1][0]["callback_data"] == '/ask_aftercare{"treatment":"filler"}'
    # 40 characters but 80 bytes: over the limit, so the button sends its own title (= payload).
    long_payload = [Button("é" * 40, "é" * 40), Button("Dermal filler", "Dermal filler")]
    markup = cf.telegram_keyboard(long_payload)
    assert "inline_keyboard" not in markup and markup["keyboard"] == [[{"text": "é" * 40}], [{"text": "Dermal filler"}]]
    assert "inline_keyboard" in cf.telegram_keyboard([Button("x", "é" * 32)])  # exactly 64 bytes


def test_telegram_urgent_is_bold_and_first():
    reply, urgency = emergency()
    (message,) = cf.telegram(reply, urgency)
    assert message["text"].startswith("⚠️ *URGENT: This could be an emergency\\. Call 911 now")


@pytest.mark.parametrize("render", [cf.sms, cf.telegram, cf.slack, cf.messenger], ids=["sms", "telegram", "slack", "messenger"])
def test_clinic_soon_note_comes_first(corpus, render):
    answer = compose_answer(corpus.get("botox-exercise"), CONTACT)
    note = "Please also book a check with Demo Clinic on 555-0100: spreading redness should be looked at."
    reply = Reply(f"{note}\n\n{answer.text}", answer.disclaimer, answer.citations, answer.quotes, [], answer.summary, answer.question, answer.demo)
    first = render(reply, "clinic_soon")[0]
    first_text = first if isinstance(first, str) else slack_texts([first])[0] if "blocks" in first else first["text"]
    assert "Please also book a check" in first_text.split("\n")[0]
    assert DEMO_NOTICE.split(":")[0] in "\n".join(
        r if isinstance(r, str) else "\n".join(slack_texts([r])) if "blocks" in r else r["text"] for r in render(reply, "clinic_soon")
    )


def test_telegram_leaves_out_buttons_it_cannot_send():
    short = Button("Yes, helpful", '/feedback{"helpful": "yes", "feedback_thread": "botox-exercise"}')
    long = Button("Not helpful", '/feedback{"helpful": "no", "feedback_thread": "a-very-long-thread-identifier-here"}')
    markup = cf.telegram_keyboard([short, long])
    assert markup == {"inline_keyboard": [[{"text": "Yes, helpful", "callback_data": '/feedback{"helpful":"yes","feedback_thread":"botox-exercise"}'}]]}
    assert cf.telegram_keyboard([long]) is None
    assert cf.compact_payload("not an intent {") == "not an intent {"
    assert cf.compact_payload('/x{"a": ') == '/x{"a": '


def test_answers_carry_their_feedback_buttons_where_the_channel_can_show_them(corpus):
    reply = compose_answer(corpus.get("botox-exercise"), CONTACT)
    assert reply.buttons, "compose_answer offers feedback buttons"
    assert all(b.title not in "\n".join(cf.sms(reply)) for b in reply.buttons)
    assert cf.slack(reply)[-1]["blocks"][-1]["type"] == "actions"
    assert [q["title"] for q in cf.messenger(reply)[-1]["quick_replies"]] == [b.title for b in reply.buttons]
