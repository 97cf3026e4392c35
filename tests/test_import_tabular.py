"""Reading answers from CSV and JSON Lines: grouping by question, and a located reason for every rejected row."""

import datetime as dt
from pathlib import Path

import pytest

from bot.config import Settings
from bot.importers import read_file

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(scope="module")
def vocabulary():
    from bot.treatments import load_vocabulary

    return load_vocabulary(Settings().corpus.treatments_file)


def read(name, vocabulary):
    return read_file(FIXTURES / name, name.rsplit(".", 1)[1], vocabulary)


def located(parsed):
    return {(p.place, p.field): p.reason for p in parsed.rejected}


@pytest.mark.parametrize("name", ["answers.csv", "answers.jsonl"])
def test_rows_of_one_question_make_one_thread(name, vocabulary):
    parsed = read(name, vocabulary)
    assert parsed.rejected == () and parsed.warnings == ()
    flying, makeup = parsed.threads
    assert flying.question == "Can I fly after Botox?" and len(flying.answers) == 2
    # Given as the canonical name in the CSV and as the synonym "botox" in the JSON Lines file.
    assert flying.treatments == ("neuromodulator",)
    first = flying.answers[0]
    assert first.title == "Flying is fine" and first.body == "Yes, flying the same day is fine."
    assert (first.author.name, first.author.credentials, first.author.location) == (
        "Imogen Vale",
        "MD, FAAD",
        "Portland, OR",
    )
    assert (first.rating.stars, first.rating.reviews) == (4.9, 212)
    assert first.date == dt.date(2025, 4, 12) and str(first.url) == "https://clinic.example/vale"
    assert flying.answers[1].rating is None and flying.answers[1].title is None
    assert makeup.body == "My skin is still flaking." and makeup.treatments == ()
    assert (
        makeup.answers[0].body
        == "Wait until the peeling stops, usually 5 to 7 days.\nThen use a gentle mineral makeup."
    )


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(vocabulary):
    # The header is row 1; the multi-line cell in row 4 is still one row.
    assert [t.place for t in read("answers.csv", vocabulary).threads] == ["row 2", "row 4"]


def test_broken_csv_names_row_column_and_reason(vocabulary):
    parsed = read("broken.csv", vocabulary)
    problems = located(parsed)
    assert "valid number" in problems[("row 3", "rating_stars")]
    assert "both rating_stars and rating_reviews" in problems[("row 4", "rating_reviews")]
    assert "unknown treatment 'unicorn'" in problems[("row 5", "treatments")]
    assert problems[("row 6", "answer_body")] == "required, but empty"
    assert "valid date" in problems[("row 7", "date")]
    assert "URL" in problems[("row 8", "url")]
    assert problems[("row 9", "(row)")] == "9 cells but 8 columns"
    assert len(problems) == 7
    # The one good row is still read.
    (thread,) = parsed.threads
    assert [a.author.name for a in thread.answers] == ["Imogen Vale"]
    assert str(parsed.rejected[0]).startswith(str(FIXTURES / "broken.csv") + ": row 3: rating_stars: ")


def test_csv_with_unknown_or_missing_columns_is_rejected_whole(vocabulary):
    parsed = read("bad-header.csv", vocabulary)
    assert parsed.threads == ()
    (problem,) = parsed.rejected
    assert (problem.place, problem.field) == ("row 1", "(header)")
    assert "unknown column 'answer'" in problem.reason and "missing column 'answer_body'" in problem.reason


def test_broken_jsonl_names_line_field_and_reason(vocabulary):
    parsed = read("broken.jsonl", vocabulary)
    problems = located(parsed)
    assert problems[("line 2", "(line)")].startswith("not valid JSON")
    assert problems[("line 3", "(line)")] == "expected a JSON object of columns"
    assert problems[("line 4", "answer_author")].startswith("unknown column")
    assert problems[("line 5", "question")] == "required, but empty"
    assert "less than or equal to 5" in problems[("line 6", "rating_stars")]
    assert len(parsed.threads) == 1 and len(parsed.threads[0].answers) == 1


def test_questions_differing_only_in_case_and_spacing_group_together(vocabulary):
    # answers.jsonl writes the second row's question as "can I fly after  botox?".
    assert len(read("answers.jsonl", vocabulary).threads[0].answers) == 2


def test_conflicting_question_bodies_keep_the_first_and_warn(tmp_path, vocabulary):
    path = tmp_path / "rows.jsonl"
    path.write_text(
        '{"question": "Can I fly?", "question_body": "Tomorrow.", "answer_body": "Yes."}\n'
        '{"question": "Can I fly?", "question_body": "Next week.", "answer_body": "Sure."}\n',
        encoding="utf-8",
    )
    parsed = read_file(path, "jsonl", vocabulary)
    assert parsed.threads[0].body == "Tomorrow."
    (warning,) = parsed.warnings
    assert (warning.place, warning.field) == ("line 2", "question_body")


def test_empty_file_and_unreadable_file_are_rejected(tmp_path, vocabulary):
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    (tmp_path / "latin1.csv").write_bytes("question,answer_body\nCaf\xe9?,Oui\n".encode("latin-1"))
    assert located(read_file(tmp_path / "empty.jsonl", "jsonl", vocabulary)) == {
        ("(file)", "(file)"): "no answers in the file"
    }
    assert located(read_file(tmp_path / "latin1.csv", "csv", vocabulary)) == {("(file)", "(file)"): "not UTF-8 text"}
    assert located(read_file(tmp_path / "missing.csv", "csv", vocabulary))[("(file)", "(file)")]


def test_csv_saved_by_a_spreadsheet_with_a_byte_order_mark(tmp_path, vocabulary):
    (tmp_path / "bom.csv").write_bytes("\ufeffquestion,answer_body\nCan I fly?,Yes.\n".encode("utf-8"))
    assert read_file(tmp_path / "bom.csv", "csv", vocabulary).threads[0].question == "Can I fly?"
