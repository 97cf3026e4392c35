"""Rasa's calls to the action server carry a bearer token, so that the action server answers Rasa only.

The action server's `/webhook` runs whatever action it is asked for with whatever tracker it is sent: the
slots (a remembered treatment, a handoff's contact answers) and the sender id come from the caller. Without
a token, anything that could reach its port could file tickets in a patient's name or read composed answers
for any conversation. Rasa 3.6 can send fixed headers (`headers:` in endpoints.yml), but then the token
would sit in every endpoints file; here it is derived from the key file both servers read
(`AFTERCARE_ACTION_SECRET_FILE`, bot/secret_file.py) and added to the action endpoint when Rasa makes its
remote actions.
"""

from __future__ import annotations

from typing import Any


def install(token: str) -> None:
    """Make every remote action of this Rasa process send `Authorization: Bearer <token>` (idempotent)."""
    import rasa.core.actions.action as rasa_action

    remote = rasa_action.RemoteAction
    original = getattr(remote.__init__, "without_token", remote.__init__)

    def with_token(self: Any, name: str, action_endpoint: Any) -> None:
        original(self, name, action_endpoint)
        if action_endpoint is not None:
            # One EndpointConfig serves every remote action; its headers go with each request.
            action_endpoint.headers = {**(action_endpoint.headers or {}), "Authorization": f"Bearer {token}"}

    with_token.without_token = original  # type: ignore[attr-defined]
    remote.__init__ = with_token
