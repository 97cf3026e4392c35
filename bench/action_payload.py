"""Bytes Rasa sends the action server per turn, with Rasa's full events and with slim ones
(AFTERCARE_ACTION_EVENTS, channels/action_payload.py). Prints numbers; asserts nothing.

A recording endpoint stands in for the action server, so only Rasa's side is measured; the same
six-turn conversation is sent to a Rasa server started once per setting.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from stack import MODEL, free_port, rasa_server, server_env, shared_key_files  # noqa: E402

TURNS = [
    "can I drink wine after botox?",
    "and the gym?",
    "how long does swelling last after lip filler?",
    "and flying?",
    "is bruising normal after filler?",
    "thanks",
]
# What the stand-in replies: about as long as a cited answer with its buttons.
REPLY = json.dumps(
    {
        "events": [],
        "responses": [
            {"text": "Clinicians say... " * 60, "buttons": [{"title": "Was this helpful?", "payload": "/feedback"}] * 2}
        ],
    }
).encode()


def recording_endpoint() -> tuple[HTTPServer, list[int]]:
    sizes: list[int] = []

    class Record(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            sizes.append(len(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(REPLY)))
            self.end_headers()
            self.wfile.write(REPLY)

        def log_message(self, *_: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", free_port()), Record)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, sizes


def payload_sizes(setting: str) -> list[int]:
    endpoint, sizes = recording_endpoint()
    work = Path(tempfile.mkdtemp())
    endpoints = work / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{endpoint.server_port}/webhook"\n')
    port = free_port()
    rasa = rasa_server(
        port,
        MODEL,
        endpoints,
        ROOT / "credentials.yml",
        server_env({"AFTERCARE_ACTION_EVENTS": setting, **shared_key_files({}, work)}),
        work / "rasa.log",
    )
    rasa.start()
    try:
        while not rasa.healthy():
            if rasa.exited():
                raise SystemExit(f"rasa failed:\n{rasa.log_tail()}")
            time.sleep(0.5)
        for text in TURNS:
            requests.post(
                f"http://127.0.0.1:{port}/webhooks/rest/webhook", json={"sender": "bench", "message": text}, timeout=60
            ).raise_for_status()
        return list(sizes)
    finally:
        rasa.stop()
        endpoint.shutdown()


def main() -> None:
    full, slim = payload_sizes("full"), payload_sizes("slim")
    print("bytes per action call, in the order of the calls (one or more per turn)")
    print(f"{'full':<6}", " ".join(f"{n:>7,}" for n in full))
    print(f"{'slim':<6}", " ".join(f"{n:>7,}" for n in slim))
    print(f"last call slim/full {slim[-1] / full[-1]:.2f}, total {sum(slim) / sum(full):.2f}")


if __name__ == "__main__":
    main()
