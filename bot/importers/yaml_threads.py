"""Read threads in the corpus format from a YAML file holding one thread or a list of threads."""

from __future__ import annotations

import yaml
from pydantic import ValidationError

from bot.corpus import Thread
from bot.importers.records import ImportedThread, ParsedFile, Problem, schema_problems

# Stand-ins for the fields the importer settles itself, so the schema can check everything else now.
_PLACEHOLDERS = {"id": "placeholder", "treatments": ["general"]}


def _given(data: dict, key: str) -> bool:
    return data.get(key) not in (None, "", [], ())


def _thread(data: object, file: str, place: str) -> tuple[ImportedThread | None, list[Problem]]:
    if not isinstance(data, dict):
        return None, [Problem(file, place, "(thread)", "expected a mapping of thread fields")]
    probe = {**data, **{k: v for k, v in _PLACEHOLDERS.items() if not _given(data, k)}}
    try:
        thread = Thread.model_validate(probe)
    except ValidationError as exc:
        return None, schema_problems(exc, file, place)
    return ImportedThread(
        question=thread.question,
        body=thread.body,
        answers=thread.answers,
        file=file,
        place=place,
        id=thread.id if _given(data, "id") else None,
        treatments=thread.treatments if _given(data, "treatments") else (),
        tags=thread.tags,
        status=thread.status if "status" in data else None,
        source=thread.source if _given(data, "source") else None,
        demo=thread.demo if "demo" in data else None,
    ), []


def parse(text: str, file: str) -> ParsedFile:
    """Read every thread of the file; a thread that breaks the schema is rejected with its line and field."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}" if mark else "(file)"
        reason = f"not valid YAML ({getattr(exc, 'problem', None) or exc})"
        return ParsedFile(file, rejected=(Problem(file, place, "(file)", reason),))
    if data is None:
        return ParsedFile(file, rejected=(Problem(file, "(file)", "(file)", "the file holds no thread"),))
    assert root is not None  # compose() read the same text as a document, since safe_load() found data in it
    items, nodes = (data, root.value) if isinstance(data, list) else ([data], [root])
    threads, rejected = [], []
    for item, node in zip(items, nodes):
        thread, problems = _thread(item, file, f"line {node.start_mark.line + 1}")
        rejected.extend(problems)
        if thread is not None:
            threads.append(thread)
    return ParsedFile(file, threads=tuple(threads), rejected=tuple(rejected))
