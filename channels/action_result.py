"""Rasa checks each action server reply against its schema with a validator made once, not on every call.

Rasa 3.6 validates every reply with `jsonschema.validate(result, schema)`, which first checks the schema
itself against its meta-schema: under load that check was half of the Rasa process's time (py-spy,
`make run` at 14 messages/s; issue 12), for a schema that never changes. Here the validator is made once;
each reply is still checked against the same schema and an invalid one raises the same `ValidationError`
with Rasa's message.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Make this Rasa process validate action replies with one prepared validator (idempotent)."""
    import rasa.core.actions.action as rasa_action
    from jsonschema import exceptions, validators

    remote = rasa_action.RemoteAction
    if getattr(remote._validate_action_result, "prepared", False):
        return
    full = remote._validate_action_result
    spec = remote.action_response_format_spec()
    validator = validators.validator_for(spec)(spec)
    validators.validator_for(spec).check_schema(spec)  # once: what jsonschema.validate did on every call

    def validate_prepared(self: Any, result: dict[str, Any]) -> bool:
        error = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        return full(self, result)  # Rasa's own path: the same error, with Rasa's explanation added

    validate_prepared.prepared = True  # type: ignore[attr-defined]
    remote._validate_action_result = validate_prepared
