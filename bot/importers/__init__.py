"""Importers: read answers from other formats into threads, with every rejected record located and explained."""

from __future__ import annotations

from pathlib import Path

from bot.importers import qa_page, tabular, yaml_threads
from bot.importers.records import ImportedThread, ParsedFile, Problem, preview
from bot.treatments import Vocabulary

FORMATS = ("yaml", "jsonl", "csv", "qa-page")

__all__ = ["FORMATS", "ImportedThread", "ParsedFile", "Problem", "preview", "read_file"]


def read_file(path: Path, fmt: str, vocabulary: Vocabulary) -> ParsedFile:
    """Read one input file in format `fmt`; a file that cannot be read comes back rejected, not raised."""
    file = str(path)
    try:
        # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return ParsedFile(file, rejected=(Problem(file, "(file)", "(file)", "not UTF-8 text"),))
    except OSError as exc:
        return ParsedFile(file, rejected=(Problem(file, "(file)", "(file)", exc.strerror or str(exc)),))
    if fmt == "yaml":
        return yaml_threads.parse(text, file)
    if fmt == "jsonl":
        return tabular.parse_jsonl(text, file, vocabulary)
    if fmt == "csv":
        return tabular.parse_csv(text, file, vocabulary)
    if fmt == "qa-page":
        return qa_page.parse(text, file)
    raise ValueError(f"unknown import format {fmt!r}; use one of: {', '.join(FORMATS)}")
