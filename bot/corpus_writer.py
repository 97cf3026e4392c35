"""Merge imported threads into the answer corpus and write the changed thread files, all or none."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping, Sequence

import yaml
from pydantic import BaseModel, ValidationError

from bot.corpus import Answer, Thread, load_corpus, parse_thread
from bot.importers.records import ImportedThread, ParsedFile, Problem, question_key, schema_problems
from bot.treatments import Vocabulary

MAX_ID_LENGTH = 60

Action = Literal["added", "changed", "replaced", "unchanged"]


@dataclass(frozen=True)
class Outcome:
    """What an import did to one thread, as the report tells it."""

    file: str
    place: str
    thread_id: str
    action: Action
    answers_added: int = 0
    answers_updated: int = 0
    answers_skipped: int = 0
    fields: tuple[str, ...] = ()  # thread fields the input set to new values


@dataclass(frozen=True)
class ImportPlan:
    """Everything an import would do, worked out before any file is touched."""

    imported: tuple[Thread, ...] = ()  # each imported thread as read, under the id it gets
    writes: dict[str, Thread] = field(default_factory=dict)  # final content of every thread file that changes
    outcomes: tuple[Outcome, ...] = ()
    rejected: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    conflicts: tuple[Problem, ...] = ()  # any conflict stops the whole import

    @property
    def ok(self) -> bool:
        return not self.conflicts


def slugify(text: str, max_length: int = MAX_ID_LENGTH) -> str:
    """A thread id from a question: lowercase ASCII words joined by hyphens, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[: max_length + 1].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug or "thread"


def unique_id(base: str, taken: Mapping[str, object] | set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free first."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def infer_treatments(item: ImportedThread, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Treatments named in the question and answers, else `general`."""
    parts = [item.question, item.body or ""] + [f"{a.title or ''} {a.body}" for a in item.answers]
    return tuple(vocabulary.find("\n".join(parts))) or ("general",)


def _answer_key(answer: Answer) -> tuple[str, str]:
    # The same clinician saying the same words is the same answer, whatever its rating or title now shows.
    return (answer.author.name or "").casefold(), " ".join(answer.body.split()).casefold()


def _combine(old: Answer, new: Answer) -> Answer:
    """`old` with every value `new` states; what `new` leaves out (a CSV without ratings, say) stays as it was."""
    author = old.author.model_copy(update={k: v for k, v in new.author.model_dump().items() if v})
    stated = {k: getattr(new, k) for k in ("title", "rating", "date", "url") if getattr(new, k) is not None}
    return old.model_copy(update={"author": author, **stated})


def _starts(short: Answer, long: Answer) -> bool:
    """Whether `short` is `long` cut short, as a page shows an answer up to "... more": same author, and its text
    opens the other's."""
    (name, text), (other_name, other_text) = _answer_key(short), _answer_key(long)
    return name == other_name and len(text) >= 20 and len(other_text) > len(text) and other_text.startswith(text)


def merge_answers(existing: Sequence[Answer], new: Sequence[Answer]) -> tuple[tuple[Answer, ...], int, int, int]:
    """Existing answers plus the new ones: (answers, added, updated, skipped as identical). An answer that another
    one only cuts short is the same answer, and the longer text is kept."""
    answers = list(existing)
    where = {_answer_key(a): k for k, a in enumerate(answers)}
    added = updated = skipped = 0
    for answer in new:
        k = where.get(_answer_key(answer))
        if k is None:
            k = next((i for i, old in enumerate(answers) if _starts(old, answer) or _starts(answer, old)), None)
            if k is not None and _starts(answers[k], answer):
                where[_answer_key(answer)] = k
                answers[k] = _combine(answers[k], answer).model_copy(update={"body": answer.body})
                updated += 1
                continue
        if k is None:
            where[_answer_key(answer)] = len(answers)
            answers.append(answer)
            added += 1
        elif (combined := _combine(answers[k], answer)) == answers[k]:
            skipped += 1
        else:
            answers[k] = combined
            updated += 1
    return tuple(answers), added, updated, skipped


def _normalise(item: ImportedThread, thread_id: str, vocabulary: Vocabulary) -> Thread:
    """The imported thread in the corpus schema, with the defaults for what the input left out."""
    return Thread.model_validate(
        {
            "id": thread_id,
            "question": item.question,
            "body": item.body,
            "treatments": item.treatments or infer_treatments(item, vocabulary),
            "tags": item.tags,
            "answers": item.answers,
            "status": item.status or "draft",
            "source": item.source or Path(item.file).name,
            "demo": bool(item.demo),
        }
    )


def _merge(current: Thread, incoming: Thread, item: ImportedThread) -> tuple[Thread, Outcome]:
    """`current` with the new answers, and with the thread fields the input gave explicitly."""
    answers, added, updated, skipped = merge_answers(current.answers, incoming.answers)
    update: dict[str, object] = {"answers": answers}
    # Only values the input stated override the thread; defaults and inferred treatments never do.
    if item.body and item.body != current.body:
        update["body"] = item.body
    for name in ("treatments", "tags"):
        extra = tuple(v for v in getattr(item, name) if v not in getattr(current, name))
        if extra:
            update[name] = getattr(current, name) + extra
    for name in ("status", "source", "demo"):
        value = getattr(item, name)
        if value is not None and value != getattr(current, name):
            update[name] = value
    # New or changed answers are unreviewed medical content: the thread is withdrawn to draft until it
    # is reviewed, unless the input itself states that it is published.
    if (added or updated) and current.published and item.status != "published":
        update["status"] = "draft"
    fields = tuple(k for k in update if k != "answers")
    action: Action = "changed" if added or updated or fields else "unchanged"
    outcome = Outcome(item.file, item.place, current.id, action, added, updated, skipped, fields)
    return current.model_copy(update=update), outcome


def plan_import(
    existing: Sequence[Thread], files: Sequence[ParsedFile], vocabulary: Vocabulary, replace: bool = False
) -> ImportPlan:
    """Work out ids, merges and conflicts for everything read. Pure: nothing is written.

    A thread joins the corpus thread with the same question (new answers are added, identical ones skipped);
    otherwise it gets the slug of its question, suffixed until free. An id given by the input that belongs to a
    different question is a conflict, unless `replace`, when the imported thread replaces that one.
    """
    state = {t.id: t for t in existing}
    by_question = {question_key(t.question): t.id for t in existing}
    created: dict[str, ImportedThread] = {}  # ids this import added or replaced, and the thread that did
    imported: list[Thread] = []
    outcomes: list[Outcome] = []
    rejected: list[Problem] = []
    warnings: list[Problem] = []
    conflicts: list[Problem] = []
    for parsed in files:
        rejected.extend(parsed.rejected)
        warnings.extend(parsed.warnings)
        for item in parsed.threads:
            key = question_key(item.question)
            target = item.id or by_question.get(key) or unique_id(slugify(item.question), state)
            try:
                incoming = _normalise(item, target, vocabulary)
            except ValidationError as exc:
                rejected.extend(schema_problems(exc, item.file, item.place))
                continue
            current = state.get(target)
            if current is not None and question_key(current.question) == key:
                state[target], outcome = _merge(current, incoming, item)
            elif current is None or (replace and target not in created):
                if item.id and by_question.get(key, target) != target:
                    warnings.append(
                        Problem(
                            item.file, item.place, "question", f"the same question is also thread '{by_question[key]}'"
                        )
                    )
                answers, added, _, skipped = merge_answers((), incoming.answers)
                state[target] = incoming.model_copy(update={"answers": answers})
                if current is not None:
                    by_question.pop(question_key(current.question), None)
                action: Action = "added" if current is None else "replaced"
                outcome = Outcome(item.file, item.place, target, action, added, 0, skipped)
                created[target] = item
            elif target in created:
                other = created[target]
                rejected.append(
                    Problem(
                        item.file,
                        item.place,
                        "id",
                        f"'{target}' is already taken in this import "
                        f"by a different question ({other.file}: {other.place})",
                    )
                )
                continue
            else:
                conflicts.append(
                    Problem(
                        item.file,
                        item.place,
                        "id",
                        f"'{target}' is already in the corpus for a "
                        f'different question ("{current.question}"); use --replace to replace it',
                    )
                )
                continue
            by_question.setdefault(key, target)
            imported.append(incoming)
            outcomes.append(outcome)
    original = {t.id: t for t in existing}
    writes = {tid: t for tid, t in state.items() if original.get(tid) != t}
    return ImportPlan(tuple(imported), writes, tuple(outcomes), tuple(rejected), tuple(warnings), tuple(conflicts))


def read_existing(folder: Path) -> tuple[Thread, ...]:
    """The threads already in `folder`: none if it is new or empty; CorpusError if it is invalid."""
    folder = Path(folder)
    if not folder.is_dir() or not any(folder.glob("*.yml")):
        return ()
    return load_corpus(folder).threads


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as literal blocks, so an answer's paragraphs read as they were written."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


# The field order of the hand-written thread files. Fields not named here (one the schema gains later) follow in
# schema order: the writer renders every field the loader reads, so a file it writes always reads back the same.
_ORDER: dict[type[BaseModel], tuple[str, ...]] = {
    Thread: (
        "id",
        "question",
        "body",
        "treatments",
        "tags",
        "status",
        "source",
        "demo",
        "reviewed_by",
        "reviewed_at",
        "review_due",
        "answers",
        "phrasings",
    ),
    Answer: ("author", "title", "body", "rating", "date", "url"),
}
# Written even at their default, so a reader of the file sees at once whether patients get the thread.
_ALWAYS: dict[type[BaseModel], tuple[str, ...]] = {Thread: ("status", "demo")}


def _written(record: BaseModel, name: str) -> bool:
    """Whether field `name` of `record` goes into the file: required, always written, or not at its default."""
    info = type(record).model_fields[name]
    if info.is_required() or name in _ALWAYS.get(type(record), ()):
        return True
    return getattr(record, name) != info.get_default(call_default_factory=True)


def _document(record: BaseModel) -> dict:
    """`record` as a YAML mapping: its written fields, in the hand-written order."""
    first = _ORDER.get(type(record), ())
    names = [n for n in first if n in type(record).model_fields]
    names += [n for n in type(record).model_fields if n not in first]
    return {n: _plain(getattr(record, n)) for n in names if _written(record, n)}


def _plain(value: object) -> object:
    """A field value as YAML writes it: records as mappings, tuples as lists, URLs as their text."""
    if isinstance(value, BaseModel):
        return _document(value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float, dt.date)):
        return value
    return str(value)  # HttpUrl: pydantic parses it back from its text


def render_thread(thread: Thread) -> str:
    """A thread as its corpus YAML file, in the field order of the hand-written ones, with every field that is
    set (review fields and phrasings too): a file written here reads back as the same thread."""
    return yaml.dump(
        _document(thread), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None
    )


def _stage(target: Path, content: bytes, mode: int) -> Path:
    """Write `content` to a hidden temporary file beside `target` (never matched by `*.yml`) and flush it to disk."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, mode)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def write_threads(folder: Path, threads: Mapping[str, Thread]) -> list[Path]:
    """Write each thread to `<id>.yml` in `folder`: all files change, or (after a failure) none do."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    texts = {folder / f"{tid}.yml": render_thread(t) for tid, t in threads.items()}
    for path, text in texts.items():
        # Validate what will be written, not only what was planned: the file must read back as the same thread.
        if parse_thread(text, path.name) != threads[path.stem]:
            raise ValueError(f"{path.name}: the written file would not read back as the same thread")
    originals = {path: path.read_bytes() if path.exists() else None for path in texts}
    staged: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for path, text in texts.items():
            mode = path.stat().st_mode & 0o777 if originals[path] is not None else 0o644
            staged[path] = _stage(path, text.encode("utf-8"), mode)
        for path, temp in staged.items():
            os.replace(temp, path)
            done.append(path)
    except BaseException as exc:
        for temp in staged.values():
            temp.unlink(missing_ok=True)
        unrestored = [path.name for path in reversed(done) if not _restore(path, originals[path])]
        if unrestored:
            exc.add_note(f"could not restore: {', '.join(unrestored)}")
        raise
    return list(texts)


def remove_thread(folder: Path, thread_id: str) -> None:
    """Delete the file of thread `thread_id` from `folder`; FileNotFoundError if there is none."""
    (Path(folder) / f"{thread_id}.yml").unlink()


def _restore(path: Path, original: bytes | None) -> bool:
    """Put back a file as it was before the import (or remove it if the import created it)."""
    try:
        if original is None:
            path.unlink(missing_ok=True)
        else:
            temp = _stage(path, original, path.stat().st_mode & 0o777)
            os.replace(temp, path)
        return True
    except Exception:
        return False
