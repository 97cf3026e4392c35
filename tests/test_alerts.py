"""Replies made without the action server (bot/alerts.py): red flags first, then "trouble" or "wait"."""

from __future__ import annotations

from bot.alerts import Contact, slow_down_text, unavailable_reply, urgent_reply

CONTACT = Contact("Demo Clinic", "555-0100", "911")
EMERGENCY = "i had lip filler an hour ago and now my throat feels tight and i can't breathe properly"


def test_a_red_flag_gets_its_advice_and_the_emergency_number():
    reply = urgent_reply(EMERGENCY, CONTACT)
    assert reply is not None and "911" in reply
    assert unavailable_reply(EMERGENCY, CONTACT) == reply


def test_without_a_red_flag_the_patient_hears_trouble_or_wait_and_still_the_emergency_number():
    assert urgent_reply("can I fly after filler?", CONTACT) is None
    trouble = unavailable_reply("can I fly after filler?", CONTACT)
    assert "having trouble" in trouble and "Demo Clinic on 555-0100" in trouble and "911" in trouble
    assert "wait a minute" in slow_down_text(CONTACT) and "911" in slow_down_text(CONTACT)


def test_contact_comes_from_settings():
    from bot.config import Settings

    settings = Settings.from_env({}, clinic_name="Demo Clinic", clinic_phone="555-0100", emergency_number="112")
    assert Contact.of(settings) == Contact("Demo Clinic", "555-0100", "112")
