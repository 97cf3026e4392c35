"""The embedder's recent-vectors cache: one model call per distinct text a message needs."""

from __future__ import annotations

import numpy as np

from bot.embedding import RECENT_MAX_TEXTS, Embedder


class Tokenizer:
    def __init__(self, lowercase: bool):
        self.do_lower_case = lowercase


class CountingModel:
    """Stands in for a SentenceTransformer: a distinct vector per text as the tokenizer reads it."""

    def __init__(self, lowercase: bool = True):
        self.tokenizer = Tokenizer(lowercase)
        self.calls: list[list[str]] = []

    def encode(self, texts, **_):
        self.calls.append(list(texts))
        read = [t.lower() if self.tokenizer.do_lower_case else t for t in texts]
        return np.array([[float(sum(map(ord, t))), float(len(t)), 1.0] for t in read], dtype=np.float32)


def embedder(model: CountingModel, size: int = 256) -> Embedder:
    return Embedder("fake", model, recent_size=size)


def test_a_text_encoded_again_costs_no_model_call():
    model = CountingModel()
    e = embedder(model)
    first = e.encode(["Can I drink alcohol after Botox?"])
    again = e.encode(["can i drink alcohol after botox?"])  # the uncased model reads both alike
    assert len(model.calls) == 1
    np.testing.assert_array_equal(first, again)


def test_a_cased_model_keeps_case_apart():
    model = CountingModel(lowercase=False)
    e = embedder(model)
    e.encode(["Botox?"])
    e.encode(["botox?"])
    assert len(model.calls) == 2


def test_only_the_missing_texts_are_encoded_and_order_is_kept():
    model = CountingModel()
    e = embedder(model)
    e.encode(["a b", "c d"])
    out = e.encode(["c d", "e f", "a b", "e f"])
    assert model.calls[-1] == ["e f"]
    np.testing.assert_array_equal(out, model.encode(["c d", "e f", "a b", "e f"]))


def test_the_cache_holds_at_most_recent_size_texts():
    model = CountingModel()
    e = embedder(model, size=3)
    for text in ["one", "two", "three", "four"]:
        e.encode([text])
    assert len(e._recent) == 3
    e.encode(["one"])  # the oldest was let go
    assert model.calls[-1] == ["one"]


def test_large_batches_and_a_zero_size_bypass_the_cache():
    model = CountingModel()
    e = embedder(model)
    e.encode([f"text {i}" for i in range(RECENT_MAX_TEXTS + 1)])
    assert not e._recent
    off = embedder(CountingModel(), size=0)
    off.encode(["x"]), off.encode(["x"])
    assert len(off._model.calls) == 2


def test_triage_and_retrieval_share_one_encode_for_a_plain_question(assistant):
    """The semantic triage's whole-message unit is the retrieval query: one model call per message."""
    assert assistant.semantic is not None  # both readers of the message are there
    calls = []
    encode = assistant.embedder._encode
    assistant.embedder._encode = lambda texts, *a: calls.append(list(texts)) or encode(texts, *a)
    try:
        assistant.embedder._recent.clear()
        outcome = assistant.ask("How long after lip filler can I drink alcohol?")
    finally:
        assistant.embedder._encode = encode
    assert outcome.decision == "answer"
    assert len(calls) == 1


def test_limit_encode_threads_sets_torchs_threads_in_its_process():
    # In a child process: torch's thread count is process-wide, and this test run's own must stay as it is.
    import subprocess
    import sys

    code = (
        "from bot.embedding import limit_encode_threads as l; import torch\n"
        "l(3); print(torch.get_num_threads()); l(1); print(torch.get_num_threads()); l(0); print(torch.get_num_threads())"
    )
    limited = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert limited.stdout.split() == ["3", "1", "1"]  # 0 leaves the number as it is
