"""Saved HTML pages: a doctor Q&A page, and clinic FAQ pages (headings, <details>, definition lists)."""

from pathlib import Path

from bot.cli import main
from bot.corpus import load_corpus
from bot.importers.html_page import parse, render

HTML = Path(__file__).parent / "fixtures" / "import" / "html"


def page(name: str):
    return parse((HTML / name).read_bytes(), name)


def test_qa_page_reads_question_answers_and_bylines():
    parsed = page("qa-page.html")
    (thread,) = parsed.threads
    assert thread.question == "Can I wear a hat after a hair transplant?"
    assert thread.body == "I had my procedure on Monday and I go back to work on Thursday."
    first, second = thread.answers
    assert first.title == "Loose hats only"
    assert first.body == (
        "A loose cap is fine from day 3.\n\nPut it on and take it off gently, and avoid tight beanies for two weeks."
    )
    assert (first.author.name, first.author.credentials) == ("Mara Quell", "MD")
    assert (first.author.specialty, first.author.location) == ("Hair Restoration Surgeon", "Tampa")
    assert (first.rating.stars, first.rating.reviews) == (4.9, 88)
    # <br> is a line break inside the paragraph.
    assert second.body == "Wait a full week\nif the grafts are at the hairline." and second.rating is None
    assert parsed.rejected == () and parsed.warnings == ()


def test_qa_page_keeps_scripts_hidden_text_and_furniture_out():
    parsed = page("qa-page.html")
    text = " ".join(a.body + (a.title or "") for a in parsed.threads[0].answers)
    for residue in ("voteCount", "Hidden promotional", "Washing hair", "Home", "educational purposes"):
        assert residue not in text
    # Places are lines of the HTML file; what was left out is said.
    assert parsed.threads[0].place == "line 13"
    assert {(d.place, d.field) for d in parsed.dropped} == {
        ("line 10", "page furniture"),
        ("line 13", "photo tag"),
        ("line 20", "template text"),
    }


def test_faq_page_with_question_headings():
    parsed = page("faq-headings.html")
    questions = [t.question for t in parsed.threads]
    assert questions == [
        "Can I lie down after Botox?",
        "Can I exercise after Botox?",
        "How long will the swelling last after lip filler?",
    ]
    lie_down, exercise, swelling = (t.answers[0] for t in parsed.threads)
    assert lie_down.body == "Stay upright for 4 hours after your treatment."
    assert exercise.body == "Skip the gym until the next day.\n\n- Walking is fine.\n- No hot yoga for 24 hours."
    assert swelling.body == "Most swelling settles in 3 to 5 days.\n\nCold packs help; wrap them in a cloth."
    # A FAQ names no clinician: kept without an author and said, for the reviewer.
    assert all(t.answers[0].author.name is None for t in parsed.threads)
    assert [w.field for w in parsed.warnings] == ["author.name"]
    # A question with nothing under it is rejected; sections that ask nothing are left out and said.
    (rejected,) = parsed.rejected
    assert (rejected.place, rejected.field) == ("line 29", "body")
    sections = [d.reason for d in parsed.dropped if d.field == "section"]
    assert len(sections) == 2 and "'Opening hours'" in sections[1]
    assert not any("Monday" in t.answers[0].body for t in parsed.threads)


def test_faq_page_with_details_and_summary():
    parsed = page("faq-details.html")
    assert [(t.question, t.answers[0].body) for t in parsed.threads] == [
        ("When can I wear makeup after a laser treatment?", "After 48 hours, once the skin no longer feels hot."),
        ("Do I need sunscreen?", "Yes: SPF 50 every day for a month, even when it is cloudy."),
    ]
    assert [(p.place, p.field) for p in parsed.rejected] == [("line 15", "body")]


def test_faq_page_with_a_definition_list():
    parsed = page("faq-definitions.html")
    assert [(t.question, t.answers[0].body, t.place) for t in parsed.threads] == [
        ("Can I peel the flaking skin?", "No. Let it come off on its own, or it can scar.", "line 7"),
        ("When can I use retinol again?", "After one week.\n\nStart every other night.", "line 9"),
    ]


def test_a_page_in_another_encoding_is_read_by_its_meta_charset():
    html = '<html><head><meta charset="windows-1252"></head><body><dl><dt>Caf\xe9 after a peel?</dt><dd>Yes.</dd>'
    parsed = parse(html.encode("cp1252"), "p.html")
    assert parsed.threads[0].question == "Café after a peel?"


def test_html_that_is_neither_page_is_rejected_clearly():
    (problem,) = page("not-a-page.html").rejected
    assert (problem.place, problem.field) == ("(file)", "page") and "nor a FAQ page" in problem.reason
    (problem,) = parse(b"", "empty.html").rejected
    assert problem.reason == "no HTML content"


def test_render_breaks_lines_as_a_browser_shows_them():
    import lxml.html

    root = lxml.html.fromstring(
        "<div><p>One\n   two</p><div>Jo Ray, MD</div><div>Denver Dermatologist</div>"
        "<script>x()</script><span style='display: none'>hid</span></div>"
    )
    assert [line.text for line in render(root)] == ["One two", "", "Jo Ray, MD", "Denver Dermatologist"]


def test_bot_import_html_writes_drafts(tmp_path, capsys):
    corpus = tmp_path / "answers"
    files = [str(HTML / n) for n in ("qa-page.html", "faq-headings.html", "faq-details.html")]
    assert main(["--corpus", str(corpus), "import", *files, "--format", "html"]) == 1  # two questions had no answer
    out = capsys.readouterr().out
    assert "Wrote 6 thread file(s)" in out and "answers rejected  2" in out
    threads = load_corpus(corpus).threads
    assert len(threads) == 6 and all(t.status == "draft" for t in threads)
