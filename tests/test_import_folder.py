"""`bot import FOLDER`: every page of a folder in one command, with a progress bar and a summary table."""

import json
from pathlib import Path

from bot.cli import main
from bot.corpus import load_corpus

CLINICIANS = [
    ("Mara Quell, MD", "Tampa Dermatologist"),
    ("Tobias Wren, DO", "Raleigh Facial Plastic Surgeon"),
    ("Hana Ito, MD", "Austin Dermatologist"),
    ("Elliot Marsh, PA-C", "Madison Physician Assistant"),
]


def qa_page(n: int, answers: int, question: str | None = None) -> str:
    """A page in one of the shapes the importer reads, with `answers` answers by fictional clinicians."""
    question = question or f"How long after treatment {n} can I exercise?"
    header = [
        f"Doctor Answers {answers}",
        f"Doctor Answers ({answers})",
        f"{answers} Doctor Answers | Asked by Pat in Reno, NV",
    ][n % 3]
    parts = [f"{question} (Photo)" if n % 4 == 0 else question, "", header, ""]
    for k in range(answers):
        name, where = CLINICIANS[(n + k) % len(CLINICIANS)]
        parts += [
            f"Answer {k + 1} for page {n}",
            "{{ voteCount >= 0 ? '+' + (voteCount + 1) : (voteCount + 1) }}",
            "",
            f"Wait {k + 2} days after treatment {n}; #Botox patients often ask.",
            "",
            name,
            where,
            f"4.{k} out of 5 stars {10 + k} reviews",
            "+2",
            "",
        ]
    parts += ["You might also like...", question, "Another question here", ""]
    return "\n".join(parts)


def write_folder(folder: Path) -> None:
    """50 pages: 46 distinct questions, two questions each at two addresses, one text that is no page, and one
    answer with no text; plus files of other kinds, which a folder import of pages does not read."""
    folder.mkdir()
    for n in range(46):
        (folder / f"page-{n:02d}.txt").write_text(qa_page(n, 1 + n % 3), encoding="utf-8")
    # The same questions at other addresses, with another answer count: merged, not duplicated.
    (folder / "page-46.txt").write_text(qa_page(1, 3, "How long after treatment 1 can I exercise?"), encoding="utf-8")
    (folder / "page-47.txt").write_text(qa_page(2, 1, "How long after treatment 2 can I exercise?"), encoding="utf-8")
    (folder / "page-48.txt").write_text("Opening hours\n\nMonday to Friday.\n", encoding="utf-8")
    (folder / "page-49.txt").write_text(
        "Can I sauna after filler?\n\nDoctor Answers 2\n\nWait two days.\n\n"
        "Mara Quell, MD\nTampa Dermatologist\n4.9 out of 5 stars 8 reviews\n\n"
        "Hana Ito, MD\nAustin Dermatologist\n4.8 out of 5 stars 5 reviews\n",
        encoding="utf-8",
    )
    (folder / "notes.csv").write_text("question\n", encoding="utf-8")
    (folder / ".hidden.txt").write_text("not read", encoding="utf-8")
    (folder / "page_files").mkdir()
    (folder / "page_files" / "frame.txt").write_text("not read", encoding="utf-8")


def test_a_folder_of_50_pages_imports_in_one_command_with_a_summary(tmp_path, capsys):
    folder, corpus = tmp_path / "pages", tmp_path / "answers"
    write_folder(folder)
    assert main(["--corpus", str(corpus), "import", str(folder), "--format", "qa-page"]) == 1  # some were rejected
    out, err = capsys.readouterr()
    summary = out[out.index("Summary:") :].splitlines()
    rows = {
        line[:19].strip(): line[19:].split(None, 1) for line in summary[1:] if line.startswith("  ") and line[2] != " "
    }
    assert summary[0] == "Summary: 50 pages read"
    assert rows["pages rejected"][0] == "1" and "not a doctor Q&A page" in rows["pages rejected"][1]
    assert rows["threads added"] == ["47"]  # 46 distinct questions and the sauna page
    assert rows["threads merged"][0] == "2"
    # 46 pages of 1 to 3 answers (91), the third answer of page 1's other address (its first two are the same
    # answers) and the sauna page's one; page 2's other address shows one of its three answers again.
    assert rows["answers added"] == ["93"] and rows["answers skipped"][0] == "3"
    assert rows["answers rejected"][0] == "1" and "no answer text above this byline (1)" in rows["answers rejected"][1]
    assert rows["text left out"][0] != "0" and "template text" in rows["text left out"][1]
    # The progress bar went to standard error, ending full.
    assert err.splitlines()[-1] == f"[{'#' * 30}] 50/50 pages read"
    assert "Wrote 47 thread file(s)" in out
    threads = load_corpus(corpus).threads
    assert len(threads) == 47 and all(t.status == "draft" for t in threads)
    merged = next(t for t in threads if t.question == "How long after treatment 1 can I exercise?")
    assert len(merged.answers) == 3  # two from its own page, a third from its other address
    for thread in threads:
        for answer in thread.answers:
            assert "{{" not in answer.body and "You might also like" not in answer.body and "#" not in answer.body
            assert answer.title is None or not answer.title.endswith("(Photo)")


def test_dry_run_json_reports_the_parse_of_every_page(tmp_path, capsys):
    folder, corpus = tmp_path / "pages", tmp_path / "answers"
    write_folder(folder)
    main(["--corpus", str(corpus), "import", str(folder), "--format", "qa-page", "--dry-run", "--json"])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert not corpus.exists() and "Summary: 50 pages read" in err
    pages = {Path(p["file"]).name: p for p in data["files"]}
    assert len(pages) == 50
    assert pages["page-48.txt"]["threads"] == [] and pages["page-48.txt"]["rejected"][0]["field"] == "page"
    (merged,) = pages["page-46.txt"]["threads"]
    assert (merged["action"], merged["id"], merged["answers"]) == (
        "changed",
        "how-long-after-treatment-1-can-i-exercise",
        3,
    )
    assert {d["field"] for d in pages["page-00.txt"]["dropped"]} >= {
        "template text",
        "vote count",
        "related links",
        "photo tag",
    }


def test_a_folder_without_pages_of_the_format_is_said(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["--corpus", str(tmp_path / "answers"), "import", str(tmp_path / "empty"), "--format", "html"]) == 1
    out = capsys.readouterr().out
    assert "(folder): (folder): no *.html or *.htm files in this folder" in out and "empty folders" in out
