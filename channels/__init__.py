"""Rasa connectors used by the aftercare assistant's Rasa server (Python 3.10, .venv-rasa).

They subclass Rasa 3.6's own connectors and keep their names, so webhook URLs stay Rasa's usual
`/webhooks/<name>/webhook`. It runs inside the Rasa process (Python 3.10), so of `bot/` it imports only
`bot.config`, which uses the standard library alone.

- bounded.RestInput / bounded.SocketIOInput: Rasa's REST and socket.io channels. Every connector here
  passes messages through `bounded.bounded()`, so a message over AFTERCARE_MAX_MESSAGE_CHARS gets a reply
  asking for a shorter question and never reaches NLU; request bodies are capped too.

- twilio_verified.TwilioVerifiedInput: SMS and WhatsApp, rejects requests without a valid
  X-Twilio-Signature (403) before anything is processed.
- telegram.TelegramInput: checks Telegram's secret-token header, starts even when Telegram cannot be
  reached, optional API server URL.
- slack.SlackInput / facebook.FacebookInput: optional API base URL; Messenger rejects bad signatures
  with 403.
"""
