"""Handing a patient to a person: a form for name, contact and consent, then a ticket for the front desk.

Every message typed into the form is triaged first (a patient may describe an emergency instead of
giving a name), and the patient can cancel at any point; either ends the form without a ticket.

The answers never stay in Rasa's conversation events: the slots hold only GIVEN, the real name and contact
wait in the store's pending_handoffs row of this sender (deleted when the ticket is filed or the form ends),
and Rasa's tracker store writes what was typed into the form as "[removed]" (channels/private_tracker.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import records, runtime
from actions.conversation import is_cancel, last_patient_question, transcript
from actions.guard import sent_urgent_reply
from actions.output import say
from replies import Button

log = logging.getLogger("aftercare.actions.handoff")

FORM_SLOTS = ("patient_name", "patient_contact", "contact_consent")
GIVEN = "given"  # what the name and contact slots hold: the form only needs to know they were answered
_NAME = re.compile(r"^[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+[^\W\d_][^\W\d_.'’-]*)*\.?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")


def valid_name(text: str) -> str | None:
    """A person's name as typed (1-6 words of letters), else None."""
    text = " ".join(text.split())
    if not 1 <= len(text) <= 80 or len(text.split()) > 6 or not _NAME.match(text):
        return None
    return text


# RFC 5321: an address is at most 254 characters; a phone number with spaces and brackets fits in 40.
MAX_CONTACT_CHARS = 254


def valid_contact(text: str) -> str | None:
    """A phone number (7-15 digits) or an email address, normalised, else None."""
    text = text.strip()
    if len(text) > MAX_CONTACT_CHARS:  # checked first: the patterns below backtrack on long text
        return None
    if _EMAIL.match(text):
        return text.lower()
    if _PHONE_CHARS.match(text):
        digits = re.sub(r"\D", "", text)
        if 7 <= len(digits) <= 15:
            return ("+" if text.startswith("+") else "") + digits
    return None


def sender_key(tracker: Tracker) -> str:
    """The key of this conversation in the store: a hash, so the store never holds a raw sender id."""
    return hashlib.sha256(f"aftercare-sender:{tracker.sender_id}".encode()).hexdigest()


async def _forget(tracker: Tracker) -> None:
    """Delete the form answers held for this conversation; a storage failure is logged, never raised."""
    try:
        await asyncio.to_thread(records.store().drop_handoff, sender_key(tracker))
    except Exception:
        log.exception("pending handoff not deleted")


def _stop(reason: str) -> list[EventType]:
    """End the form early: forget what was typed into it and record why, so no ticket is filed."""
    return [*(SlotSet(s, None) for s in FORM_SLOTS), SlotSet("handoff_stopped", reason),
            SlotSet("requested_slot", None), ActiveLoop(None)]  # fmt: skip


class ActionStartHandoff(Action):
    """Triage the request first (it may describe an emergency), then start the handoff form."""

    def name(self) -> str:
        return "action_start_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if await sent_urgent_reply(dispatcher, tracker):
            return []
        if await self.told_of_open_ticket(dispatcher, tracker):
            return []
        return [SlotSet("handoff_stopped", None), FollowupAction("handoff_form")]

    @staticmethod
    async def told_of_open_ticket(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        """One open ticket per sender: when the clinic has this conversation's request already, say so."""
        try:
            ticket = await asyncio.to_thread(records.store().open_ticket, sender_key(tracker))
        except Exception:  # the patient can still ask; a second ticket is better than none
            log.exception("open ticket not checked")
            return False
        if ticket is None:
            return False
        assistant = runtime.current()
        say(
            dispatcher,
            tracker,
            f"The clinic team already has your request (reference #{ticket}) and will contact you "
            f"{assistant.settings.clinic.handoff_response_time}. If anything gets worse before then, call "
            f"{assistant.contact.clinic}, or {assistant.contact.emergency_number} in an emergency.",
        )
        log.info("handoff refused: ticket open", extra={"ticket": ticket})
        return True


class ValidateHandoffForm(FormValidationAction):
    """Checks each answer in the handoff form; a red flag or a cancel ends the form."""

    def name(self) -> str:
        return "validate_handoff_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if tracker.get_slot("requested_slot") is None:  # just activated: nothing typed into the form yet
            return await super().run(dispatcher, tracker, domain)
        if await sent_urgent_reply(dispatcher, tracker):
            await _forget(tracker)
            return _stop("urgent")
        if (intent == "cancel" and text.startswith("/")) or is_cancel(text):
            await _forget(tracker)
            say(
                dispatcher,
                tracker,
                "Okay, I've cancelled that. Nothing was sent to the clinic. What else can I help you with?",
            )
            return _stop("cancelled")
        if tracker.get_slot("requested_slot") == "contact_consent" and tracker.get_slot("contact_consent") is None:
            say(dispatcher, tracker, "Please answer yes or no, or cancel.")
            return [SlotSet("contact_consent", None)]
        return await super().run(dispatcher, tracker, domain)

    async def validate_patient_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        name = valid_name(str(value or ""))
        if name is None:
            say(dispatcher, tracker, "Sorry, that doesn't look like a name. What name should the clinic ask for?")
            return {"patient_name": None}
        return {"patient_name": await _hold(dispatcher, tracker, name=name)}

    async def validate_patient_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        contact = valid_contact(str(value or ""))
        if contact is None:
            say(
                dispatcher,
                tracker,
                "Sorry, I need a phone number (digits, for example +1 555 010 0199) or an email address.",
            )
            return {"patient_contact": None}
        return {"patient_contact": await _hold(dispatcher, tracker, contact=contact)}


async def _hold(dispatcher: CollectingDispatcher, tracker: Tracker, **answer: str) -> str | None:
    """Keep a form answer in the store; GIVEN for the slot, or None (asked again) when it could not be kept."""
    try:
        await asyncio.to_thread(records.store().hold_handoff, sender_key(tracker), **answer)
    except Exception:
        log.exception("handoff answer not kept")
        say(
            dispatcher,
            tracker,
            f"Sorry, I couldn't note that just now. Please try again, or call {runtime.current().contact.clinic}.",
        )
        return None
    return GIVEN


class ActionSubmitHandoff(Action):
    """File the ticket with the conversation so far, or close the form quietly if it was stopped."""

    def name(self) -> str:
        return "action_submit_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reset = [*(SlotSet(s, None) for s in FORM_SLOTS), SlotSet("handoff_stopped", None)]
        if tracker.get_slot("handoff_stopped"):
            await _forget(tracker)
            return reset
        settings = runtime.current().settings
        contact = runtime.current().contact
        if not tracker.get_slot("contact_consent"):
            await _forget(tracker)
            say(
                dispatcher,
                tracker,
                f"No problem, the clinic won't contact you. You can call {contact.clinic} yourself at any time.",
            )
            return reset
        key = sender_key(tracker)
        try:
            name, how = await asyncio.to_thread(records.store().pending_handoff, key)
            if not name or not how:  # held too long (PENDING_HANDOFF_TTL), or the store was unreachable then
                log.warning("handoff answers missing")
                say(
                    dispatcher,
                    tracker,
                    "Sorry, I no longer have the details you gave (they are kept only for a short time). "
                    f"Please ask again to talk to the clinic, or call {contact.clinic}.",
                )
                return reset
            ticket = await asyncio.to_thread(
                records.store().create_ticket,
                name=name, contact=how, consent=True, sender_key=key,
                question=last_patient_question(tracker), transcript=transcript(tracker),
            )  # fmt: skip
        except Exception:  # the patient must hear that it failed, never believe someone will call
            log.exception("handoff ticket not stored")
            say(dispatcher, tracker, f"Sorry, I couldn't pass this on just now. Please call {contact.clinic} directly.")
            return reset
        log.info("handoff ticket stored", extra={"ticket": ticket})
        by = "email" if "@" in how else "phone"
        # No name in the reply: it would be stored in the conversation events, which keep no form answers.
        say(
            dispatcher,
            tracker,
            f"Thank you. I've passed your question to the clinic team (reference #{ticket}). "
            f"They will contact you by {by} {settings.clinic.handoff_response_time}. "
            f"If anything gets worse before then, call {contact.clinic}, or {contact.emergency_number} in an emergency.",
        )
        return reset


CANCEL_BUTTON = Button("Cancel", "/cancel")


class ActionAskPatientName(Action):
    """The form's first question."""

    def name(self) -> str:
        return "action_ask_patient_name"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        say(
            dispatcher,
            tracker,
            f"I'll pass your question to the team at {runtime.current().contact.clinic_name} so someone can "
            "contact you. What name should they ask for? (You can cancel at any time.)",
            buttons=[CANCEL_BUTTON],
        )
        return []


class ActionAskPatientContact(Action):
    """The form's second question."""

    def name(self) -> str:
        return "action_ask_patient_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        say(dispatcher, tracker, "Thanks. What phone number or email address should they use?", buttons=[CANCEL_BUTTON])
        return []


class ActionAskContactConsent(Action):
    """The form's last question: consent to be contacted with those details."""

    def name(self) -> str:
        return "action_ask_contact_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        say(
            dispatcher,
            tracker,
            "Do you agree to the clinic contacting you about your question using those details?",
            buttons=[Button("Yes, contact me", "/affirm"), Button("No", "/deny"), CANCEL_BUTTON],
        )
        return []
