"""Review: overdue threads and author-less answers are listed; only servable threads are served."""

import datetime as dt

import pytest

from bot.corpus import Thread, load_corpus
from bot.review import authorless_answers, overdue, review_warnings, servable, servable_corpus
from conftest import copy_threads, run_cli

TODAY = dt.date(2026, 6, 1)


def thread(id, status="published", due=None, names=("Dr. A",)):
    return Thread.model_validate(
        {
            "id": id,
            "question": f"Question {id}?",
            "treatments": ["general"],
            "status": status,
            "review_due": due,
            "answers": [{"author": {"name": n}, "body": "An answer."} for n in names],
        }
    )


THREADS = [
    thread("current", due=dt.date(2026, 6, 1)),  # due today: not yet overdue
    thread("overdue", due=dt.date(2026, 5, 31)),
    thread("never-due"),
    thread("draft", status="draft"),
    thread("old-draft", status="draft", due=dt.date(2020, 1, 1)),
    thread("no-name", names=("Dr. B", None, None)),
]


def ids(threads):
    return [t.id for t in threads]


def test_overdue_means_due_before_today():
    assert ids(overdue(THREADS, TODAY)) == ["overdue", "old-draft"]


def test_authorless_answers_are_found_by_position():
    assert [(t.id, i) for t, i in authorless_answers(THREADS)] == [("no-name", 1), ("no-name", 2)]


def test_servable_keeps_published_and_drops_overdue_when_told():
    assert ids(servable(THREADS, TODAY, serve_overdue=True)) == ["current", "overdue", "never-due", "no-name"]
    assert ids(servable(THREADS, TODAY, serve_overdue=False)) == ["current", "never-due", "no-name"]


def test_warnings_name_file_thread_and_effect():
    lines = [str(w) for w in review_warnings(THREADS, TODAY, serve_overdue=False)]
    assert lines == [
        "overdue.yml: overdue: review was due 2026-05-31; not served (serve_overdue is off)",
        "old-draft.yml: old-draft: review was due 2020-01-01; a draft, not served",
        "no-name.yml: no-name: answers.1: answer 2 has no author name",
        "no-name.yml: no-name: answers.2: answer 3 has no author name",
    ]
    assert "still served" in str(review_warnings(THREADS, TODAY, serve_overdue=True)[0])


def test_servable_corpus_keeps_the_hash_the_index_checks(corpus):
    served = servable_corpus(corpus, serve_overdue=False, today=TODAY)
    assert served.content_hash == corpus.content_hash
    assert ids(served.threads) == ids(corpus.published)


@pytest.fixture()
def overdue_corpus(tmp_path, settings):
    folder = copy_threads(
        settings, tmp_path / "answers", ("botox-exercise", "filler-exercise", "botox-flying", "surgery-flying")
    )
    path = folder / "botox-exercise.yml"
    path.write_text(path.read_text() + "review_due: 2020-01-01\nreviewed_by: Dr. Imogen Vale\n")
    no_name = folder / "botox-flying.yml"
    text = no_name.read_text()
    start = text.index("name:")
    no_name.write_text(text[:start] + "# " + text[start:])  # the first answer loses its author name
    return folder


def test_overdue_thread_is_withdrawn_only_when_the_setting_says(tmp_path, overdue_corpus, settings, embedder):
    from bot.assistant import Assistant
    from bot.index import build_index, save_index

    save_index(build_index(load_corpus(overdue_corpus), embedder, settings.corpus.index_text), tmp_path / "index")
    base = settings.with_values(corpus_dir=overdue_corpus, index_dir=tmp_path / "index")
    served = Assistant.load(base.with_values(serve_overdue=True), embedder)
    assert served.ask("can I go to the gym after botox?").thread_id == "botox-exercise"
    withdrawn = Assistant.load(base.with_values(serve_overdue=False), embedder)
    assert withdrawn.corpus.get("botox-exercise") is None
    outcome = withdrawn.ask("can I go to the gym after botox?")
    assert "botox-exercise" not in [c.thread.id for c in outcome.candidates]


def test_validate_lists_review_warnings_and_still_passes(overdue_corpus):
    result = run_cli("--corpus", str(overdue_corpus), "validate")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("OK: 4 threads")
    assert "warning: botox-exercise.yml: botox-exercise: review was due 2020-01-01; still served" in result.stdout
    assert "warning: botox-flying.yml: botox-flying: answers.0: answer 1 has no author name" in result.stdout


def test_validate_still_fails_on_errors(overdue_corpus):
    (overdue_corpus / "surgery-flying.yml").write_text("id: surgery-flying\nquestion: x\n")
    result = run_cli("--corpus", str(overdue_corpus), "validate")
    assert result.returncode == 2 and "surgery-flying.yml" in result.stderr
