"""No import cycles among the project's packages (scripts/import_cycles.py), and the checker finds them."""

from __future__ import annotations

from pathlib import Path

import import_cycles  # scripts/ is on sys.path (conftest.py)


def test_the_project_has_no_import_cycles(capsys):
    assert import_cycles.main([]) == 0, capsys.readouterr().out


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for package in import_cycles.PACKAGES:
        (root / package).mkdir(exist_ok=True)
    return root


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    root = _tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/index.py": "from bot.cache import encode\n",
            "bot/cache.py": "def encode():\n    from bot.index import Stats\n",
        },
    )
    assert import_cycles.find_cycles(root) == [["bot.cache", "bot.index", "bot.cache"]]


def test_relative_and_submodule_imports_are_followed(tmp_path):
    root = _tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/evaluation/__init__.py": "",
            "bot/evaluation/systems.py": "from . import variants\n",
            "bot/evaluation/variants.py": "from bot.evaluation.systems import System\n",
        },
    )
    assert import_cycles.find_cycles(root) == [
        ["bot.evaluation.systems", "bot.evaluation.variants", "bot.evaluation.systems"]
    ]


def test_a_cycle_between_packages_is_found(tmp_path):
    root = _tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/cli.py": "import store.store\n",
            "store/__init__.py": "",
            "store/store.py": "def open():\n    from bot.config import Settings\n",
            "bot/config.py": "",
        },
    )
    assert import_cycles.find_cycles(root) == [["bot", "store", "bot"]]


def test_type_checking_imports_and_package_parents_are_not_cycles(tmp_path):
    root = _tree(
        tmp_path,
        {
            "actions/__init__.py": "from actions.records import store\n",
            "actions/records.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from actions.server import App\n",
            "actions/server.py": "import actions.records\n",
        },
    )
    assert import_cycles.find_cycles(root) == []


def test_the_store_reads_the_database_url_setting_as_the_settings_do(tmp_path):
    from bot.config import Settings
    from store.store import database_url

    url = f"sqlite:///{tmp_path / 'a.db'}"
    for environ in (
        {},
        {"AFTERCARE_DATABASE_URL": url},
        {"DATABASE_URL": url, "AFTERCARE_DATABASE_URL": "sqlite://"},
        {"DATABASE_URL": "", "AFTERCARE_DATABASE_URL": url},
    ):
        assert database_url(environ) == Settings.from_env(environ).storage.database_url, environ
