"""The one base class for "this cannot be loaded" errors, so every entry point reports them in one line."""

from __future__ import annotations


class LoadError(Exception):
    """A corpus, index, exemplar file or labelled set that cannot be used; the message says how to fix it."""
