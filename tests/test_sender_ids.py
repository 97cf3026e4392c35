"""Conversation ids and web session ids (bot/sender_ids.py): namespaced, keyed, unforgeable."""

from __future__ import annotations

import pytest

from bot import sender_ids as ids

KEY, OTHER_KEY = b"k" * 64, b"o" * 64


def test_conversation_ids_are_namespaced_keyed_hashes():
    sms = ids.conversation_id(KEY, "twilio", "+15550100177")
    assert sms.startswith("sms:") and "15550100177" not in sms and len(sms.split(":")[1]) == 64
    assert ids.conversation_id(KEY, "twilio", "whatsapp:+15550100177").startswith("whatsapp:")
    assert ids.conversation_id(KEY, "twilio", "+15550100177") == sms  # stable: the conversation continues
    # The same raw id on another channel, or under another key, is another conversation.
    assert ids.conversation_id(KEY, "rest", "+15550100177") != sms
    assert ids.conversation_id(OTHER_KEY, "twilio", "+15550100177") != sms
    assert {ids.conversation_id(KEY, c, "1").split(":")[0] for c in ids.CHANNEL_PREFIXES} == {
        "sms",
        "telegram",
        "slack",
        "messenger",
        "web",
        "rest",
    }


def test_web_session_ids_are_issued_and_signed_by_the_server():
    issued = ids.issue_web_session(KEY)
    assert ids.web_session_valid(KEY, issued) and issued != ids.issue_web_session(KEY)
    nonce, signature = issued.split(".")
    assert not ids.web_session_valid(OTHER_KEY, issued)
    assert not ids.web_session_valid(KEY, f"{nonce}.{'0' * 32}")
    assert not ids.web_session_valid(KEY, f"{'a' * 32}.{signature}")


@pytest.mark.parametrize("forged", [None, "", 5, ["x"], "0" * 32, "x" * 65, "A" * 32 + "." + "B" * 32])
def test_anything_else_is_not_a_web_session(forged):
    assert not ids.web_session_valid(KEY, forged)
