"""The action server: rasa-sdk's web app, served by Sanic in one process, plus `POST /reload`.

rasa-sdk's own runner starts Sanic's worker manager, which wants the "spawn" start method; loading the
embedding model has already fixed "fork" by then, and a spawned worker would load the model again.
One process with one worker (rasa-sdk's default worker count anyway) loads it once.

`POST /reload` (header `Authorization: Bearer <AFTERCARE_RELOAD_TOKEN>`) loads the corpus and the
saved index again, off the event loop, and swaps them in; messages being answered finish with the old
ones. A corpus or index that cannot be served (stale, unreadable) is refused with 409 and the old one
stays. With `AFTERCARE_RELOAD_WATCH=true` the server also reloads by itself when a new index is saved.

`POST /webhook` and `GET /actions` answer only Rasa: its calls carry a token derived from the key file both
read (`AFTERCARE_ACTION_SECRET_FILE`; channels/action_auth.py); any other caller gets 401, because a
webhook call names its own sender and slots.

    python -m actions.server --port 5055
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request

from bot.config import DEFAULT_ACTION_SECRET_FILE, Settings
from bot.embedding import limit_encode_threads
from bot.errors import LoadError
from bot.index import META_FILE
from bot.logs import configure_logging
from bot.secret_file import SecretError, action_webhook_token, bearer_given, bearer_matches

log = logging.getLogger("aftercare.server")

WATCH_SECONDS = 2.0
# Rasa posts the tracker and the domain on every call (tens of KB, growing with the conversation); the cap
# only refuses bodies no Rasa server sends (Sanic's default is 100 MB).
MAX_BODY_BYTES = 16 * 1024 * 1024


def check_token(configured: str, authorization: str | None) -> tuple[int, str] | None:
    """None when the Authorization header carries the configured bearer token, else (status, message)."""
    if not configured:
        return 403, "reloading is disabled: set AFTERCARE_RELOAD_TOKEN on the action server to enable POST /reload"
    if bearer_given(authorization) is None:
        return 401, "missing token: send the header 'Authorization: Bearer <AFTERCARE_RELOAD_TOKEN>'"
    if not bearer_matches(authorization, configured):
        return 403, "wrong reload token"
    return None


# rasa-sdk's routes that run actions or describe them; /health stays open for probes.
RASA_ONLY_PATHS = ("/webhook", "/actions")
WEBHOOK_REFUSED = (
    "this endpoint answers the Rasa server only: its calls carry a token derived from "
    "AFTERCARE_ACTION_SECRET_FILE, and both servers must read the same file"
)


def require_rasa_token(app: Sanic, token: str) -> None:
    """Refuse (401) calls to rasa-sdk's action routes that lack Rasa's token."""

    @app.on_request
    async def rasa_only(request: Request) -> response.HTTPResponse | None:
        if request.path.rstrip("/") not in RASA_ONLY_PATHS or request.method == "OPTIONS":
            return None
        if bearer_matches(request.headers.get("authorization"), token):
            return None
        log.warning("webhook.token_refused")
        return response.json({"error": WEBHOOK_REFUSED}, status=401, headers={"WWW-Authenticate": "Bearer"})


async def reload_now() -> tuple[int, dict]:
    """Reload off the event loop; (HTTP status, JSON body)."""
    from actions import runtime  # imported late: importing it loads nothing, but keep start-up order obvious

    started = time.perf_counter()
    try:
        new, old = await asyncio.to_thread(runtime.reload)
    except runtime.AssistantUnavailable as exc:
        return 409, {
            "error": "the new corpus or index cannot be served; the previous one is still served",
            "reason": str(exc),
        }
    return 200, {
        "threads": len(new.corpus.threads),
        "previous_threads": len(old.corpus.threads) if old else None,
        "indexed": new.index.faiss_index.ntotal,
        "index_type": new.index.meta.index_type,
        "built_at": new.index.meta.built_at,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


def add_reload_routes(app: Sanic, settings: Settings) -> None:
    """Add `POST /reload` (and, when the setting is on, the index watch) to rasa-sdk's Sanic app."""

    @app.post("/reload")
    async def reload(request: Request) -> response.HTTPResponse:
        refused = check_token(settings.corpus.reload_token, request.headers.get("authorization"))
        if refused:
            status, message = refused
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return response.json({"error": message}, status=status, headers=headers)
        status, body = await reload_now()
        return response.json(body, status=status)

    if settings.corpus.reload_watch:
        app.add_task(watch_index(settings))


async def watch_index(settings: Settings) -> None:
    """Reload whenever meta.json changes (a build replaces it last, so a change means a whole new index)."""
    path = settings.corpus.index_dir / META_FILE

    def stamp() -> tuple[int, int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_ino

    seen = stamp()
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        now = stamp()
        if now is None or now == seen:
            continue
        seen = now
        try:
            status, body = await reload_now()
        except Exception:  # the watch must outlive any one failed reload; the old assistant keeps serving
            log.exception("index watch reload failed")
            continue
        log.info("index watch", extra={"status": status, **{k: v for k, v in body.items() if k != "reason"}})


def main(argv: list[str] | None = None) -> None:
    """Serve the actions; settings, keys, corpus, index or model that cannot be loaded stop it in one line."""
    from actions import runtime

    parser = argparse.ArgumentParser(description="Aftercare assistant action server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        settings = Settings.from_env()
        token = action_webhook_token(settings.security.action_secret_file, DEFAULT_ACTION_SECRET_FILE)
        configure_logging(settings.console.log_level)
        limit_encode_threads(settings.corpus.encode_threads)
        # Loaded before the first message, and before rasa-sdk imports the actions, which would print a
        # load error as a traceback.
        runtime.start(settings)
    except (LoadError, SecretError) as exc:
        raise SystemExit(f"action server not started: {exc}") from None
    executor = ActionExecutor()
    executor.register_package("actions")
    # Only Rasa calls the webhook; browsers only from the configured origins (AFTERCARE_ALLOWED_ORIGINS).
    app = create_app(executor, cors_origins=settings.security.origins)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    require_rasa_token(app, token)
    add_reload_routes(app, settings)
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
