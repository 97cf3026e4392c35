"""The clinic's records (unanswered questions, handoff tickets, feedback) as the actions reach them."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store import Store

log = logging.getLogger("aftercare.actions.records")

_lock = threading.Lock()
_store: Store | None = None


def store() -> "Store":
    """The store of this process, opened (and its schema upgraded) on first use."""
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                from store import Store  # imported on first use: the answer path needs no database

                _store = Store.open()
    return _store
