"""Key files and the bearer tokens derived from them (bot/secret_file.py)."""

from __future__ import annotations

import pytest

from bot.secret_file import (
    ACTION_WEBHOOK,
    SecretError,
    action_webhook_token,
    bearer_given,
    bearer_matches,
    derived_token,
    load_secret,
)


def test_bearer_header_is_read_strictly():
    assert bearer_given("Bearer abc") == "abc"
    assert bearer_given("  bearer   abc  ") == "abc"
    for header in (None, "", "Bearer", "Bearer   ", "Basic abc", "abc"):
        assert bearer_given(header) is None


def test_bearer_matches_only_the_token_and_never_an_empty_one():
    assert bearer_matches("Bearer s3cret", "s3cret")
    assert not bearer_matches("Bearer s3cre", "s3cret")
    assert not bearer_matches("Basic s3cret", "s3cret")
    assert not bearer_matches("Bearer ", "")
    assert not bearer_matches(None, "")


def test_derived_tokens_differ_by_key_and_purpose():
    a, b = b"a" * 32, b"b" * 32
    assert derived_token(a, ACTION_WEBHOOK) == derived_token(a, ACTION_WEBHOOK)
    assert len({derived_token(a, ACTION_WEBHOOK), derived_token(b, ACTION_WEBHOOK), derived_token(a, "other")}) == 3


def test_action_token_file_is_made_only_at_its_default_path(tmp_path):
    default = tmp_path / "action-secret"
    token = action_webhook_token(default, default)
    assert default.stat().st_mode & 0o777 == 0o600
    assert token == derived_token(load_secret(default), ACTION_WEBHOOK) == action_webhook_token(default, default)
    with pytest.raises(SecretError, match="AFTERCARE_ACTION_SECRET_FILE"):
        action_webhook_token(tmp_path / "configured", default)
    short = tmp_path / "short"
    short.write_text("x")
    with pytest.raises(SecretError, match="at least 32"):
        action_webhook_token(short, default)


def test_a_key_copied_from_the_deploy_template_is_refused(tmp_path):
    copied = tmp_path / "sender-secret"
    copied.write_text("REPLACE-with-at-least-32-random-bytes-hex")  # 41 bytes: long enough, but public
    with pytest.raises(SecretError, match="placeholder"):
        load_secret(copied, create=False)


def test_a_key_that_cannot_be_made_is_a_clear_error_not_a_traceback(tmp_path):
    not_a_folder = tmp_path / "var"
    not_a_folder.write_text("a file where the key's folder should be")
    with pytest.raises(SecretError, match="could not be created"):
        load_secret(not_a_folder / "action-secret", create=True)


def test_tokens_copied_from_the_deploy_template_are_refused():
    from bot.config import Settings

    for name in ("AFTERCARE_REST_TOKEN", "AFTERCARE_RELOAD_TOKEN"):
        with pytest.raises(ValueError, match="placeholder"):
            Settings.from_env({name: "REPLACE-with-a-generated-token"})
