"""Server secrets kept in files: generated random and owner-only (0600) on first run, refused when short.

Standard library only: the console (web app) and the sender ids (Rasa process, channels/) both read their
keys through here."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

MIN_SECRET_BYTES = 32


class SecretError(RuntimeError):
    """A secret file is missing or unusable; the message says how to fix it."""


def _new_key_hint(path: Path) -> str:
    return f"python -c 'import secrets; print(secrets.token_hex(32))' > {path} && chmod 600 {path}"


def load_secret(path: Path, create: bool = True, what: str = "The console's secret file",
                setting: str = "AFTERCARE_DESK_SECRET_FILE", purpose: str = "signs cookies") -> bytes:
    """The key read from `path`; created (random, owner-only) only when missing and `create`.

    A file that exists but holds fewer than 32 bytes is refused, never used: an empty or short key lets
    anyone forge what it signs."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise SecretError(
                f"{what} {path} ({setting}) does not exist. The server does not start without it, so that "
                f"every process and restart {purpose} with the same key. Create it: {_new_key_hint(path)}"
            )
        _create_secret(path)
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise SecretError(f"{what} {path} cannot be read ({exc.strerror}).") from None
    if len(key) < MIN_SECRET_BYTES:
        raise SecretError(
            f"{what} {path} holds {len(key)} bytes; it needs at least {MIN_SECRET_BYTES} random "
            f"bytes. Replace it: {_new_key_hint(path)}"
        )
    return key


def _create_secret(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_hex(32).encode())
    try:
        os.link(temp, path)  # first writer wins; a concurrent process reads the same key
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
