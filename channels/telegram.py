"""Telegram, hardened: Rasa 3.6's connector accepts any POST to its webhook (its only check asks Telegram
for the bot's username), and it stops Rasa from starting when Telegram cannot be reached, because it
sets the webhook at start-up.

This connector
- registers the webhook with a `secret_token` and rejects updates whose
  X-Telegram-Bot-Api-Secret-Token header does not match (403), before anything is processed;
- starts even when Telegram is unreachable (it logs a warning; GET /webhooks/telegram/set_webhook
  registers the webhook later), or skips registration with `set_webhook_on_start: false`;
- can talk to another Bot API server (`api_url`, e.g. a self-hosted telegram-bot-api or a test stub).

credentials.yml:

    channels.telegram.TelegramInput:
      access_token: "123456:ABC..."     # from @BotFather
      verify: "aftercare_clinic_bot"   # the bot's username
      webhook_url: "https://bot.clinic.example/webhooks/telegram/webhook"
      secret_token: "long-random-string"
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from aiogram.bot.api import TelegramAPIServer
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request

from channels.bounded import bounded, limit_request_size

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_API_URL = "https://api.telegram.org"


class TelegramBotOutput(TelegramOutput):
    """Rasa's Telegram output, talking to a configurable Bot API server."""

    def __init__(self, access_token: Optional[Text], api_url: Text = DEFAULT_API_URL) -> None:
        # TelegramOutput.__init__ passes only the token; call aiogram's Bot directly with the server too.
        super(TelegramOutput, self).__init__(access_token, server=TelegramAPIServer.from_base(api_url))


class TelegramInput(RasaTelegramInput):
    """Telegram input channel with secret-token verification and an offline-safe start."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            secret_token=credentials.get("secret_token"),
            api_url=credentials.get("api_url") or DEFAULT_API_URL,
            set_webhook_on_start=bool(credentials.get("set_webhook_on_start", True)),
        )

    def __init__(
        self,
        access_token: Optional[Text],
        verify: Optional[Text],
        webhook_url: Optional[Text],
        debug_mode: bool = False,
        secret_token: Optional[Text] = None,
        api_url: Text = DEFAULT_API_URL,
        set_webhook_on_start: bool = True,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        if not secret_token:
            raise InvalidConfigException(
                "channels.telegram.TelegramInput needs `secret_token` (any long random string, 1-256 of "
                "A-Z a-z 0-9 _ -): Telegram sends it with every update and other requests are refused."
            )
        self.secret_token = secret_token
        self.api_url = api_url
        self.set_webhook_on_start = set_webhook_on_start

    async def register_webhook(self) -> bool:
        """Tell Telegram where to send updates, with our secret token; True when Telegram accepted."""
        bot = TelegramBotOutput(self.access_token, self.api_url)
        try:
            # aiogram 2.15 predates `secret_token`; the raw API call carries it.
            return bool(await bot.request("setWebhook", {"url": self.webhook_url, "secret_token": self.secret_token}))
        finally:
            # Only the HTTP session: in aiogram 3 `close()` becomes Telegram's "close" API method.
            await bot.session.close()

    def is_from_telegram(self, request: Request) -> bool:
        """Whether the secret-token header matches (constant-time comparison)."""
        given = request.headers.get(SECRET_HEADER) or ""
        return hmac.compare_digest(given.encode("utf-8"), self.secret_token.encode("utf-8"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = limit_request_size(super().blueprint(bounded(on_new_message)))

        @telegram_webhook.middleware("request")
        async def verify(request: Request) -> Optional[response.HTTPResponse]:
            path = request.path.rstrip("/")
            if path.endswith("/set_webhook"):
                # Rasa's own route would register the webhook without our secret token.
                try:
                    ok = await self.register_webhook()
                except Exception as exc:  # network or API error: say so, don't crash the route
                    logger.warning("telegram.set_webhook.failed: %s", exc)
                    return response.text("Webhook setup failed; see the Rasa log.", status=502)
                return response.text("Webhook setup successful" if ok else "Invalid webhook")
            if path.endswith("/webhook") and request.method == "POST" and not self.is_from_telegram(request):
                logger.warning("telegram.request.rejected: missing or invalid %s", SECRET_HEADER)
                return response.text("Forbidden: missing or invalid secret token", status=403)
            return None

        return telegram_webhook

    def get_output_channel(self) -> TelegramOutput:
        """The output channel; registers the webhook once at start-up without stopping Rasa if
        Telegram cannot be reached."""
        if self.set_webhook_on_start and self.webhook_url and not getattr(self, "_webhook_tried", False):
            self._webhook_tried = True
            try:
                ok = asyncio.run(self.register_webhook())
                logger.info("telegram.set_webhook %s", "ok" if ok else "refused")
            except Exception as exc:
                logger.warning(
                    "telegram.set_webhook.failed: %s. Rasa starts anyway; call /webhooks/telegram/set_webhook "
                    "once Telegram is reachable.",
                    exc,
                )
        # A fresh bot: its HTTP session is created lazily on Sanic's event loop.
        return TelegramBotOutput(self.access_token, self.api_url)
