"""`make bench-input`: how the work on one patient message grows with its length. Prints numbers; asserts
nothing.

Every function that runs a pattern over patient text gets adversarial texts: one piece (a negation, an
apostrophe, a clause word, a long word, digits...) repeated to 1,000, 4,000 and 16,000 characters. For
each function it prints the slowest piece, its time at 16,000 characters and the growth from 4,000 to
16,000: about 4 means linear, about 16 quadratic. Each function runs in a child process that is stopped
after LIMIT_S seconds, so a catastrophic pattern shows as "did not finish" instead of hanging the bench.

    .venv/bin/python bench/input_bounds.py
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LENGTHS = (1_000, 4_000, 16_000)
LIMIT_S = 60.0
# Pieces that trip the patterns: negations and clause words (triage), apostrophes and punctuation between
# words (gaps), one endless word, digits (phone numbers, durations), "@" and dots (e-mail addresses).
PIECES = (
    "no-pus-",
    "no ",
    "not ",
    "can't ",
    "'",
    "' ",
    "!",
    "-",
    " ",
    "a",
    "aaaa ",
    "1",
    "1 ",
    "12 hours ",
    "3 years' ",
    "@",
    "a.",
    "a@",
    "@a.",
    "swelling ",
    "and i ",
    "no trouble breathing, ",
    "temp 38 ",
    "hives and ",
    "eye ",
    "(",
    "blurry vision but ",
    "botox filler ",
    "what about ",
)


def _targets() -> dict:
    """name -> callable(text): every function that runs patterns over patient text."""
    from bot import timing, triage
    from bot.assistant import _AMBIGUOUS, _FOLLOW_UP
    from bot.config import Settings
    from bot.retrieval import topics
    from bot.treatments import family, load_vocabulary
    from store.privacy import normalise_question, scrub

    settings = Settings.from_env()
    vocabulary = load_vocabulary(settings.corpus.treatments_file)
    now = dt.datetime(2026, 1, 1)
    targets = {
        "triage.assess": lambda t: triage.assess(t),
        "triage.assess(breast)": lambda t: triage.assess(t, "breast_augmentation", dt.timedelta(days=900)),
        "triage.assess(filler,3w)": lambda t: triage.assess(t, "filler", dt.timedelta(weeks=3)),
        "triage.clauses": triage.clauses,
        "timing.elapsed": lambda t: timing.elapsed(t, now),
        "vocabulary.find": vocabulary.find,
        "treatments.family": family,
        "retrieval.topics": topics,
        "assistant follow-up/BBL": lambda t: (_FOLLOW_UP.match(t), _AMBIGUOUS.search(t)),
        "privacy.scrub": lambda t: scrub(t, 2000),
        "privacy.normalise_question": normalise_question,
    }
    try:  # the form's checks live with the rasa-sdk adapters
        from actions.conversation import is_cancel
        from actions.handoff import valid_contact, valid_name

        targets.update(
            {
                "handoff.valid_contact": valid_contact,
                "handoff.valid_name": valid_name,
                "conversation.is_cancel": is_cancel,
            }
        )
    except ImportError:
        pass
    return targets


def _text(piece: str, length: int) -> str:
    return (piece * (length // len(piece) + 1))[:length]


def _measure(name: str, out: mp.Queue) -> None:
    target = _targets()[name]
    target("warm up 12 hours ago")
    for piece in PIECES:
        times = []
        for length in LENGTHS:
            text = _text(piece, length)
            started = time.perf_counter()
            target(text)
            times.append(time.perf_counter() - started)
        out.put((piece, times))
    out.put(None)


def main() -> int:
    names = list(_targets())
    print(f"{'function':<28} {'slowest piece':<26} {'ms @1k':>8} {'ms @4k':>8} {'ms @16k':>9} {'16k/4k':>7}")
    worst_growth = 0.0
    for name in names:
        queue: mp.Queue = mp.Queue()
        child = mp.get_context("fork").Process(target=_measure, args=(name, queue), daemon=True)
        child.start()
        rows, deadline = [], time.monotonic() + LIMIT_S * len(PIECES)
        finished = False
        while time.monotonic() < deadline:
            try:
                item = queue.get(timeout=LIMIT_S)
            except Exception:
                break
            if item is None:
                finished = True
                break
            rows.append(item)
        if not finished:
            child.kill()
            print(f"{name:<28} did not finish within {LIMIT_S:.0f} s on piece {PIECES[len(rows)]!r}")
            worst_growth = float("inf")
            continue
        child.join()
        piece, times = max(rows, key=lambda r: r[1][-1])
        growth = times[2] / times[1] if times[1] > 0 else 0.0
        worst_growth = max(worst_growth, growth if times[2] > 0.005 else 0.0)  # times of a few ms are noise here
        ms = [f"{t * 1000:8.2f}" for t in times]
        print(f"{name:<28} {piece!r:<26} {ms[0]} {ms[1]} {ms[2]:>9} {growth:7.1f}")
    print(f"\nworst growth 4k -> 16k over functions slower than 5 ms: {worst_growth:.1f} (4 = linear, 16 = quadratic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
