"""Rasa's own checks on the training data, and the trained NLU model's quality on a held-out test set.

The model `make train` built (var/models/aftercare.tar.gz, the one the servers load) is evaluated with
`rasa test nlu` on tests/nlu/heldout.yml: messages written apart from data/nlu/, the way patients write
(typos, brand names, capitals or none, stories with timings), and never trained on. That takes about a
minute, where 3-fold cross-validation trained Rasa three times; cross-validation is `make nlu-cv`.

Gates: intent macro F1 >= INTENT_GATE and treatment-entity F1 >= ENTITY_GATE, each about three points under
what the held-out set measures (see README, "NLU"). Evaluating a fixed model is deterministic, but
`make train` retrains whenever data/nlu/ or config.yml changes and DIET's training is not bit-for-bit
repeatable on CPU threads, so the figures move between models: two trainings of the same data measured
intent macro F1 0.854 and 0.897 (about ten examples per small intent, so one message is worth a few points
of that intent), entity F1 0.923 and 0.931. The entity gate sits about three points under the lower figure, the
intent gate five (a clean clone retrains, and the spread seen was four points); if a
retrain of unchanged data fails the intent gate, look at the per-intent figures in the message before
lowering it. Every intent except small talk routes to the same triage-first action,
so an intent confusion between ask_aftercare, report_symptom and out_of_scope costs little; the entity
matters more (the library re-detects treatments in the text anyway).
"""

import glob
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from stack import MODEL

pytestmark = pytest.mark.slow  # runs Rasa (validate, test nlu) in its own environment

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
DATA = ["--data", "data/nlu", "data/rules.yml"]
INTENT_GATE = 0.80  # measured 0.854 and 0.897 unseeded (two trainings), 0.866 seeded; CI retrains from scratch
ENTITY_GATE = 0.89  # measured 0.923 and 0.931 unseeded, 0.921 seeded


# Rasa's own command line, with the model loaded as the project's Rasa server loads it (channels/model_load.py:
# the same weights, tests/test_model_load.py; 30 s less per load).
RASA_WITH_PROJECT_LOAD = (
    "import sys; from channels import model_load; model_load.install(); "
    "from rasa.__main__ import main; sys.argv[0] = 'rasa'; sys.exit(main())"
)


def rasa(*args, timeout=1800):
    command = [str(RASA.parent / "python"), "-c", RASA_WITH_PROJECT_LOAD, *args]
    return subprocess.run(
        command,
        check=False,
        cwd=ROOT,
        env={**ENV, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_rasa_data_validate_is_clean():
    result = rasa("data", "validate", "--fail-on-warnings", "--domain", "domain.yml", *DATA, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    # Rasa 3.6 prints some data warnings as a UserWarning and still exits 0; clean means none of them.
    assert "UserWarning" not in output, [line for line in output.splitlines() if "UserWarning" in line]


_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def _normalised(text: str) -> str:
    """Lowercase, entity markup removed, punctuation and whitespace collapsed: what "the same example" means."""
    return " ".join(re.sub(r"[^\w\s]", " ", _MARKUP.sub(r"\1", text).lower()).split())


def _nlu_blocks(path) -> list[dict]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["nlu"]


def _lines(block: dict) -> list[str]:
    return [line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]


def _examples(path) -> list[tuple[str, str]]:
    return [(block["intent"], text) for block in _nlu_blocks(path) if "intent" in block for text in _lines(block)]


def test_heldout_set_is_not_training_data():
    training = [
        example for path in sorted(glob.glob(str(ROOT / "data" / "nlu" / "*.yml"))) for example in _examples(path)
    ]
    heldout = _examples(HELDOUT)
    seen = {_normalised(text) for _, text in training}
    assert not [text for _, text in heldout if _normalised(text) in seen], "held-out examples found in data/nlu/"
    # Annotated the way the training data is: only the `treatment` entity, on surface forms the synonyms know.
    surfaces = {
        form.lower()
        for path in glob.glob(str(ROOT / "data" / "nlu" / "*.yml"))
        for block in _nlu_blocks(path)
        if "synonym" in block
        for form in _lines(block)
    }
    annotations = [match.groups() for _, text in heldout for match in re.finditer(r"\[([^\]]+)\]\(([^)]*)\)", text)]
    assert {entity for _, entity in annotations} == {"treatment"}
    assert not [form for form, _ in annotations if form.lower() not in surfaces], "unknown treatment surface forms"
    # Every intent of the domain that has training examples is tested, with at least 8 examples.
    domain_intents = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    trained = {intent for intent, _ in training} & domain_intents
    counts = {intent: sum(1 for i, _ in heldout if i == intent) for intent in trained}
    assert min(counts.values()) >= 8 and counts["ask_aftercare"] >= 60, counts


@pytest.fixture(scope="module")
def heldout_evaluation(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained Rasa model at {MODEL}: run `make train` (make test does it first)")
    out = tmp_path_factory.mktemp("nlu-heldout")
    result = rasa(
        "test", "nlu", "--model", str(MODEL), "--nlu", str(HELDOUT), "--out", str(out), "--no-plot", timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def test_intent_macro_f1(heldout_evaluation):
    report = json.loads((heldout_evaluation / "intent_report.json").read_text())
    f1 = report["macro avg"]["f1-score"]
    averages = {"macro avg", "weighted avg", "micro avg"}
    per_intent = {k: round(v["f1-score"], 2) for k, v in report.items() if isinstance(v, dict) and k not in averages}
    weakest = sorted(per_intent.items(), key=lambda item: item[1])[:3]
    print(f"\nintent macro F1 (held-out): {f1:.3f}")
    assert f1 >= INTENT_GATE, f"held-out intent macro F1 {f1:.3f} < gate {INTENT_GATE} (weakest: {weakest})"


def test_treatment_entity_f1(heldout_evaluation):
    report = json.loads((heldout_evaluation / "DIETClassifier_report.json").read_text())
    f1 = report["treatment"]["f1-score"]
    print(f"\ntreatment entity F1 (held-out): {f1:.3f}")
    assert f1 >= ENTITY_GATE, (
        f"held-out treatment entity F1 {f1:.3f} < gate {ENTITY_GATE} "
        f"(precision {report['treatment']['precision']:.3f}, recall {report['treatment']['recall']:.3f})"
    )
