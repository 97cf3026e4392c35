"""Web app: serves the chat widget (/widget.js), a demo clinic page that embeds it, and a REST relay to Rasa."""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError

from bot import sender_ids
from bot.alerts import Contact, slow_down_reply, unavailable_reply
from bot.config import Settings
from bot.errors import LoadError
from bot.limits import RateLimiter
from bot.logs import configure_logging
from web.body_limit import BodyLimit
from web.desk import install as install_desk
from web.desk.routes import get_desk
from web.desk.security import limiter_key

WEB = Path(__file__).parent
STATIC = WEB / "static"
# Installed by `make setup` (npm ci in web/, from the committed package-lock.json).
SOCKET_IO = WEB / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"

log = logging.getLogger("aftercare.web")


def content_security_policy(rasa_url: str) -> str:
    """The demo page loads nothing from other hosts and talks only to itself and Rasa (HTTP and WebSocket)."""
    rasa = urlsplit(rasa_url)
    ws = "wss" if rasa.scheme == "https" else "ws"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {rasa.scheme}://{rasa.netloc} {ws}://{rasa.netloc}; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def widget_config(settings: Settings) -> dict:
    """What the widget needs from the server: where Rasa's socket.io is and which numbers to offer to call."""
    return {
        "socket_url": settings.limits.rasa_url,
        "socket_path": "/socket.io",
        "clinic_name": settings.clinic.clinic_name,
        "clinic_phone": settings.clinic.clinic_phone,
        "emergency_number": settings.clinic.emergency_number,
        "max_message_chars": settings.limits.max_message_chars,
    }


def widget_script(settings: Settings) -> str | None:
    """/widget.js: socket.io-client and the widget in one closure (no globals on the clinic's page), or None
    when socket.io-client is not installed."""
    if not SOCKET_IO.exists():
        return None
    library = re.sub(r"^//# sourceMappingURL=.*$", "", SOCKET_IO.read_text(encoding="utf-8"), flags=re.MULTILINE)
    config = json.dumps(widget_config(settings)).replace("<", "\\u003c")
    return (
        "/*! Aftercare assistant widget. Bundles socket.io-client (MIT, see its notice below). */\n"
        "(function () {\nvar module = { exports: {} }, exports = module.exports, define;\n"
        f"{library}\nvar io = module.exports;\nvar SERVER_CONFIG = {config};\n"
        f"{(STATIC / 'widget.js').read_text(encoding='utf-8')}\n}})();\n"
    )


class ChatRequest(BaseModel):
    # The chat id an earlier reply gave; anything else (none, made up, altered) starts a new conversation.
    sender: str | None = Field(default=None, max_length=128)
    message: str  # at most settings.limits.max_message_chars, checked by the route (the limit is a setting)


def create_app(settings: Settings) -> FastAPI:
    """The web app for `settings`: demo page, widget, REST relay to Rasa, health, and the console."""
    configure_logging(settings.console.log_level)
    if not SOCKET_IO.exists():
        log.error("socket.io-client missing: run `make setup` (npm ci in web/); /widget.js answers 503 until then")
    app = FastAPI(title="Aftercare assistant", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.add_middleware(BodyLimit, max_bytes=settings.limits.max_request_bytes)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    csp = content_security_policy(settings.limits.rasa_url)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", csp)  # a route may set a stricter one
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/")
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/widget.js")
    async def widget(request: Request) -> Response:
        """The embeddable widget; revalidated on each load so a clinic's page picks up new versions."""
        return widget_response(settings, request)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    app.post("/api/chat")(chat_relay(settings))
    # The front desk console (/desk): staff sign-in, answer search, handoffs, unanswered questions, review.
    install_desk(app)
    return app


def app_from_environment() -> FastAPI:
    """The web app on the environment's settings (`uvicorn --factory web.app:app_from_environment`); settings
    that cannot be read stop it in one line instead of uvicorn's traceback."""
    try:
        settings = Settings.from_env()
    except LoadError as exc:
        raise SystemExit(f"web app not started: {exc}") from None
    return create_app(settings)


def widget_response(settings: Settings, request: Request) -> Response:
    """/widget.js with an ETag and gzip, or a 503 script that says what is missing."""
    script = widget_script(settings)
    if script is None:
        return Response(
            "console.error('Aftercare widget unavailable: the server is missing socket.io-client (run make setup).');",
            status_code=503,
            media_type="text/javascript",
        )
    etag = '"' + hashlib.sha256(script.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):  # 72 KB -> 22 KB
        return Response(_gzipped(script), media_type="text/javascript", headers={**headers, "Content-Encoding": "gzip"})
    return Response(script, media_type="text/javascript", headers=headers)


@functools.lru_cache(maxsize=4)
def _gzipped(script: str) -> bytes:
    return gzip.compress(script.encode(), mtime=0)


def chat_relay(settings: Settings):
    """The /api/chat route: relay one message to Rasa and return its replies and the chat id to send next."""
    contact = Contact.of(settings.clinic)
    # Rasa does not limit the relay per address (a loopback client speaks for many patients), so the relay
    # limits each of its own clients (behind AFTERCARE_TRUSTED_PROXIES, the address X-Forwarded-For gives).
    limiter = RateLimiter(settings.limits.address_messages_per_minute)

    async def chat(request: Request) -> JSONResponse:
        """Relay one message to Rasa and return its replies and the chat id to send next time.

        The id is issued and signed here: a client that names an id it was not given (someone else's, guessed
        or made up) gets a new conversation, never that one, and `new_session` tells it so."""
        try:
            body = ChatRequest.model_validate(await request.json())
            if len(body.message) > settings.limits.max_message_chars:
                raise ValueError("message too long")
        except (ValueError, ValidationError):
            return JSONResponse(
                {
                    "error": f"Send JSON with a 'message' of at most {settings.limits.max_message_chars} characters, and the "
                    "'sender' id of the previous reply to go on with that conversation."
                },
                status_code=400,
            )
        desk = get_desk(request)
        known = body.sender is not None and sender_ids.web_session_valid(desk.chat_key, body.sender)
        if body.sender is not None and not known:
            log.warning("chat.session_refused")  # the id itself is not logged
        sender = body.sender if known else sender_ids.issue_web_session(desk.chat_key)
        address = desk.client_address(
            request.client.host if request.client else None, request.headers.get("x-forwarded-for")
        )
        if not limiter.allow(limiter_key(address)):
            log.warning("chat.rate_limited")
            return JSONResponse(
                {
                    "sender": sender,
                    "new_session": not known,
                    "messages": [{"text": slow_down_reply(body.message, contact).text}],
                },
                status_code=429,
            )
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                # A production Rasa asks REST callers for its token (credentials.production.yml, require_token),
                # and learns the patient's address for its own per-address limit when it trusts this app.
                headers = {"X-Forwarded-For": address}
                if settings.security.rest_token:
                    headers["Authorization"] = f"Bearer {settings.security.rest_token}"
                response = await client.post(
                    f"{settings.limits.rasa_url}/webhooks/rest/webhook",
                    json={"sender": sender, "message": body.message},
                    headers=headers,
                )
                response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("rasa unavailable", extra={"error": type(exc).__name__})
            # Without Rasa the triage rules still run here: a red flag gets its advice and the emergency number.
            return JSONResponse(
                {"error": unavailable_reply(body.message, contact).text, "sender": sender, "new_session": not known},
                status_code=503,
            )
        return JSONResponse({"sender": sender, "new_session": not known, "messages": response.json()})

    return chat
