"""Rasa connectors used by the aftercare assistant's Rasa server (Python 3.10, .venv-rasa).

They subclass Rasa 3.6's own connectors and keep their names, so webhook URLs stay Rasa's usual
`/webhooks/<name>/webhook`. This package must not import `bot/`: it runs inside the Rasa process.

- twilio_verified.TwilioVerifiedInput: SMS and WhatsApp, rejects requests without a valid
  X-Twilio-Signature (403) before anything is processed.
- telegram.TelegramInput: checks Telegram's secret-token header, starts even when Telegram cannot be
  reached, optional API server URL.
- slack.SlackInput / facebook.FacebookInput: optional API base URL; Messenger rejects bad signatures
  with 403.
"""
