"""The one base class for "this cannot be loaded" errors, so every entry point reports them in one line."""

from __future__ import annotations


class LoadError(Exception):
    """A corpus, index, exemplar file, labelled set, setting, model or vocabulary that cannot be used; the
    message says how to fix it.

    Subclasses: CorpusError (bot.corpus), StaleIndexError (bot.index), ExemplarError (bot.semantic_triage),
    LabelledSetError (bot.evaluation.labelled), SettingsError (bot.config), ModelError (bot.embedding),
    VocabularyError (bot.treatments), and the action server's AssistantUnavailable (actions.runtime)."""

    def __str__(self) -> str:
        # YAML parsers and model loaders write their messages over several lines; a log line or a CLI
        # error must stay one line.
        return " ".join(super().__str__().split())
