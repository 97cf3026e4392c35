"""Settings (bot/config.py): every setting documented in exactly one section."""

from __future__ import annotations

from dataclasses import fields

from bot.config import SECTIONS, Settings, describe, sections


def test_every_setting_is_in_exactly_one_section():
    listed = [name for names in SECTIONS.values() for name in names]
    assert sorted(listed) == sorted(f.name for f in fields(Settings))
    assert sum(len(rows) for _, rows in sections()) == len(describe())
