"""Evaluation: run a labelled set through the decision path of each system and score it (`bot eval`).

`labelled` reads a set, `systems` builds the pipeline and its baselines, `variants` the candidate-scoring
variants, `lineup` lists the systems `bot eval` compares, `metrics` defines every number (see its
docstring), `scoring` turns trials into one Row per system.
"""

from bot.evaluation.labelled import DEFAULT_SET, LabelledSet, LabelledSetError, load_set, unknown_threads
from bot.evaluation.scoring import COLUMNS, Row, Trials, evaluate, run_set, score

__all__ = [
    "COLUMNS",
    "DEFAULT_SET",
    "LabelledSet",
    "LabelledSetError",
    "Row",
    "Trials",
    "evaluate",
    "load_set",
    "run_set",
    "score",
    "unknown_threads",
]
