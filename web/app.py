"""Web app: serves the chat page and relays its messages to Rasa's REST channel."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError

from bot.config import Settings
from bot.logs import configure_logging

STATIC = Path(__file__).parent / "static"
MAX_MESSAGE_CHARS = 5000
# The page loads nothing from other hosts: patients' conversations stay between them and the clinic.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

SETTINGS = Settings.from_env()
configure_logging(SETTINGS.log_level)
log = logging.getLogger("aftercare.web")
app = FastAPI(title="Aftercare assistant", docs_url=None, redoc_url=None)
app.mount("/static", StaticFiles(directory=STATIC), name="static")


class ChatRequest(BaseModel):
    sender: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
    message: str = Field(max_length=MAX_MESSAGE_CHARS)


@app.middleware("http")
async def security_headers(request: Request, call_next):
    response = await call_next(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@app.get("/")
async def index() -> FileResponse:
    return FileResponse(STATIC / "index.html")


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@app.post("/api/chat")
async def chat(request: Request) -> JSONResponse:
    """Relay one message to Rasa and return its replies; errors come back as a clear message."""
    try:
        body = ChatRequest.model_validate(await request.json())
    except (ValueError, ValidationError):
        return JSONResponse(
            {"error": f"Send JSON with a 'sender' id and a 'message' of at most {MAX_MESSAGE_CHARS} characters."},
            status_code=400,
        )
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(f"{SETTINGS.rasa_url}/webhooks/rest/webhook", json=body.model_dump())
            response.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("rasa unavailable", extra={"error": type(exc).__name__})
        return JSONResponse(
            {"error": "The assistant is not available right now. Please try again shortly, or call the clinic."},
            status_code=503,
        )
    return JSONResponse({"messages": response.json()})
