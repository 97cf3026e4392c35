"""Rasa's own checks on the training data, and the NLU model's cross-validated quality.

Gate: intent macro F1 >= 0.82 and treatment-entity F1 >= 0.85 under 3-fold cross-validation.
Why these numbers: every intent except small talk routes to the same triage-first action, so an
intent confusion between ask_aftercare, report_symptom and out_of_scope costs little; the entity
matters more, and the library re-detects treatments in the text anyway. The gate sits a few points
under what the data measures (see README), so a real regression fails it. The intent figure moves by
about a point between runs (DIET's training is not bit-for-bit repeatable on CPU threads): measured 0.850
and 0.852 in two runs of the current data, so the gate is 0.82, three points under, not 0.85 on the edge.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
REPORT = ROOT / "var" / "reports" / "nlu"
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
DATA = ["--data", "data/nlu", "data/rules.yml"]


def rasa(*args, timeout=1800):
    return subprocess.run([str(RASA), *args], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout)


def test_rasa_data_validate_is_clean():
    result = rasa("data", "validate", "--fail-on-warnings", "--domain", "domain.yml", *DATA, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    # Rasa 3.6 prints some data warnings as a UserWarning and still exits 0; clean means none of them.
    assert "UserWarning" not in output, [line for line in output.splitlines() if "UserWarning" in line]


@pytest.fixture(scope="module")
def cross_validation():
    result = rasa("test", "nlu", "--config", "config.yml", "--nlu", "data/nlu", "--cross-validation", "--folds", "3", "--out", str(REPORT))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return REPORT


def test_intent_macro_f1(cross_validation):
    report = json.loads((cross_validation / "intent_report.json").read_text())
    f1 = report["macro avg"]["f1-score"]
    print(f"\nintent macro F1 (3-fold): {f1:.3f}")
    assert f1 >= 0.82


def test_treatment_entity_f1(cross_validation):
    report = json.loads((cross_validation / "DIETClassifier_report.json").read_text())
    f1 = report["treatment"]["f1-score"]
    print(f"\ntreatment entity F1 (3-fold): {f1:.3f}")
    assert f1 >= 0.85
