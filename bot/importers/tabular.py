"""Read answers from JSON Lines or CSV: one answer per line or row, with its question repeated on each."""

from __future__ import annotations

import csv
import io
import json
from typing import Iterator

from pydantic import ValidationError

from bot.corpus import Answer
from bot.importers.records import ImportedThread, ParsedFile, Problem, question_key, schema_problems
from bot.treatments import Vocabulary

COLUMNS = (
    "question",
    "question_body",
    "treatments",
    "answer_title",
    "answer_body",
    "author_name",
    "author_credentials",
    "author_specialty",
    "author_location",
    "rating_stars",
    "rating_reviews",
    "date",
    "url",
)
REQUIRED = ("question", "answer_body")

# Schema field paths as the input names them, so a rejected row points at its own column.
_COLUMN_OF = {
    "title": "answer_title",
    "body": "answer_body",
    "author.name": "author_name",
    "author.credentials": "author_credentials",
    "author.specialty": "author_specialty",
    "author.location": "author_location",
    "rating.stars": "rating_stars",
    "rating.reviews": "rating_reviews",
}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _treatments(value: object, vocabulary: Vocabulary) -> tuple[tuple[str, ...], str | None]:
    """Canonical treatments from "filler; botox" or a list; the second item names any unknown one."""
    items = value if isinstance(value, list) else str(value).split(";")
    found: list[str] = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        canonical = vocabulary.canonical(item)
        if canonical is None:
            return (), f"unknown treatment '{item}'; use a canonical name (e.g. filler) or a known synonym"
        if canonical not in found:
            found.append(canonical)
    return tuple(found), None


def _record(row: dict, file: str, place: str, vocabulary: Vocabulary) -> tuple[dict | None, list[Problem]]:
    """Check one row; returns its question fields and Answer, or the problems that reject it."""
    unknown = [k for k in row if k not in COLUMNS]
    if unknown:
        return None, [Problem(file, place, k, f"unknown column; columns are: {', '.join(COLUMNS)}") for k in unknown]
    missing = [c for c in REQUIRED if _blank(row.get(c))]
    if missing:
        return None, [Problem(file, place, c, "required, but empty") for c in missing]
    value = {k: (None if _blank(v) else v.strip() if isinstance(v, str) else v) for k, v in row.items()}
    stars, reviews = value.get("rating_stars"), value.get("rating_reviews")
    if (stars is None) != (reviews is None):
        field = "rating_reviews" if reviews is None else "rating_stars"
        return None, [Problem(file, place, field, "give both rating_stars and rating_reviews, or neither")]
    treatments, unknown_treatment = _treatments(value.get("treatments") or "", vocabulary)
    if unknown_treatment:
        return None, [Problem(file, place, "treatments", unknown_treatment)]
    if not isinstance(value["question"], str) or len(value["question"]) < 3:
        return None, [Problem(file, place, "question", "must be text of at least 3 characters")]
    try:
        answer = Answer.model_validate(
            {
                "title": value.get("answer_title"),
                "body": value["answer_body"],
                "author": {
                    "name": value.get("author_name"),
                    "credentials": value.get("author_credentials") or "",
                    "specialty": value.get("author_specialty") or "",
                    "location": value.get("author_location") or "",
                },
                "rating": {"stars": stars, "reviews": reviews} if stars is not None else None,
                "date": value.get("date"),
                "url": value.get("url"),
            }
        )
    except ValidationError as exc:
        return None, schema_problems(exc, file, place, _COLUMN_OF)
    return {
        "question": value["question"],
        "body": value.get("question_body"),
        "treatments": treatments,
        "answer": answer,
    }, []


def _group(rows: Iterator[tuple[str, dict | None, list[Problem]]], file: str, vocabulary: Vocabulary) -> ParsedFile:
    """Gather rows by question (the first row of a question sets its body) into threads."""
    threads: dict[str, dict] = {}
    rejected: list[Problem] = []
    warnings: list[Problem] = []
    for place, row, problems in rows:
        rejected.extend(problems)
        if row is None:
            continue
        record, problems = _record(row, file, place, vocabulary)
        rejected.extend(problems)
        if record is None:
            continue
        key = question_key(record["question"])
        thread = threads.setdefault(key, {**record, "place": place, "answers": [], "treatments": []})
        if record["body"] and thread["body"] and record["body"] != thread["body"]:
            warnings.append(
                Problem(
                    file,
                    place,
                    "question_body",
                    f"differs from the one given at {thread['place']}; the first one is kept",
                )
            )
        thread["body"] = thread["body"] or record["body"]
        thread["treatments"] += [t for t in record["treatments"] if t not in thread["treatments"]]
        thread["answers"].append(record["answer"])
    if not threads and not rejected:
        rejected.append(Problem(file, "(file)", "(file)", "no answers in the file"))
    return ParsedFile(
        file,
        threads=tuple(
            ImportedThread(
                question=t["question"],
                body=t["body"],
                answers=tuple(t["answers"]),
                treatments=tuple(t["treatments"]),
                file=file,
                place=t["place"],
            )
            for t in threads.values()
        ),
        rejected=tuple(rejected),
        warnings=tuple(warnings),
    )


def parse_jsonl(text: str, file: str, vocabulary: Vocabulary) -> ParsedFile:
    """One JSON object per line with the columns as keys; blank lines are skipped."""

    def rows() -> Iterator[tuple[str, dict | None, list[Problem]]]:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            place = f"line {number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield place, None, [Problem(file, place, "(line)", f"not valid JSON ({exc.msg} at column {exc.colno})")]
                continue
            if not isinstance(row, dict):
                yield place, None, [Problem(file, place, "(line)", "expected a JSON object of columns")]
                continue
            yield place, row, []

    return _group(rows(), file, vocabulary)


def parse_csv(text: str, file: str, vocabulary: Vocabulary) -> ParsedFile:
    """A header row naming the columns, then one answer per row; rows are numbered as a spreadsheet shows them."""
    records = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(records, [])]
    except csv.Error as exc:
        return ParsedFile(file, rejected=(Problem(file, "row 1", "(header)", f"not valid CSV ({exc})"),))
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if not any(header) or unknown or missing:
        reasons = [f"unknown column '{n}'" for n in unknown] + [f"missing column '{n}'" for n in missing]
        reason = "; ".join(reasons or ["no header row"]) + f"; columns are: {', '.join(COLUMNS)}"
        return ParsedFile(file, rejected=(Problem(file, "row 1", "(header)", reason),))

    def rows() -> Iterator[tuple[str, dict | None, list[Problem]]]:
        number = 1
        try:
            for number, cells in enumerate(records, start=2):
                place = f"row {number}"
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > len(header):
                    yield place, None, [Problem(file, place, "(row)", f"{len(cells)} cells but {len(header)} columns")]
                    continue
                yield place, dict(zip(header, cells)), []
        except csv.Error as exc:
            place = f"row {number + 1}"
            yield place, None, [Problem(file, place, "(row)", f"not valid CSV ({exc})")]

    return _group(rows(), file, vocabulary)
