"""Facebook Messenger: Rasa 3.6's connector answers a request with a bad signature "not validated" with
status 200 and compares signatures in a way that leaks timing. This one answers 403, compares in
constant time, prefers X-Hub-Signature-256 (SHA-256) and accepts X-Hub-Signature (SHA-1), and can send
to another Graph API base URL (`graph_url`, for a test stub or a relay).

credentials.yml:

    channels.facebook.FacebookInput:
      verify: "the verify token you typed in the Meta app's webhook settings"
      secret: "the Meta app's App secret"
      page-access-token: "the Page access token"
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from fbmessenger import MessengerClient
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import Messenger, MessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.bounded import bounded, limit_request_size

logger = logging.getLogger(__name__)

# Meta signs the raw body with the app secret; SHA-256 first (the current header), SHA-1 for older apps.
_SIGNATURES = (("X-Hub-Signature-256", "sha256", hashlib.sha256), ("X-Hub-Signature", "sha1", hashlib.sha1))


class FacebookInput(RasaFacebookInput):
    """Messenger input channel with strict signature checks and a configurable Graph API URL."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "FacebookInput":
        channel = super().from_credentials(credentials)
        channel.graph_url = ((credentials or {}).get("graph_url") or "").rstrip("/") or None
        return channel

    def _client(self) -> MessengerClient:
        client = MessengerClient(self.fb_access_token)
        if getattr(self, "graph_url", None):
            client.graph_url = self.graph_url
        return client

    @staticmethod
    def is_signed(app_secret: Text, body: bytes, headers: Any) -> bool:
        """Check X-Hub-Signature-256 when sent, else X-Hub-Signature, against the app secret."""
        for header, prefix, algorithm in _SIGNATURES:
            given = headers.get(header)
            if given:
                expected = f"{prefix}={hmac.new(app_secret.encode('utf-8'), body, algorithm).hexdigest()}"
                return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))
        return False

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        fb_webhook = limit_request_size(Blueprint("fb_verified_webhook", __name__))
        on_new_message = bounded(on_new_message)

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            # Meta's subscription handshake: echo the challenge when the verify token matches.
            if self.fb_verify and request.args.get("hub.verify_token") == self.fb_verify:
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("facebook.verify_token.mismatch")
            return response.text("failure, invalid token", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.fb_secret or not self.is_signed(self.fb_secret, request.body, request.headers):
                logger.warning("facebook.request.rejected: missing or invalid X-Hub-Signature")
                return response.text("Forbidden: missing or invalid X-Hub-Signature", status=403)
            payload = request.json
            entries = payload.get("entry") if isinstance(payload, dict) else None
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                return response.text("Bad request: not a Messenger event", status=400)
            # Entries without "messaging" (e.g. standby events for another app) carry nothing for us.
            payload = {**payload, "entry": [e for e in entries if isinstance(e.get("messaging"), list)]}
            messenger = Messenger(self.fb_access_token, on_new_message)
            messenger.client = self._client()
            try:
                await messenger.handle(payload, self.get_metadata(request))
            except Exception:
                # Meta retries failed deliveries for hours; log (no message text) and acknowledge.
                logger.exception("facebook.message.failed")
            return response.text("success")

        return fb_webhook

    def get_output_channel(self) -> OutputChannel:
        return MessengerBot(self._client())
