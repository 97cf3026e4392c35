"""Merging imported threads into a corpus and writing them all or none. Every corpus here lives in tmp_path."""

import datetime as dt
import os
from pathlib import Path

import pytest

import bot.corpus_writer as corpus_writer
from bot.config import Settings
from bot.corpus import Answer, Author, CorpusError, Rating, Thread, load_corpus, parse_thread
from bot.corpus_writer import (
    plan_import,
    read_existing,
    remove_thread,
    render_thread,
    slugify,
    unique_id,
    write_threads,
)
from bot.importers import ImportedThread, ParsedFile, read_file

FIXTURES = Path(__file__).parent / "fixtures" / "import"

EXISTING = """
id: botox-flying
question: "Can I fly after Botox?"
treatments: [neuromodulator]
status: published
source: "Clinic handbook"
answers:
  - author: {name: "Imogen Vale", credentials: "MD, FAAD", specialty: Dermatologist, location: "Portland, OR"}
    body: "Yes, flying the same day is fine."
    date: 2025-04-12
    url: "https://clinic.example/vale"
"""


@pytest.fixture(scope="module")
def vocabulary():
    from bot.treatments import load_vocabulary

    return load_vocabulary(Settings().corpus.treatments_file)


@pytest.fixture
def corpus_dir(tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "botox-flying.yml").write_text(EXISTING, encoding="utf-8")
    return folder


def answer(name, body, **extra):
    return Answer(author=Author(name=name), body=body, **extra)


def imported(question, *answers, file="in.jsonl", **fields):
    return ParsedFile(
        file, threads=(ImportedThread(question=question, answers=answers, file=file, place="line 1", **fields),)
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("Can I get a hydrafacial the week after lip filler?", "can-i-get-a-hydrafacial-the-week-after-lip-filler"),
        ("Crème après le peeling ?", "creme-apres-le-peeling"),
        ("???", "thread"),
        (
            "How long after a deep phenol chemical peel should I avoid the sun and wear SPF fifty?",
            "how-long-after-a-deep-phenol-chemical-peel-should-i-avoid",
        ),
    ],
)
def test_slugify(question, slug):
    assert slugify(question) == slug and len(slug) <= 60


def test_unique_id_adds_a_number():
    assert unique_id("a", {"a", "a-2"}) == "a-3" and unique_id("b", {"a"}) == "b"


def test_new_thread_gets_slug_defaults_and_inferred_treatments(vocabulary):
    plan = plan_import((), [imported("Can I tan after lip filler?", answer("Jo Ray", "Wait a week."))], vocabulary)
    (thread,) = plan.writes.values()
    assert thread.id == "can-i-tan-after-lip-filler"
    assert (thread.status, thread.demo, thread.source, thread.treatments) == ("draft", False, "in.jsonl", ("filler",))
    (outcome,) = plan.outcomes
    assert (outcome.action, outcome.answers_added) == ("added", 1)


def test_treatments_fall_back_to_general(vocabulary):
    plan = plan_import((), [imported("Can I travel next week?", answer("Jo Ray", "Yes."))], vocabulary)
    assert next(iter(plan.writes.values())).treatments == ("general",)


def test_slug_collision_with_a_different_question_gets_a_suffix(vocabulary):
    (existing,) = [parse_thread(EXISTING.replace("botox-flying", "can-i-tan-after-lip-filler"), "x.yml")]
    plan = plan_import([existing], [imported("Can I tan after lip filler?", answer("Jo Ray", "Wait."))], vocabulary)
    assert list(plan.writes) == ["can-i-tan-after-lip-filler-2"]


def test_same_question_merges_into_the_existing_thread(corpus_dir, vocabulary):
    existing = read_existing(corpus_dir)
    same = answer("Imogen Vale", "Yes,  flying the same day\nis fine.")  # spacing differs: still the same answer
    new = answer("Sam Reyes", "Wait 4 hours.")
    plan = plan_import(existing, [imported("can i fly after botox?", same, new, new)], vocabulary)
    thread = plan.writes["botox-flying"]
    assert [a.author.name for a in thread.answers] == ["Imogen Vale", "Sam Reyes"]
    # The existing thread keeps its source and treatments; defaults of the import never override them.
    assert (thread.source, thread.treatments) == ("Clinic handbook", ("neuromodulator",))
    # A new, unreviewed answer withdraws the thread to draft until it is reviewed.
    assert thread.status == "draft"
    (outcome,) = plan.outcomes
    assert (outcome.action, outcome.answers_added, outcome.answers_updated, outcome.answers_skipped) == (
        "changed",
        1,
        0,
        2,
    )
    assert outcome.fields == ("status",)


def test_an_input_that_states_published_keeps_the_thread_live(corpus_dir, vocabulary):
    item = imported("Can I fly after Botox?", answer("Sam Reyes", "Wait 4 hours."), file="t.yml", status="published")
    assert plan_import(read_existing(corpus_dir), [item], vocabulary).writes["botox-flying"].status == "published"


def test_identical_answers_are_not_duplicated(corpus_dir, vocabulary):
    original = read_existing(corpus_dir)[0].answers[0]
    plan = plan_import(read_existing(corpus_dir), [imported("Can I fly after Botox?", original)], vocabulary)
    assert plan.writes == {} and plan.outcomes[0].action == "unchanged" and plan.outcomes[0].answers_skipped == 1


def test_importing_a_page_twice_changes_nothing_the_second_time(tmp_path, vocabulary):
    parsed = read_file(FIXTURES / "hydrafacial-page.txt", "qa-page", vocabulary)
    write_threads(tmp_path, plan_import((), [parsed], vocabulary).writes)
    again = plan_import(read_existing(tmp_path), [parsed], vocabulary)
    assert again.writes == {} and again.outcomes[0].answers_skipped == 3


def test_a_refreshed_rating_updates_the_answer(corpus_dir, vocabulary):
    original = read_existing(corpus_dir)[0].answers[0]
    rated = original.model_copy(update={"rating": Rating(stars=4.9, reviews=300)})
    plan = plan_import(read_existing(corpus_dir), [imported("Can I fly after Botox?", rated)], vocabulary)
    assert plan.writes["botox-flying"].answers == (rated,) and plan.outcomes[0].answers_updated == 1


def test_an_update_keeps_what_the_input_leaves_out(corpus_dir, vocabulary):
    # A row that names only the author and the text must not erase the stored credentials, link or date.
    original = read_existing(corpus_dir)[0].answers[0]
    plan = plan_import(
        read_existing(corpus_dir),
        [imported("Can I fly after Botox?", answer("Imogen Vale", original.body, title="Same day is fine"))],
        vocabulary,
    )
    updated = plan.writes["botox-flying"].answers[0]
    assert updated == original.model_copy(update={"title": "Same day is fine"})


def test_values_the_input_states_update_the_thread(corpus_dir, vocabulary):
    item = imported(
        "Can I fly after Botox?", answer("Sam Reyes", "Wait."), file="t.yml", status="draft", tags=("travel",)
    )
    plan = plan_import(read_existing(corpus_dir), [item], vocabulary)
    thread = plan.writes["botox-flying"]
    assert thread.status == "draft" and thread.tags == ("travel",)
    assert plan.outcomes[0].fields == ("tags", "status")


def test_a_different_thread_under_an_existing_id_is_a_conflict(corpus_dir, vocabulary):
    item = imported("Can I drink after Botox?", answer("Sam Reyes", "Wait a day."), file="t.yml", id="botox-flying")
    plan = plan_import(read_existing(corpus_dir), [item], vocabulary)
    assert not plan.ok and plan.writes == {}
    (conflict,) = plan.conflicts
    assert (conflict.file, conflict.place, conflict.field) == ("t.yml", "line 1", "id")
    assert "Can I fly after Botox?" in conflict.reason and "--replace" in conflict.reason


def test_replace_lets_the_imported_thread_take_the_id(corpus_dir, vocabulary):
    item = imported("Can I drink after Botox?", answer("Sam Reyes", "Wait a day."), file="t.yml", id="botox-flying")
    plan = plan_import(read_existing(corpus_dir), [item], vocabulary, replace=True)
    assert plan.ok and plan.writes["botox-flying"].question == "Can I drink after Botox?"
    assert plan.outcomes[0].action == "replaced"


def test_one_id_for_two_questions_within_an_import_rejects_the_second(vocabulary):
    first = imported("Can I fly?", answer("A B", "Yes."), id="travel")
    second = imported("Can I swim?", answer("A B", "No."), id="travel", file="other.jsonl")
    plan = plan_import((), [first, second], vocabulary, replace=True)
    assert plan.writes["travel"].question == "Can I fly?"
    assert [(p.file, p.field) for p in plan.rejected] == [("other.jsonl", "id")]


def test_a_thread_the_schema_refuses_is_rejected_with_its_place(vocabulary):
    plan = plan_import((), [imported("Hi", answer("A B", "Yes."))], vocabulary)
    assert plan.writes == {} and [(p.place, p.field) for p in plan.rejected] == [("line 1", "question")]


def test_read_existing(tmp_path):
    assert read_existing(tmp_path / "missing") == () and read_existing(tmp_path) == ()
    (tmp_path / "bad.yml").write_text("id: bad\n", encoding="utf-8")
    with pytest.raises(CorpusError):
        read_existing(tmp_path)


def test_rendered_files_read_back_as_the_same_threads(tmp_path, vocabulary):
    files = [
        read_file(FIXTURES / n, f, vocabulary)
        for n, f in [("hydrafacial-page.txt", "qa-page"), ("answers.csv", "csv"), ("threads.yml", "yaml")]
    ]
    plan = plan_import((), files, vocabulary)
    write_threads(tmp_path, plan.writes)
    corpus = load_corpus(tmp_path)
    assert {t.id: t for t in corpus.threads} == plan.writes
    text = (tmp_path / "can-i-get-a-hydrafacial-the-week-after-lip-filler.yml").read_text(encoding="utf-8")
    assert "body: |-\n    Thank you for your question." in text  # paragraphs stay readable
    assert "- author: {specialty: Dermatologic Surgeon, location: San Antonio}" in text  # no invented name


def test_render_keeps_the_hand_written_field_order():
    thread = parse_thread(EXISTING, "botox-flying.yml")
    keys = [line.split(":")[0] for line in render_thread(thread).splitlines() if line[:1].isalpha()]
    assert keys == ["id", "question", "treatments", "status", "source", "demo", "answers"]


def test_every_demo_thread_reads_back_as_written(corpus):
    # The fixture threads above have no phrasings; the demo threads all do, which is what the writer once dropped.
    assert all(t.phrasings for t in corpus.threads)
    for thread in corpus.threads:
        assert parse_thread(render_thread(thread), f"{thread.id}.yml") == thread


def test_a_demo_thread_renders_in_its_hand_written_field_order(settings, corpus):
    def keys(text):
        return [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]

    hand_written = (settings.corpus.corpus_dir / "botox-exercise.yml").read_text(encoding="utf-8")
    assert keys(render_thread(corpus.get("botox-exercise"))) == keys(hand_written)


def _every_field_set() -> Thread:
    author = Author(name="Imogen Vale", credentials="MD", specialty="Dermatologist", location="Portland, OR")
    answer = Answer(
        author=author,
        body="Wait a day.\n\nThen swim.",
        title="A day",
        rating=Rating(stars=4.5, reviews=3),
        date=dt.date(2025, 4, 12),
        url="https://clinic.example/vale",
    )
    return Thread(
        id="filler-swimming",
        question="Can I swim after filler?",
        body="Booked a pool day.",
        treatments=("filler",),
        tags=("swimming",),
        answers=(answer,),
        source="handbook",
        demo=True,
        status="published",
        reviewed_by="boss",
        reviewed_at=dt.date(2025, 5, 1),
        review_due=dt.date(2026, 5, 1),
        phrasings=("swimming after lip filler",),
    )


def test_every_field_the_loader_reads_is_written():
    thread = _every_field_set()
    # A field added to the schema must be set here too, so this test covers it.
    for record in (thread, thread.answers[0], thread.answers[0].author, thread.answers[0].rating):
        assert set(type(record).model_fields) == record.model_fields_set, type(record).__name__
    assert parse_thread(render_thread(thread), "filler-swimming.yml") == thread


def test_empty_text_is_written_not_left_out():
    # An empty title left out would read back as no title (None): a different thread, and a refused write.
    thread = _every_field_set()
    thread = thread.model_copy(update={"body": "", "answers": (thread.answers[0].model_copy(update={"title": ""}),)})
    assert parse_thread(render_thread(thread), "filler-swimming.yml") == thread


def test_remove_thread(corpus_dir):
    remove_thread(corpus_dir, "botox-flying")
    assert list(corpus_dir.iterdir()) == []
    with pytest.raises(FileNotFoundError):
        remove_thread(corpus_dir, "botox-flying")


def test_write_leaves_no_temporary_files_and_keeps_other_files(corpus_dir, vocabulary):
    (corpus_dir / "README.md").write_text("notes", encoding="utf-8")
    plan = plan_import(
        read_existing(corpus_dir), [imported("Can I fly after Botox?", answer("Sam Reyes", "Wait."))], vocabulary
    )
    write_threads(corpus_dir, plan.writes)
    assert sorted(p.name for p in corpus_dir.iterdir()) == ["README.md", "botox-flying.yml"]


def _plan_touching_three_files(corpus_dir, vocabulary):
    files = [
        imported("Can I fly after Botox?", answer("Sam Reyes", "Wait.")),
        imported("Can I swim after lip filler?", answer("Jo Ray", "After a day.")),
        imported("Can I run after a peel?", answer("Jo Ray", "Yes.")),
    ]
    plan = plan_import(read_existing(corpus_dir), files, vocabulary)
    assert len(plan.writes) == 3
    return plan


def test_a_write_failing_half_way_restores_the_corpus(corpus_dir, vocabulary, monkeypatch):
    plan = _plan_touching_three_files(corpus_dir, vocabulary)
    before = snapshot(corpus_dir)
    real_replace, calls = os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # two files are already in place when the third fails
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(corpus_writer.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        write_threads(corpus_dir, plan.writes)
    assert snapshot(corpus_dir) == before


def test_a_failure_while_staging_writes_nothing(corpus_dir, vocabulary, monkeypatch):
    plan = _plan_touching_three_files(corpus_dir, vocabulary)
    before = snapshot(corpus_dir)
    real_stage, calls = corpus_writer._stage, []

    def failing_stage(*args):
        calls.append(args)
        if len(calls) == 2:
            raise OSError(13, "Permission denied")
        return real_stage(*args)

    monkeypatch.setattr(corpus_writer, "_stage", failing_stage)
    with pytest.raises(OSError):
        write_threads(corpus_dir, plan.writes)
    assert snapshot(corpus_dir) == before
