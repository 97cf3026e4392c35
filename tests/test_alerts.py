"""Replies made without the action server (bot/alerts.py): red flags first, then "trouble" or "wait"."""

from __future__ import annotations

from bot.alerts import Contact, slow_down_reply, unavailable_reply, urgent_reply
from replies import Alert, Disclaimer

CONTACT = Contact("Demo Clinic", "555-0100", "911")
EMERGENCY = "i had lip filler an hour ago and now my throat feels tight and i can't breathe properly"


def test_a_red_flag_gets_its_advice_and_the_emergency_number():
    reply = urgent_reply(EMERGENCY, CONTACT)
    assert reply is not None and "911" in reply.text
    assert [type(b) for b in reply.blocks] == [Alert, Disclaimer] and reply.urgency == "emergency"
    assert unavailable_reply(EMERGENCY, CONTACT) == reply == slow_down_reply(EMERGENCY, CONTACT)


def test_without_a_red_flag_the_patient_hears_trouble_or_wait_and_still_the_emergency_number():
    assert urgent_reply("can I fly after filler?", CONTACT) is None
    trouble = unavailable_reply("can I fly after filler?", CONTACT).text
    assert "having trouble" in trouble and "Demo Clinic on 555-0100" in trouble and "911" in trouble
    wait = slow_down_reply("can I fly after filler?", CONTACT).text
    assert "wait a minute" in wait and "911" in wait


def test_contact_comes_from_settings():
    from bot.config import Settings

    settings = Settings.from_env({}, clinic_name="Demo Clinic", clinic_phone="555-0100", emergency_number="112")
    assert Contact.of(settings.clinic) == Contact("Demo Clinic", "555-0100", "112")
