"""Server secrets kept in files: generated random and owner-only (0600) on first run, refused when short.

Standard library only: the console (web app), the sender ids (Rasa process, channels/) and the token Rasa
shows the action server (both of them) read their keys through here."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

MIN_SECRET_BYTES = 32
# The word every value of deploy/k8s/secret.template.yaml holds: a key copied from there is public.
PLACEHOLDER = "REPLACE"


class SecretError(RuntimeError):
    """A secret file is missing or unusable; the message says how to fix it."""


def derived_token(key: bytes, purpose: str) -> str:
    """A bearer token for `purpose` derived from `key` (hex), so one key file serves both ends of a call."""
    return hmac.new(key, f"token:{purpose}".encode(), hashlib.sha256).hexdigest()


def bearer_given(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None when the header is not that."""
    scheme, _, given = (authorization or "").strip().partition(" ")
    return given.strip() or None if scheme.lower() == "bearer" else None


def bearer_matches(authorization: str | None, token: str) -> bool:
    """Whether the header carries `token`, compared in constant time; an empty `token` lets nobody in."""
    given = bearer_given(authorization)
    return bool(token) and given is not None and hmac.compare_digest(given.encode(), token.encode())


def _new_key_hint(path: Path) -> str:
    return f"python -c 'import secrets; print(secrets.token_hex(32))' > {path} && chmod 600 {path}"


def load_secret(
    path: Path,
    create: bool = True,
    what: str = "The console's secret file",
    setting: str = "AFTERCARE_DESK_SECRET_FILE",
    purpose: str = "signs cookies",
) -> bytes:
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
        try:
            _create_secret(path)
        except OSError as exc:
            raise SecretError(
                f"{what} {path} could not be created ({exc.strerror}); create it yourself: {_new_key_hint(path)}"
            ) from None
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise SecretError(f"{what} {path} cannot be read ({exc.strerror}).") from None
    if PLACEHOLDER in key.decode(errors="replace"):
        raise SecretError(f"{what} {path} still holds the template's placeholder. Replace it: {_new_key_hint(path)}")
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


ACTION_WEBHOOK = "action-webhook"


def action_webhook_token(path: Path, default: Path) -> str:
    """The token Rasa sends the action server, from the key file both read (`default` is made when missing)."""
    key = load_secret(
        path,
        create=Path(path) == default,
        what="The action-server key file",
        setting="AFTERCARE_ACTION_SECRET_FILE",
        purpose="derives Rasa's token for the action server",
    )
    return derived_token(key, ACTION_WEBHOOK)
