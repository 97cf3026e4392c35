"""The `bot` command: in this process (conftest.run_cli), and once as the installed console script."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli

BOT = Path(sys.executable).parent / "bot"


def run(*args, stdin=None, env=None):
    return run_cli(*args, stdin=stdin, env=env)


def test_the_console_script_runs_as_a_user_runs_it():
    result = subprocess.run([str(BOT), "validate"], capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 0 and result.stdout.startswith("OK: "), result.stderr


@pytest.fixture(scope="module", autouse=True)
def _index(built_index):
    """The CLI reads the index this run built (AFTERCARE_INDEX_DIR)."""


def test_ask_json():
    result = run("ask", "can i go to the gym after botox?", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["decision"] == "answer" and data["thread_id"] == "botox-exercise"
    assert data["reply"]["citations"] and data["reply"]["disclaimer"]


def test_ask_reads_one_message_per_line():
    result = run(
        "ask",
        "-",
        stdin="can i shower after my tummy tuck\nchoking on water since my tox\nwhat is the capital of peru\n",
    )
    assert result.returncode == 0, result.stderr
    decisions = [json.loads(line)["decision"] for line in result.stdout.splitlines()]
    assert decisions == ["answer", "urgent", "fallback"]


def test_ask_with_treatment_context():
    data = json.loads(run("ask", "when can I work out?", "--treatment", "juviderm", "--json").stdout)
    assert data["thread_id"] == "filler-exercise" and data["treatment"] == "filler"


def test_validate_ok():
    result = run("validate")
    assert result.returncode == 0 and "50 threads" in result.stdout


def test_validate_reports_problems(tmp_path):
    (tmp_path / "bad.yml").write_text("id: bad\nquestion: Q?\ntreatments: [botox]\nanswers: []\n")
    result = run("--corpus", str(tmp_path), "validate")
    assert result.returncode == 2
    assert "bad.yml: treatments: " in result.stderr and "bad.yml: answers: " in result.stderr
    assert "Traceback" not in result.stderr


def test_ask_refuses_a_stale_index(tmp_path):
    result = run("--index-dir", str(tmp_path / "none"), "ask", "hello")
    assert result.returncode == 2 and "bot index" in result.stderr


def test_index_is_idempotent():
    result = run("index")
    assert result.returncode == 0 and "up to date" in result.stdout


@pytest.mark.parametrize(
    "text, words",
    [
        ("red_flags: [{text: only text}]\n", "red_flags item 1: needs text, concept and level"),
        ("red_flags: [unclosed\n", "cannot read red-flag exemplars"),  # the YAML parser's message spans lines
    ],
)
def test_a_broken_exemplar_file_is_one_line_not_a_traceback(tmp_path, monkeypatch, capsys, text, words):
    # In-process: the load errors share one base class that the CLI reports as one line (exit 2).
    from bot.cli import main

    broken = tmp_path / "exemplars.yml"
    broken.write_text(text, encoding="utf-8")
    monkeypatch.setenv("AFTERCARE_TRIAGE_EXEMPLARS", str(broken))
    assert main(["ask", "can i go to the gym after botox?"]) == 2
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if line.startswith("error: ")]
    assert line.startswith(f"error: {broken}: ") and words in line
    assert "Traceback" not in err
