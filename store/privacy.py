"""Keeping patient identifiers where they belong: scrubbing them from stored questions, masking them in
logs and exports."""

from __future__ import annotations

import hashlib
import re

# Linear time on any text: a match may start only where a local part starts (the look-behind), and each
# part has the length limit of RFC 5321 (64 for the local part, 63 a domain label). The unbounded form
# `[\w.+-]+@` re-scanned the rest of a long word from every letter: 100 KB without an "@" took 18 s.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE)
# 7 to 15 digits, optionally with a leading + and spaces, dots, dashes or brackets between them.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]{0,2}\d){6,14}(?!\w)")
# Text is cut to the length asked for only after scrubbing, from a little more than that length, so an
# address or number that crosses the cut is still recognised and replaced, not stored half.
_SCRUB_SLACK = 400


def scrub(text: str, limit: int | None = None) -> str:
    """The text with e-mail addresses and phone numbers replaced by placeholders, cut to `limit` characters."""
    if limit is not None:
        text = text[: limit + _SCRUB_SLACK]
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[phone]", text)
    return text if limit is None else text[:limit]


def normalise_question(text: str) -> str:
    """The grouping form of a question: case-folded, single-spaced, without closing punctuation."""
    return " ".join(text.casefold().split()).rstrip(" ?!.…")


def question_digest(text: str) -> str:
    """A fixed-length key for a normalised question (an index on long text is not portable). Not the
    importer's `question_key` (bot/importers/records.py), which keeps punctuation: a stored thread's
    question is matched as written, an unanswered patient question is grouped loosely."""
    return hashlib.sha256(normalise_question(text).encode("utf-8")).hexdigest()


def mask_contact(contact: str) -> str:
    """A contact detail safe to show in logs and exports: `j***@e***.com`, `*******89`."""
    contact = contact.strip()
    if "@" in contact:
        local, _, domain = contact.partition("@")
        host, dot, tld = domain.rpartition(".")
        host = host or domain
        return f"{local[:1]}***@{host[:1]}***{dot}{tld if dot else ''}"
    digits = re.sub(r"\D", "", contact)
    if digits:
        return "*" * max(len(digits) - 2, 3) + digits[-2:]
    return "***"


def mask_name(name: str) -> str:
    """Initials only: `Jane Doe` -> `J. D.`."""
    return " ".join(f"{part[:1]}." for part in name.split()) or "***"
