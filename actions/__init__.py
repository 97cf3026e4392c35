"""Rasa custom actions (rasa-sdk): thin adapters over the `bot` library."""
