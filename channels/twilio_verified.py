"""Twilio (SMS and WhatsApp) with request signature verification.

Rasa 3.6's Twilio connector accepts any POST to its webhook, so anyone who knows the URL could make the
bot text any phone number from the clinic's account. This connector checks X-Twilio-Signature (an
HMAC-SHA1 of the URL Twilio called and the form fields, keyed with the account's auth token) and answers
403 before the message reaches Rasa when it is missing or wrong.

credentials.yml:

    channels.twilio_verified.TwilioVerifiedInput:
      account_sid: "AC..."
      auth_token: "..."
      twilio_number: "+15550100"          # SMS sender when the inbound "To" is not known
      webhook_url: "https://bot.clinic.example/webhooks/twilio/webhook"   # behind a proxy: the public URL

Replies go out from the number the patient wrote to (the inbound "To"), so one webhook serves an SMS
number and a WhatsApp sender ("whatsapp:+1...") alike.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioOutput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator

from channels.bounded import bounded, limit_request_size
from replies import Reply, plain

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"


class TwilioTextOutput(TwilioOutput):
    """Rasa's Twilio output for messages not rendered by the action (domain responses, form
    questions): rendered as the action renders its replies (replies.plain.sms), one SMS per 1,600
    characters rather than one per paragraph, and buttons as the words
    to reply with rather than Rasa's "1: Yes (/affirm)" lines, which show payloads to patients."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for body in plain.sms(Reply.say(text)):
            await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": body})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: Any, **kwargs: Any) -> None:
        titles = [str(b.get("title")) for b in buttons or [] if isinstance(b, dict) and b.get("title")]
        if titles:
            text = f"{text}\n\nYou can reply: " + " / ".join(titles)
        await self.send_text_message(recipient_id, text)


class _BaseUrlHttpClient(TwilioHttpClient):
    """Sends Twilio REST calls to another base URL (a test stub or a relay); the path stays Twilio's."""

    def __init__(self, api_url: Text) -> None:
        super().__init__()
        self.api_url = api_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any):  # type: ignore[override]
        parts = urlsplit(url)
        target = self.api_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().request(method, target, *args, **kwargs)


class TwilioVerifiedInput(InputChannel):
    """Twilio input channel that only accepts requests signed by Twilio."""

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("account_sid"),
            credentials.get("auth_token"),
            credentials.get("twilio_number"),
            credentials.get("webhook_url"),
            credentials.get("api_url"),
        )

    def __init__(
        self,
        account_sid: Optional[Text],
        auth_token: Optional[Text],
        twilio_number: Optional[Text],
        webhook_url: Optional[Text] = None,
        api_url: Optional[Text] = None,
    ) -> None:
        if not auth_token:
            # Without the token no signature can be checked; refuse to start rather than run open.
            raise InvalidConfigException(
                "channels.twilio_verified.TwilioVerifiedInput needs `auth_token` (Twilio console > Account "
                "> API keys & tokens > Auth token) to verify X-Twilio-Signature."
            )
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.twilio_number = twilio_number
        self.webhook_url = webhook_url or None
        self.api_url = api_url or None
        self.validator = RequestValidator(auth_token)

    def signed_url(self, request: Request) -> Text:
        """The URL Twilio signed: the configured public webhook URL (behind a proxy or TLS terminator
        the URL this server sees differs), else the URL of the request as received."""
        if not self.webhook_url:
            return request.url
        if request.query_string and "?" not in self.webhook_url:
            return f"{self.webhook_url}?{request.query_string}"
        return self.webhook_url

    def is_signed_by_twilio(self, request: Request) -> bool:
        """Whether X-Twilio-Signature matches the URL and form fields under our auth token."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return False
        try:
            return bool(self.validator.validate(self.signed_url(request), request.form, signature))
        except Exception:  # a malformed request is an unsigned one
            logger.warning("twilio.signature.check_failed", exc_info=True)
            return False

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio_webhook = limit_request_size(Blueprint("twilio_verified_webhook", __name__))
        on_new_message = bounded(on_new_message)

        @twilio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.is_signed_by_twilio(request):
                logger.warning("twilio.request.rejected: missing or invalid %s", SIGNATURE_HEADER)
                return response.text("Forbidden: missing or invalid X-Twilio-Signature", status=403)
            sender = request.form.get("From")
            if not sender:
                return response.text("", status=204)
            # A media-only message has an empty body; the assistant asks for a question then.
            text = (request.form.get("Body") or "").replace("¡", "@")  # carriers corrupt "@" to "¡"
            out_channel = self.get_output_channel(request.form.get("To"))
            try:
                await on_new_message(
                    UserMessage(
                        text, out_channel, sender, input_channel=self.name(), metadata=self.get_metadata(request)
                    )
                )
            except Exception:
                # Twilio does not retry; log without the message or number and answer normally.
                logger.exception("twilio.message.failed")
            return response.text("", status=204)

        return twilio_webhook

    def get_output_channel(self, from_number: Optional[Text] = None) -> OutputChannel:
        """Replies from the number the patient wrote to (SMS or whatsapp:), else the configured one."""
        output = TwilioTextOutput(self.account_sid, self.auth_token, from_number or self.twilio_number)
        if self.api_url:
            output.http_client = _BaseUrlHttpClient(self.api_url)
        return output
