"""The systems `bot eval` compares, in the order of its rows: the pipeline and the baselines (`systems`),
then the candidate-scoring variants (`variants`). Kept apart from both so neither imports the other back."""

from __future__ import annotations

from bot.assistant import Assistant
from bot.evaluation.systems import (
    PIPELINE,
    System,
    asking,
    bm25,
    frame_unchecked,
    question_vectors,
    topic_checked,
    treatment_blind,
    whole_threads,
)
from bot.evaluation.variants import variant_systems


def standard_systems(assistant: Assistant) -> list[System]:
    """The rows of `bot eval`: the pipeline, the baselines, then the candidate-scoring variants."""
    return [
        asking(PIPELINE, assistant),
        frame_unchecked(assistant),
        treatment_blind(assistant),
        bm25(assistant.corpus, assistant.index.meta.index_text, assistant.settings.retrieval.top_k),
        whole_threads(assistant),
        question_vectors(assistant),
        topic_checked(assistant),
        *variant_systems(assistant),
    ]
