"""3-fold cross-validation of the NLU pipeline on data/nlu/ (`make nlu-cv`): trains Rasa three times.

Prints intent macro F1 and treatment-entity F1 (report in var/reports/nlu-cv/). Not part of `make test`,
which evaluates the trained model on the held-out set tests/nlu/heldout.yml instead (tests/test_nlu.py).
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
AVERAGES = {"macro avg", "weighted avg", "micro avg"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "reports" / "nlu-cv")
    args = parser.parse_args(argv)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    command = [str(RASA), "test", "nlu", "--config", "config.yml", "--nlu", "data/nlu"]
    command += ["--cross-validation", "--folds", str(args.folds), "--out", str(args.out)]
    print(f"==> {args.folds}-fold cross-validation of the NLU pipeline on data/nlu/ (trains Rasa {args.folds} times)")
    started = time.monotonic()
    result = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        return result.returncode
    intents = json.loads((args.out / "intent_report.json").read_text())
    entities = json.loads((args.out / "DIETClassifier_report.json").read_text())
    per_intent = {k: v["f1-score"] for k, v in intents.items() if isinstance(v, dict) and k not in AVERAGES}
    print(f"intent macro F1 ({args.folds}-fold): {intents['macro avg']['f1-score']:.3f}")
    print(f"treatment entity F1 ({args.folds}-fold): {entities['treatment']['f1-score']:.3f}")
    print("per intent: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(per_intent.items(), key=lambda kv: kv[1])))
    print(f"report in {args.out} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
