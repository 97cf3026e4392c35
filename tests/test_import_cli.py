"""`bot import` as a curator runs it, in-process and always against a tmp_path corpus."""

import json
import os
from pathlib import Path

import pytest

import bot.corpus_writer as corpus_writer
from bot.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "import"
PAGE = str(FIXTURES / "hydrafacial-page.txt")


def bot(corpus: Path, *args: str) -> int:
    return main(["--corpus", str(corpus), "import", *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_dry_run_json_prints_the_page_and_writes_nothing(tmp_path, capsys):
    corpus = tmp_path / "answers"
    assert bot(corpus, PAGE, "--format", "qa-page", "--dry-run", "--json") == 0
    out, err = capsys.readouterr()
    assert not corpus.exists()
    data = json.loads(out)
    assert data["threads"] == [
        {
            "id": "can-i-get-a-hydrafacial-the-week-after-lip-filler",
            "question": "Can I get a hydrafacial the week after lip filler?",
            "body": "I booked a facial for five days after my lip filler appointment. Should I move it?",
            "answers": [
                {
                    "title": "Facials after filler",
                    "body": "Wait two weeks so the filler can settle; suction and massage on the lips can move it.",
                    "author": {
                        "name": "Priya N. Okafor",
                        "credentials": "MD",
                        "specialty": "Facial Plastic Surgeon",
                        "location": "Denver",
                    },
                    "rating": {"stars": 4.8, "reviews": 61},
                },
                {
                    "title": None,
                    "body": "Thank you for your question. A facial that avoids the lips is fine after 48 hours.\n\n"
                    "Best wishes,\nSam Reyes, D.O.\nSalt Lake City, UT",
                    "author": {
                        "name": "Sam Reyes",
                        "credentials": "DO, FAAD",
                        "specialty": "Dermatologist",
                        "location": "Salt Lake City",
                    },
                    "rating": {"stars": 5.0, "reviews": 9},
                },
                {
                    "title": "Hydrafacial timing",
                    "body": "Most of my patients wait one week.",
                    "author": {
                        "name": None,
                        "credentials": None,
                        "specialty": "Dermatologic Surgeon",
                        "location": "San Antonio",
                    },
                    "rating": {"stars": 4.9, "reviews": 140},
                },
            ],
        }
    ]
    # Beside the threads, the parse of every page: what it gave, and what it rejected, warned about or left out.
    (page,) = data["files"]
    assert page["threads"] == [
        {
            "question": "Can I get a hydrafacial the week after lip filler?",
            "place": "line 1",
            "answers": 3,
            "id": "can-i-get-a-hydrafacial-the-week-after-lip-filler",
            "action": "added",
        }
    ]
    assert [w["place"] for w in page["warnings"]] == ["line 29"] and page["rejected"] == []
    assert [d["field"] for d in page["dropped"]] == ["photo tag"]
    # The report goes to stderr so stdout stays JSON.
    assert "threads 1 added" in err and "line 29: author.name" in err and "nothing written" in err


def test_import_writes_a_valid_draft_corpus(tmp_path, capsys):
    corpus = tmp_path / "answers"
    assert bot(corpus, PAGE, str(FIXTURES / "irregular-page.txt"), "--format", "qa-page") == 0
    out = capsys.readouterr().out
    assert "Wrote 2 thread file(s)" in out and "the page says 4 doctor answers but 3 were found" in out
    assert main(["--corpus", str(corpus), "validate"]) == 0
    assert "2 threads (0 published), 6 answers" in capsys.readouterr().out


def test_dry_run_writes_nothing_into_an_existing_corpus(tmp_path, capsys):
    bot(tmp_path, PAGE, "--format", "qa-page")
    before = snapshot(tmp_path)
    assert bot(tmp_path, str(FIXTURES / "answers.csv"), "--format", "csv", "--dry-run") == 0
    assert snapshot(tmp_path) == before
    assert "Dry run: 2 thread file(s) would be written" in capsys.readouterr().out


def test_reimport_reports_identical_answers_as_skipped(tmp_path, capsys):
    bot(tmp_path, PAGE, "--format", "qa-page")
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert bot(tmp_path, PAGE, "--format", "qa-page") == 0
    out = capsys.readouterr().out
    assert "1 unchanged; answers 0 added, 0 updated, 3 skipped as identical" in out and "Nothing to write" in out
    assert snapshot(tmp_path) == before


def test_rejected_rows_are_reported_and_the_rest_imported(tmp_path, capsys):
    assert bot(tmp_path, str(FIXTURES / "broken.csv"), "--format", "csv") == 1
    out = capsys.readouterr().out
    assert "7 record(s) rejected" in out and "rejected  row 3: rating_stars:" in out
    assert [p.name for p in tmp_path.glob("*.yml")] == ["can-i-fly-after-botox.yml"]


@pytest.mark.parametrize(
    ("name", "fmt", "where"),
    [
        ("broken.yml", "yaml", "line 4: (file): not valid YAML"),
        ("broken.jsonl", "jsonl", "line 2: (line): not valid JSON"),
        ("bad-header.csv", "csv", "row 1: (header): unknown column 'answer'"),
        ("not-a-page.txt", "qa-page", "(file): page: not a doctor Q&A page"),
    ],
)
def test_broken_file_of_each_format_says_where_and_why(tmp_path, capsys, name, fmt, where):
    assert bot(tmp_path, str(FIXTURES / name), "--format", fmt) == 1
    assert where in capsys.readouterr().out


def test_conflicting_id_stops_the_whole_import(tmp_path, capsys):
    # Same ids, different questions: the first import stands, the second must not overwrite it silently.
    (tmp_path / "botox-flying-import.yml").write_text(
        "id: botox-flying-import\nquestion: Can I drink after Botox?\ntreatments: [neuromodulator]\n"
        "answers:\n  - author: {name: Jo Ray}\n    body: Wait a day.\n",
        encoding="utf-8",
    )
    before = snapshot(tmp_path)
    assert bot(tmp_path, str(FIXTURES / "threads.yml"), "--format", "yaml") == 2
    out, err = capsys.readouterr()
    assert "conflict  line 2: id: 'botox-flying-import' is already in the corpus" in out
    assert "nothing written" in err
    assert snapshot(tmp_path) == before  # not even the other, non-conflicting thread
    assert bot(tmp_path, str(FIXTURES / "threads.yml"), "--format", "yaml", "--replace") == 0
    assert "Can I fly after Botox?" in (tmp_path / "botox-flying-import.yml").read_text(encoding="utf-8")


def test_interrupted_import_leaves_the_corpus_as_it_was(tmp_path, capsys, monkeypatch):
    bot(tmp_path, str(FIXTURES / "answers.csv"), "--format", "csv")
    before = snapshot(tmp_path)
    real_replace, calls = os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(corpus_writer.os, "replace", failing_replace)
    # The JSON Lines file adds a third answer to an existing thread and brings two new threads.
    files = [str(FIXTURES / "answers.jsonl")]
    (tmp_path.parent / "more.jsonl").write_text(
        '{"question": "Can I fly after Botox?", "answer_body": "Avoid pressing on the area.", "author_name": "Lena Hart"}\n'
        '{"question": "Can I sauna after filler?", "answer_body": "Wait two days.", "author_name": "Lena Hart"}\n',
        encoding="utf-8",
    )
    files.append(str(tmp_path.parent / "more.jsonl"))
    assert bot(tmp_path, *files, "--format", "jsonl") == 2
    assert "writing failed, the corpus is as it was" in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_a_new_answer_imports_into_a_real_demo_thread(tmp_path, settings):
    # Every demo thread has phrasings (and some review fields); the writer used to drop them, so the
    # written file did not read back as the same thread and any import into a demo thread failed.
    import shutil

    from bot.corpus import load_corpus

    corpus = tmp_path / "answers"
    shutil.copytree(settings.corpus.corpus_dir, corpus)
    before = {t.id: t for t in load_corpus(corpus).threads}
    question = before["botox-exercise"].question
    assert before["botox-exercise"].phrasings
    source = tmp_path / "new.yml"
    source.write_text(
        f'question: "{question}"\n'
        "answers:\n"
        '  - author: {name: "Dr. Tomas Ferreira-Lund", credentials: "MD", specialty: Dermatologist, location: "Oslo"}\n'
        '    body: "Light walking the same day is fine; leave hard training until the next morning."\n',
        encoding="utf-8",
    )
    assert bot(corpus, str(source), "--format", "yaml") == 0
    after = {t.id: t for t in load_corpus(corpus).threads}
    thread = after["botox-exercise"]
    assert len(thread.answers) == len(before["botox-exercise"].answers) + 1
    assert thread.phrasings == before["botox-exercise"].phrasings
    assert thread.status == "draft"  # a new answer withdraws the thread until it is reviewed again
    assert {k: v for k, v in after.items() if k != "botox-exercise"} == {
        k: v for k, v in before.items() if k != "botox-exercise"
    }


def test_one_import_adds_an_answer_to_every_demo_thread(tmp_path, settings, capsys):
    # The bug was in every demo thread, not one: import a new answer into each of them at once.
    import shutil

    import yaml

    from bot.corpus import load_corpus

    corpus = tmp_path / "answers"
    shutil.copytree(settings.corpus.corpus_dir, corpus)
    before = {t.id: t for t in load_corpus(corpus).threads}
    author = {"name": "Dr. Tomas Ferreira-Lund", "credentials": "MD", "specialty": "Dermatologist"}
    items = [
        {"question": t.question, "answers": [{"author": author, "body": f"My advice on {t.id}: ask your clinic."}]}
        for t in before.values()
    ]
    source = tmp_path / "every.yml"
    source.write_text(yaml.safe_dump(items, sort_keys=False), encoding="utf-8")
    assert bot(corpus, str(source), "--format", "yaml") == 0, capsys.readouterr().err
    after = {t.id: t for t in load_corpus(corpus).threads}
    assert after.keys() == before.keys()
    for tid, thread in after.items():
        assert thread.answers == before[tid].answers + thread.answers[-1:] and len(thread.answers) > len(
            before[tid].answers
        )
        assert thread.phrasings == before[tid].phrasings and thread.phrasings
        assert thread.model_copy(update={"answers": before[tid].answers, "status": before[tid].status}) == before[tid]
