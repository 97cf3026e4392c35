"""Slack: Rasa 3.6's connector (it already verifies X-Slack-Signature with the signing secret and refuses
to start without one), with an optional Web API base URL (`api_url`) for a test stub or a relay.

credentials.yml:

    channels.slack.SlackInput:
      slack_token: "xoxb-..."
      slack_signing_secret: "..."
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint
from slack_sdk.web.async_client import AsyncWebClient

from channels.bounded import bounded, limit_request_size

DEFAULT_API_URL = "https://www.slack.com/api/"


class SlackInput(RasaSlackInput):
    """Rasa's Slack input channel; replies go to `api_url` (Slack's Web API unless configured)."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SlackInput":
        channel = super().from_credentials(credentials)
        channel.api_url = (credentials or {}).get("api_url") or DEFAULT_API_URL
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return limit_request_size(super().blueprint(bounded(on_new_message)))

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        output = SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)
        base_url = getattr(self, "api_url", DEFAULT_API_URL)
        if not base_url.endswith("/"):
            base_url += "/"
        output.client = AsyncWebClient(self.slack_token, base_url=base_url, proxy=self.proxy)
        return output
