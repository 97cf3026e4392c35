"""Importers: read answers from other formats into threads, with every rejected record located and explained."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from bot.importers import html_page, qa_page, tabular, yaml_threads
from bot.importers.records import ImportedThread, ParsedFile, Problem, preview
from bot.treatments import Vocabulary

FORMATS = ("yaml", "jsonl", "csv", "qa-page", "html")
# The files of a format that a folder given as input holds.
SUFFIXES = {
    "yaml": (".yml", ".yaml"),
    "jsonl": (".jsonl",),
    "csv": (".csv",),
    "qa-page": (".txt",),
    "html": (".html", ".htm"),
}

__all__ = ["FORMATS", "ImportedThread", "ParsedFile", "Problem", "expand", "preview", "read_file", "read_paths"]


def expand(paths: Sequence[Path], fmt: str) -> tuple[list[Path], list[ParsedFile]]:
    """The input files (each folder's files of the format, by name), and a rejection for each folder without any."""
    # Not a folder's subfolders: a saved page keeps its images, scripts and frames there.
    files: list[Path] = []
    empty: list[ParsedFile] = []
    for path in map(Path, paths):
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(
            p
            for p in path.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUFFIXES[fmt]
        )
        if not found:
            kinds = " or ".join(f"*{s}" for s in SUFFIXES[fmt])
            empty.append(
                ParsedFile(
                    str(path),
                    rejected=(Problem(str(path), "(folder)", "(folder)", f"no {kinds} files in this folder"),),
                )
            )
        files += found
    return files, empty


def read_paths(
    paths: Sequence[Path], fmt: str, vocabulary: Vocabulary, progress: Callable[[int, int, str], None] | None = None
) -> list[ParsedFile]:
    """Read every input file and folder; `progress(done, total, file)` is called after each file."""
    files, empty = expand(paths, fmt)
    parsed = list(empty)
    for done, path in enumerate(files, start=1):
        parsed.append(read_file(path, fmt, vocabulary))
        if progress is not None:
            progress(done, len(files), str(path))
    return parsed


def read_file(path: Path, fmt: str, vocabulary: Vocabulary) -> ParsedFile:
    """Read one input file in format `fmt`; a file that cannot be read comes back rejected, not raised."""
    file = str(path)
    if fmt == "html":
        try:
            # Bytes: a saved page that is not UTF-8 says its encoding in a <meta charset>, which the parser reads.
            return html_page.parse(Path(path).read_bytes(), file)
        except OSError as exc:
            return ParsedFile(file, rejected=(Problem(file, "(file)", "(file)", exc.strerror or str(exc)),))
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
