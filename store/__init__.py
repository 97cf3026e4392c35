"""Storage for the conversation and the front desk: handoff tickets, unanswered questions, feedback and
console users, in SQLite under var/ by default or PostgreSQL when DATABASE_URL says so.

Kept out of `bot/` on purpose: the core library has no storage imports."""

from store.privacy import mask_contact, mask_name, scrub
from store.store import (
    ROLES,
    Conflict,
    DayFeedback,
    Note,
    NotFound,
    Purged,
    Store,
    StoreError,
    ThreadFeedback,
    Ticket,
    Unanswered,
    User,
)

__all__ = [
    "ROLES",
    "Conflict",
    "DayFeedback",
    "Note",
    "NotFound",
    "Purged",
    "Store",
    "StoreError",
    "ThreadFeedback",
    "Ticket",
    "Unanswered",
    "User",
    "mask_contact",
    "mask_name",
    "scrub",
]
