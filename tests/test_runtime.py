"""A process's assistant holder (bot/runtime.py), with a stand-in loader: load once, reload whole, and
keep serving the last good assistant when a new index cannot be served."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.errors import LoadError
from bot.runtime import AssistantUnavailable, Runtime


class Loads:
    """A loader that hands out numbered stand-in assistants, or fails while `broken` is set."""

    def __init__(self):
        self.calls, self.broken, self.built_at = 0, False, "one"

    def __call__(self, settings, embedder):
        self.calls += 1
        if self.broken:
            raise LoadError("the index does not fit the corpus")
        meta = SimpleNamespace(built_at=self.built_at, index_type="flat")
        return SimpleNamespace(
            n=self.calls, embedder=embedder, index=SimpleNamespace(meta=meta), corpus=SimpleNamespace(threads=[])
        )


@pytest.fixture
def runtime(settings, tmp_path, monkeypatch):
    import bot.runtime as module

    loads = Loads()
    monkeypatch.setattr(module, "read_meta", lambda folder: SimpleNamespace(built_at=loads.built_at))
    held = Runtime(settings.with_values(index_dir=tmp_path), loads, embedder="the model")
    return held, loads


def test_loads_once_and_reloads_whole(runtime):
    held, loads = runtime
    assert held.loaded is None
    first = held.current()
    assert held.current() is first and loads.calls == 1 and first.embedder == "the model"
    new, old = held.reload()
    assert old is first and held.current() is new and new.n == 2


def test_a_failed_reload_keeps_the_old_assistant(runtime):
    held, loads = runtime
    first = held.current()
    loads.broken = True
    with pytest.raises(AssistantUnavailable, match="does not fit"):
        held.reload()
    assert held.current() is first


def test_newest_follows_a_new_index_and_keeps_the_last_good_one(runtime):
    held, loads = runtime
    first = held.newest()
    assert held.newest() is first and loads.calls == 1  # same index: nothing loaded
    loads.built_at = "two"
    second = held.newest()
    assert second is not first and second.index.meta.built_at == "two"
    loads.built_at, loads.broken = "three", True
    assert held.newest() is second  # the new index cannot be served yet


def test_nothing_to_fall_back_on_is_an_error(runtime):
    held, loads = runtime
    loads.broken = True
    with pytest.raises(AssistantUnavailable):
        held.newest()
