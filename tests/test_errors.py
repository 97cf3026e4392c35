"""One base class for load errors (bot/errors.py): every loader raises a LoadError, and every entry point
(the `bot` CLI, the action server, the web app) reports one in one line instead of a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.errors import LoadError
from conftest import ROOT

BAD_SETTING = {"AFTERCARE_TOP_K": "five"}


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error: ")]


def test_a_load_error_message_is_one_line():
    assert str(LoadError("cannot read x.yml (while parsing\n  in line 3\nexpected ':')")) == (
        "cannot read x.yml (while parsing in line 3 expected ':')"
    )


def test_every_loader_error_is_a_load_error():
    from bot.config import SettingsError
    from bot.corpus import CorpusError
    from bot.embedding import ModelError
    from bot.evaluation.labelled import LabelledSetError
    from bot.index import StaleIndexError
    from bot.runtime import AssistantUnavailable
    from bot.semantic_triage import ExemplarError
    from bot.treatments import VocabularyError

    for error in (
        AssistantUnavailable,
        CorpusError,
        ExemplarError,
        LabelledSetError,
        ModelError,
        SettingsError,
        StaleIndexError,
        VocabularyError,
    ):
        assert issubclass(error, LoadError), error
    # What callers caught before the base class still catches them.
    assert issubclass(SettingsError, ValueError) and issubclass(ModelError, FileNotFoundError)
    assert str(AssistantUnavailable("a\nb")) == "a b"


def test_a_bad_setting_is_a_settings_error_naming_the_variable():
    from bot.config import Settings, SettingsError

    for environ, words in (
        (BAD_SETTING, "AFTERCARE_TOP_K must be a whole number, not 'five'"),
        ({"AFTERCARE_RELOAD_WATCH": "maybe"}, "AFTERCARE_RELOAD_WATCH must be true or false"),
        ({"AFTERCARE_FRAME_CHECK": "sometimes"}, "AFTERCARE_FRAME_CHECK must be on or off"),
        # A mistyped mode used to switch scoring silently.
        ({"AFTERCARE_THREAD_SCORING": "part"}, "AFTERCARE_THREAD_SCORING must be parts or whole, not 'part'"),
        ({"AFTERCARE_INDEX_TYPE": "hsnw"}, "AFTERCARE_INDEX_TYPE must be auto, flat, hnsw or ivf"),
        ({"AFTERCARE_INDEX_TEXT": "answers"}, "AFTERCARE_INDEX_TEXT must be question or question\\+answers"),
        ({"AFTERCARE_LOG_LEVEL": "loud"}, "AFTERCARE_LOG_LEVEL must be DEBUG"),
    ):
        with pytest.raises(SettingsError, match=words):
            Settings.from_env(environ)
    assert Settings.from_env({"AFTERCARE_LOG_LEVEL": "debug"}).console.log_level == "debug"  # levels in any case


def test_a_missing_model_folder_is_a_model_error(tmp_path):
    from bot.embedding import Embedder, ModelError

    with pytest.raises(ModelError, match="embedding model folder not found"):
        Embedder.load(str(tmp_path / "no-model"))


def test_an_unreadable_treatments_file_is_a_vocabulary_error(tmp_path):
    from bot.treatments import VocabularyError, load_vocabulary

    (tmp_path / "list.yml").write_text("- just\n- a list\n", encoding="utf-8")
    (tmp_path / "broken.yml").write_text("nlu: [unclosed\n", encoding="utf-8")
    for name, words in (
        ("missing.yml", "cannot read"),
        ("list.yml", "expected Rasa NLU data"),
        ("broken.yml", "cannot read"),
    ):
        with pytest.raises(VocabularyError, match=words):
            load_vocabulary(tmp_path / name)


def test_the_cli_reports_a_bad_setting_in_one_line(monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("AFTERCARE_TOP_K", "five")
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["error: AFTERCARE_TOP_K must be a whole number, not 'five'"]


def test_validate_lists_each_corpus_problem_on_its_own_line(tmp_path, capsys):
    from bot.cli import main

    (tmp_path / "bad.yml").write_text("id: bad\nquestion: Q?\ntreatments: [botox]\nanswers: []\n", encoding="utf-8")
    assert main(["--corpus", str(tmp_path), "validate"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(line.startswith("error: bad.yml: ") for line in lines)
    assert any(": treatments: " in line for line in lines) and any(": answers: " in line for line in lines)


def test_other_commands_report_a_broken_corpus_in_one_line(tmp_path, capsys):
    from bot.cli import main

    (tmp_path / "bad.yml").write_text("id: bad\nquestion: Q?\ntreatments: [botox]\nanswers: []\n", encoding="utf-8")
    assert main(["--corpus", str(tmp_path), "index"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: Invalid answer corpus: bad.yml: ") and "; bad.yml: " in line


def test_the_action_server_reports_a_bad_setting_in_one_line(monkeypatch):
    from actions import server

    monkeypatch.setenv("AFTERCARE_TOP_K", "five")
    with pytest.raises(SystemExit) as stopped:
        server.main(["--port", "1"])
    assert stopped.value.code == "action server not started: AFTERCARE_TOP_K must be a whole number, not 'five'"


def test_the_action_server_reports_a_broken_exemplar_file_in_one_line(tmp_path, monkeypatch, built_index, embedder):
    from actions import runtime, server
    from bot.embedding import Embedder

    broken = tmp_path / "exemplars.yml"
    broken.write_text("red_flags: [unclosed\n", encoding="utf-8")  # the YAML parser's message spans lines
    monkeypatch.setenv("AFTERCARE_TRIAGE_EXEMPLARS", str(broken))
    monkeypatch.setattr(Embedder, "load", classmethod(lambda cls, model: embedder))  # the model is not the point
    monkeypatch.setattr(runtime, "_runtime", None)
    with pytest.raises(SystemExit) as stopped:
        server.main(["--port", "1"])
    message = stopped.value.code
    assert message.startswith(f"action server not started: {broken}: cannot read red-flag exemplars")
    assert "\n" not in message and runtime._runtime is None


def test_the_web_app_reports_a_bad_setting_in_one_line():
    # A subprocess, as uvicorn starts it: `--factory web.app:app_from_environment`.
    result = subprocess.run(
        [sys.executable, "-c", "import web.app; web.app.app_from_environment()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **BAD_SETTING},
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "web app not started: AFTERCARE_TOP_K must be a whole number, not 'five'"
    ]
