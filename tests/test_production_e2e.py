"""The production channel configuration (credentials.production.yml) end to end: the REST channel answers only
callers with the REST token, and the web app's relay still works because it sends it."""

from __future__ import annotations

import os

import pytest
import requests

from stack import MODEL, ROOT, Stack, free_port

pytestmark = pytest.mark.e2e

TOKEN = "rest-token-for-the-production-test-0123456789"


@pytest.fixture(scope="module")
def stack(built_index, tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained Rasa model at {MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("production")
    running = Stack(rasa_port=free_port(), action_port=free_port(), web_port=free_port(), workdir=workdir,
                    credentials=ROOT / "credentials.production.yml",
                    env={"AFTERCARE_INDEX_DIR": os.environ["AFTERCARE_INDEX_DIR"], "AFTERCARE_REST_TOKEN": TOKEN,
                         "DATABASE_URL": f"sqlite:///{workdir / 'aftercare.db'}"})
    running.start(timeout=600)
    yield running
    running.stop()


def post(stack, headers: dict) -> requests.Response:
    return requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", headers=headers, timeout=60,
                         json={"sender": "prod-test", "message": "can I fly after filler?"})


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-the-token"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}], ids=["none", "wrong", "no-scheme", "basic"])
def test_rest_without_the_token_is_refused(stack, headers):
    response = post(stack, headers)
    assert response.status_code == 401 and "AFTERCARE_REST_TOKEN" in response.json()["error"]


def test_rest_with_the_token_and_the_web_relay_are_answered(stack):
    response = post(stack, {"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and any("custom" in m for m in response.json())
    relayed = requests.post(f"{stack.web_url}/api/chat", json={"sender": "web-test", "message": "can I fly after filler?"},
                            timeout=60)
    assert relayed.status_code == 200 and relayed.json()["messages"]
