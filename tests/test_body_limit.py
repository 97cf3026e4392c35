"""The web app's request-body cap (web/body_limit.py), declared and chunked, on a tiny ASGI app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from web.body_limit import BodyLimit


def echo_app(limit: int) -> TestClient:
    app = FastAPI()
    app.add_middleware(BodyLimit, max_bytes=limit)

    @app.post("/echo")
    async def echo(request: Request) -> dict:
        return {"bytes": len(await request.body())}

    return TestClient(app)


def test_bodies_up_to_the_cap_pass_whole():
    client = echo_app(1000)
    assert client.post("/echo", content=b"x" * 1000).json() == {"bytes": 1000}


def test_declared_oversize_is_refused_before_the_route():
    response = echo_app(1000).post("/echo", content=b"x" * 1001)
    assert response.status_code == 413 and "at most 1,000 bytes" in response.json()["error"]


def test_chunked_oversize_is_refused_while_reading():
    def chunks():
        for _ in range(20):
            yield b"x" * 100

    client = echo_app(1000)
    response = client.post("/echo", content=chunks())  # no Content-Length: sent chunked
    assert response.status_code == 413
    small = client.post("/echo", content=iter([b"a" * 300, b"b" * 300]))
    assert small.json() == {"bytes": 600}


def test_a_non_numeric_length_is_a_clear_400():
    response = echo_app(1000).post("/echo", content=b"{}", headers={"Content-Length": "lots"})
    assert response.status_code == 400
