"""What a patient is told to do about a red flag, and where to get help: wording only, standard library only.

Kept apart from `bot.compose` (which needs the corpus schema) so that the Rasa process can use it too: when
the action server cannot answer, the connectors in `channels/` still run the triage rules and reply with
these words (channels/bounded.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.triage import Alert, assess, is_urgent
from replies import Alert as AlertBlock
from replies import Disclaimer, Reply

if TYPE_CHECKING:
    from bot.config import ClinicSettings


@dataclass(frozen=True)
class Contact:
    """How patients reach help, from settings."""

    clinic_name: str
    clinic_phone: str
    emergency_number: str

    @classmethod
    def of(cls, clinic: ClinicSettings) -> "Contact":
        """The contact the clinic's settings give."""
        return cls(clinic.clinic_name, clinic.clinic_phone, clinic.emergency_number)

    @property
    def clinic(self) -> str:
        return f"{self.clinic_name} on {self.clinic_phone}" if self.clinic_phone else self.clinic_name


def alert_notice(contact: Contact) -> str:
    """The line that closes every urgent reply."""
    return f"I'm an automated assistant and can't examine you. In an emergency call {contact.emergency_number}."


def alert_text(alert: Alert, contact: Contact) -> str:
    """What to do now, plainly, with no retrieved advice (without the closing notice)."""
    why = f"This matters because {alert.reason}."
    if alert.urgency == "emergency":
        return (
            f"This could be an emergency. Call {contact.emergency_number} now, or go to the nearest emergency department. "
            f"Please don't wait for an online answer. {why} "
            f"When you are safe, let {contact.clinic} know."
        )
    return (
        f"Please contact {contact.clinic} now, not tomorrow. If you can't reach them within a few minutes, "
        f"go to urgent care or the emergency department. {why} "
        f"If things get worse, or you have trouble breathing, call {contact.emergency_number}."
    )


def alert_reply(alert: Alert, contact: Contact) -> Reply:
    """What to do now about a red flag, plainly, with no retrieved advice, and the closing notice."""
    return Reply((AlertBlock(alert_text(alert, contact), alert.urgency), Disclaimer(alert_notice(contact))))


def check_note(alert: Alert, contact: Contact) -> str:
    """The line added to a normal answer for a `clinic_soon` flag."""
    return f"Please also book a check with {contact.clinic}: {alert.reason}."


def trouble_reply(contact: Contact) -> Reply:
    """What a patient is told when the assistant cannot answer right now (a server down or too slow)."""
    return Reply.say(
        "Sorry, I'm having trouble answering right now. Please try again in a few minutes, or contact "
        f"{contact.clinic} directly. If this is an emergency, call {contact.emergency_number} now."
    )


def urgent_reply(text: str, contact: Contact) -> Reply | None:
    """The red-flag advice and emergency notice when the triage rules find a red flag in `text`, else None.

    For replies made without the action server (it is down, or the patient is over a rate limit): the rules
    are the last line that does not depend on it."""
    alert = assess(text)
    return alert_reply(alert, contact) if is_urgent(alert) else None


def unavailable_reply(text: str, contact: Contact) -> Reply:
    """The reply when the assistant cannot answer `text`: red-flag advice if it holds one, else "trouble"."""
    return urgent_reply(text, contact) or trouble_reply(contact)


def slow_down_reply(text: str, contact: Contact) -> Reply:
    """The reply to a patient over a rate limit: red-flag advice if `text` holds one, else "wait a minute"."""
    return urgent_reply(text, contact) or Reply.say(
        "You're sending messages faster than I can answer them. Please wait a minute, then send your "
        f"question again. If this is an emergency, call {contact.emergency_number} now."
    )
