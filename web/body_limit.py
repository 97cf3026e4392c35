"""A cap on HTTP request bodies for the web app (ASGI middleware): 413 above it, before any route reads it.

uvicorn and Starlette accept bodies of any size; the console's forms and the chat relay need a few KB.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

Message = dict[str, Any]
ASGIApp = Callable[[dict, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class BodyLimit:
    """Refuses request bodies over `max_bytes`: by Content-Length at once, else while reading a chunked body."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[Message]], send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                await self._refuse(send, 400, "Content-Length is not a number.")
                return
            if too_large:
                await self._refuse(send, 413, self._message())
                return
            await self.app(scope, receive, send)
            return
        # No length given (chunked): read the body here, at most max_bytes, then hand it on.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(send, 413, self._message())
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _message(self) -> str:
        return f"The request is too large (at most {self.max_bytes:,} bytes)."

    @staticmethod
    async def _refuse(send: Callable, status: int, error: str) -> None:
        data = json.dumps({"error": error}).encode("utf-8")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})
