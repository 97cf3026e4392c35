"""The pure parts of `make bench-load` (bench/load.py): open-loop schedule, percentiles, max rate, closing lines."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from common import percentile
from load import LADDER, REPORTED_RATES, Result, Send, Step, max_rate, message, next_rate, schedule, summary_line


def test_schedule_is_open_loop_at_the_offered_rate():
    sends = schedule(10, 6, gap=2)
    assert len(sends) == 60
    assert [s.at for s in sends[:3]] == [0.0, 0.1, 0.2]  # fixed in advance by the rate, not by replies
    by_sender: dict[str, list[Send]] = {}
    for s in sends:
        by_sender.setdefault(s.sender, []).append(s)
    assert len(by_sender) == 20  # rate x gap senders, each holding one 3-turn conversation
    for turns in by_sender.values():
        assert [t.turn for t in turns] == [0, 1, 2]
        assert [round(b.at - a.at, 6) for a, b in itertools.pairwise(turns)] == [2.0, 2.0]


def test_every_system_gets_the_same_messages():
    questions = ["q0", "q1", "q2"]
    run = [message(s, questions) for s in schedule(5, 6, 2, tag="run-")]
    bare = [message(s, questions) for s in schedule(5, 6, 2, tag="bare-")]
    assert run == bare and run[0] == "q0" and run[20] in ("thanks!", "ok thank you", "great, thanks")


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (51, 95, 99)
    assert percentile([7.0], 0.99) == 7.0


def step(rate: float, p95_ms: float, errors: int = 0) -> Step:
    return Step(rate, latencies_ms=[p95_ms] * 20, errors={"timeout": errors} if errors else {})


def test_max_rate_is_the_last_held_rate_before_the_first_miss():
    steps = {5: step(5, 80), 10: step(10, 120), 15: step(15, 480), 20: step(20, 900), 25: step(25, 100)}
    assert max_rate(steps) == 15
    assert max_rate({5: step(5, 80, errors=1), 10: step(10, 80)}) == 0  # an error is a miss too
    assert not Step(5).held  # no reply at all is not held


def test_the_ladder_climbs_until_a_miss_but_always_measures_the_reported_rates():
    steps: dict[float, Step] = {}
    offered = []
    while (rate := next_rate(steps)) is not None:
        offered.append(rate)
        steps[rate] = step(rate, 100 if rate < 15 else 800)
    assert offered == [5, 10, 15, 20]
    assert set(REPORTED_RATES) <= set(offered) and set(offered) <= set(LADDER)
    steps = {}
    while (rate := next_rate(steps)) is not None:
        steps[rate] = step(rate, 100)
    assert sorted(steps) == sorted(LADDER)


def test_summary_line_format():
    bare = Result("bare", {10: step(10, 100), 20: step(20, 200)})
    run = Result("run", {10: step(10, 284), 15: step(15, 900)})
    assert summary_line(run, bare) == "vs bare rasa: run max-rate ratio 0.50, p95@10 ratio 2.84"
    assert summary_line(Result("cluster", unavailable="nginx not installed"), bare) == (
        "cluster: not measured (nginx not installed)"
    )
