"""Settings (bot/config.py): in sections, every setting documented once, each section checked."""

from __future__ import annotations

from dataclasses import fields

import pytest

from bot.config import SECTIONS, LimitSettings, Settings, SettingsError, describe, sections


def test_every_setting_is_in_exactly_one_section():
    per_section = [f.name for section in SECTIONS.values() for f in fields(section)]
    assert len(per_section) == len(set(per_section))  # one name, one environment variable
    held = [type(getattr(Settings(), f.name)) for f in fields(Settings)]
    assert held == list(SECTIONS.values())  # Settings holds each section once, in the documented order
    assert sum(len(rows) for _, rows in sections()) == len(describe()) == len(per_section)


def test_environment_and_overrides_reach_their_sections():
    settings = Settings.from_env({"AFTERCARE_TOP_K": "7", "AFTERCARE_CLINIC_NAME": "Demo"}, emergency_number="112")
    assert (settings.retrieval.top_k, settings.clinic.clinic_name, settings.clinic.emergency_number) == (
        7,
        "Demo",
        "112",
    )
    assert settings.limits == LimitSettings()  # untouched sections keep their defaults


def test_with_values_changes_one_copy_and_checks_it_again():
    base = Settings()
    changed = base.with_values(top_k=3, rasa_url="http://rasa:5005")
    assert (changed.retrieval.top_k, changed.limits.rasa_url) == (3, "http://rasa:5005")
    assert base.retrieval.top_k == 10 and changed.corpus is base.corpus
    with pytest.raises(SettingsError, match="AFTERCARE_THREAD_SCORING"):
        base.with_values(thread_scoring="partz")
    with pytest.raises(TypeError, match="no such setting: top_kk"):
        base.with_values(top_kk=3)


def test_a_check_across_two_settings_of_one_section():
    with pytest.raises(SettingsError, match="AFTERCARE_MAX_REQUEST_BYTES"):
        Settings.from_env({}, max_message_chars=20_000, max_request_bytes=50_000)


def test_encode_threads_takes_zero_or_more():
    assert Settings.from_env({"AFTERCARE_ENCODE_THREADS": "2"}).corpus.encode_threads == 2
    assert Settings().corpus.encode_threads == 1  # one core per action server
    with pytest.raises(SettingsError, match="AFTERCARE_ENCODE_THREADS"):
        Settings.from_env({"AFTERCARE_ENCODE_THREADS": "-1"})
