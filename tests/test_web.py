"""The web app without a browser: the widget bundle, the demo page's security headers, the relay's errors."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from web import app as web

SETTINGS = Settings.from_env()
DOWN = SETTINGS.with_values(rasa_url="http://127.0.0.1:9")  # nothing listens on the discard port


@pytest.fixture(scope="module")
def client():
    return TestClient(web.create_app(SETTINGS))


def test_widget_bundles_socket_io_and_the_server_settings(client):
    response = client.get("/widget.js")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/javascript")
    assert response.headers["content-encoding"] == "gzip"  # the client asked for it; .text is decoded
    script = response.text
    assert "Socket.IO v4" in script and "sourceMappingURL" not in script  # the library, without a dangling map
    config = json.loads(re.search(r"var SERVER_CONFIG = (\{.*?\});", script).group(1))
    assert config == web.widget_config(SETTINGS) and config["socket_url"] == SETTINGS.limits.rasa_url
    # socket.io-client's UMD wrapper sees our `module` and stays out of the page's globals.
    order = [script.index(part) for part in ("var module = { exports: {} }", "Socket.IO v4", "var io = module.exports")]
    assert order == sorted(order)


def test_widget_revalidates_with_its_etag(client):
    etag = client.get("/widget.js").headers["etag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    plain = client.get("/widget.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers["etag"] == etag and "Socket.IO" in plain.text


def test_config_cannot_break_out_of_the_script():
    settings = Settings.from_env({}, clinic_name="</script><script>alert(1)</script>")
    config = re.search(r"var SERVER_CONFIG = (\{.*?\});", web.widget_script(settings)).group(1)
    assert "<" not in config and json.loads(config)["clinic_name"] == settings.clinic.clinic_name


def test_demo_page_allows_only_itself_and_rasa(client):
    response = client.get("/")
    assert response.status_code == 200 and "fictional" in response.text.lower()
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    local = web.content_security_policy("http://127.0.0.1:5005")
    public = web.content_security_policy("https://bot.example.org")
    assert "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005;" in local
    assert "connect-src 'self' https://bot.example.org wss://bot.example.org;" in public
    # No inline script: every <script> loads from a src on this host.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, flags=re.S)
    assert scripts and all(re.search(r'src="/', attrs) and not body.strip() for attrs, body in scripts)


def test_static_files_and_health(client):
    assert client.get("/static/widget.css").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


def test_relay_rejects_bad_input_with_a_clear_message(client):
    bad = client.post("/api/chat", content="not json")
    assert bad.status_code == 400 and "'message'" in bad.json()["error"]
    too_long = client.post("/api/chat", json={"sender": "web-x", "message": "x" * 5001})
    assert too_long.status_code == 400


EMERGENCY = "i had lip filler an hour ago and now my throat feels tight and i can't breathe properly"


def test_without_rasa_the_relay_still_gives_red_flag_advice_and_the_emergency_number():
    """The relay is the one patient path that does not pass through Rasa's connectors: with Rasa down it
    must still run the triage rules rather than only say "try later"."""
    client = TestClient(web.create_app(DOWN))
    urgent = client.post("/api/chat", json={"message": EMERGENCY})
    assert urgent.status_code == 503
    body = urgent.json()
    assert f"call {SETTINGS.clinic.emergency_number}" in body["error"].lower() and "breath" in body["error"].lower()
    assert body["sender"] and body["new_session"]  # the id to go on with once Rasa is back
    ordinary = client.post("/api/chat", json={"message": "can I fly after filler?", "sender": body["sender"]}).json()
    assert "having trouble" in ordinary["error"] and SETTINGS.clinic.emergency_number in ordinary["error"]
    assert ordinary["sender"] == body["sender"] and not ordinary["new_session"]


def test_the_relay_limits_each_client_address_and_still_answers_a_red_flag():
    client = TestClient(web.create_app(DOWN.with_values(address_messages_per_minute=2)))
    for _ in range(2):
        assert client.post("/api/chat", json={"message": "can I fly after filler?"}).status_code == 503
    limited = client.post("/api/chat", json={"message": "can I fly after filler?"})
    assert limited.status_code == 429 and "faster than I can answer" in limited.json()["messages"][0]["text"]
    urgent = client.post("/api/chat", json={"message": EMERGENCY})
    assert urgent.status_code == 429 and "breath" in urgent.json()["messages"][0]["text"].lower()
