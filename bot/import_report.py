"""What `bot import` tells the curator: a line per input file with its problems, a summary table, the parse of
every page as JSON, and a progress bar while a folder is read."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TextIO

from bot.corpus_writer import ImportPlan
from bot.importers import ParsedFile, Problem

_BAR = 30


def file_lines(files: list[ParsedFile], plan: ImportPlan) -> list[str]:
    """Per input file: a line of counts, then each thread it touched and each problem with its place."""
    lines = []
    dropped = {parsed.file: parsed.dropped for parsed in files}
    for file in dict.fromkeys(parsed.file for parsed in files):
        outcomes = [o for o in plan.outcomes if o.file == file]
        kinds = (
            ("conflict", plan.conflicts),
            ("rejected", plan.rejected),
            ("warning", plan.warnings),
            ("dropped", dropped[file]),
        )
        problems = [(kind, p) for kind, group in kinds for p in group if p.file == file]
        threads = Counter(o.action for o in outcomes)
        answers = {k: sum(getattr(o, f"answers_{k}") for o in outcomes) for k in ("added", "updated", "skipped")}
        rejected = sum(kind == "rejected" for kind, _ in problems)
        lines.append(
            f"{file}: threads {threads['added']} added, {threads['changed'] + threads['replaced']} changed, "
            f"{threads['unchanged']} unchanged; answers {answers['added']} added, {answers['updated']} updated, "
            f"{answers['skipped']} skipped as identical; {rejected} record(s) rejected"
        )
        for o in outcomes:
            counts = [
                f"{n} {what}"
                for n, what in (
                    (o.answers_added, "added"),
                    (o.answers_updated, "updated"),
                    (o.answers_skipped, "skipped"),
                )
                if n
            ]
            parts = [f"answers {', '.join(counts)}"] if counts else []
            parts += [f"set {', '.join(o.fields)}"] if o.fields else []
            lines.append(f"  {o.action:<9} {o.thread_id} ({'; '.join(parts) or 'no change'})")
        lines += [f"  {kind:<9} {p.place}: {p.field}: {p.reason}" for kind, p in problems]
    return lines


def _reasons(problems: list[Problem]) -> list[str]:
    """Problems grouped by what went wrong, most frequent first: "field: reason (n)"."""
    counts = Counter(f"{p.field}: {p.reason if len(p.reason) <= 90 else p.reason[:87] + '...'}" for p in problems)
    return [f"{reason} ({n})" for reason, n in counts.most_common()]


def summary_lines(files: list[ParsedFile], plan: ImportPlan, noun: str = "files") -> list[str]:
    """The whole import in one table: pages read and rejected, threads and answers, and why each was rejected."""
    folders = [p for parsed in files for p in parsed.rejected if p.place == "(folder)"]
    read = [parsed for parsed in files if not any(p.place == "(folder)" for p in parsed.rejected)]
    failed = {parsed.file for parsed in read if not parsed.threads and parsed.rejected}
    page_problems = [p for p in plan.rejected if p.file in failed]
    answer_problems = [p for p in plan.rejected if p.file not in failed and p.place != "(folder)"]
    actions = Counter(o.action for o in plan.outcomes)
    dropped = Counter(p.field for parsed in files for p in parsed.dropped)
    rows: list[tuple[str, int, list[str]]] = [
        (f"{noun} rejected", len(failed), _reasons(page_problems)),
        ("threads added", actions["added"], []),
        (
            "threads merged",
            actions["changed"] + actions["unchanged"],
            ["the same question as a thread already there or read from another page"]
            if actions["changed"] + actions["unchanged"]
            else [],
        ),
        ("answers added", sum(o.answers_added for o in plan.outcomes), []),
        ("answers updated", sum(o.answers_updated for o in plan.outcomes), []),
        ("answers skipped", sum(o.answers_skipped for o in plan.outcomes), ["identical to one already there"]),
        ("answers rejected", len(answer_problems), _reasons(answer_problems)),
        ("warnings", len(plan.warnings), ["listed above"] if plan.warnings else []),
        (
            "text left out",
            sum(dropped.values()),
            [", ".join(f"{kind} {n}" for kind, n in dropped.most_common())] if dropped else [],
        ),
    ]
    if actions["replaced"]:
        rows.insert(2, ("threads replaced", actions["replaced"], ["--replace"]))
    if plan.conflicts:
        rows.append(("id conflicts", len(plan.conflicts), _reasons(list(plan.conflicts))))
    if folders:
        rows.append(("empty folders", len(folders), [p.file for p in folders]))
    width = max(len(label) for label, _, _ in rows)
    digits = max(len(str(n)) for _, n, _ in rows + [("", len(read), [])])
    lines = [f"Summary: {len(read)} {noun} read"]
    for label, n, reasons in rows:
        lines.append(f"  {label:<{width}}  {n:>{digits}}" + (f"  {reasons[0]}" if reasons else ""))
        lines += [f"  {'':<{width}}  {'':>{digits}}  {reason}" for reason in reasons[1:]]
    return lines


def _problems_json(problems: tuple[Problem, ...] | list[Problem]) -> list[dict]:
    return [{"place": p.place, "field": p.field, "reason": p.reason} for p in problems]


def parse_report(files: list[ParsedFile], plan: ImportPlan) -> list[dict]:
    """The `--json` "files" list: for every input file its threads (and their ids), rejections, warnings, drops."""
    result = []
    for parsed in files:
        outcomes = {o.place: o for o in plan.outcomes if o.file == parsed.file}
        threads = []
        for thread in parsed.threads:
            outcome = outcomes.get(thread.place)
            threads.append(
                {
                    "question": thread.question,
                    "place": thread.place,
                    "answers": len(thread.answers),
                    "id": outcome.thread_id if outcome else None,
                    "action": outcome.action if outcome else None,
                }
            )
        result.append(
            {
                "file": parsed.file,
                "threads": threads,
                "rejected": _problems_json([p for p in plan.rejected if p.file == parsed.file]),
                "warnings": _problems_json([p for p in plan.warnings if p.file == parsed.file]),
                "dropped": _problems_json(parsed.dropped),
            }
        )
    return result


class Progress:
    """A progress bar for reading many files: redrawn in place on a terminal, a line every tenth otherwise."""

    def __init__(self, noun: str = "files", stream: TextIO | None = None) -> None:
        self.noun = noun
        self.stream = stream or sys.stderr
        self.shown = -1

    def __call__(self, done: int, total: int, file: str) -> None:
        if total < 2:
            return  # one file needs no bar
        filled = done * _BAR // total
        bar = f"[{'#' * filled}{'.' * (_BAR - filled)}] {done}/{total} {self.noun} read"
        if self.stream.isatty():
            self.stream.write(f"\r{bar}" + ("\n" if done == total else ""))
            self.stream.flush()
            return
        tenth = done * 10 // total
        if tenth != self.shown:
            self.shown = tenth
            print(bar, file=self.stream, flush=True)
