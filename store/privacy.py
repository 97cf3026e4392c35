"""Keeping patient identifiers where they belong: scrubbing them from stored questions, masking them in
logs and exports."""

from __future__ import annotations

import hashlib
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 7 to 15 digits, optionally with a leading + and spaces, dots, dashes or brackets between them.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]{0,2}\d){6,14}(?!\w)")


def scrub(text: str) -> str:
    """The text with e-mail addresses and phone numbers replaced by placeholders."""
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub("[phone]", text)


def normalise_question(text: str) -> str:
    """The grouping form of a question: case-folded, single-spaced, without closing punctuation."""
    return " ".join(text.casefold().split()).rstrip(" ?!.…")


def question_key(text: str) -> str:
    """A fixed-length key for a normalised question (an index on long text is not portable)."""
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
