"""Scrubbing contact details from stored questions (store/privacy.py), on ordinary and adversarial text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guards import finishes
from store.privacy import _EMAIL, _PHONE, scrub

WORDS = st.sampled_from(
    ["my", "lips", "are", "swollen", "after", "filler", "call", "me", "on", "email", "at", "2", "weeks"]
)
FILLER = st.lists(WORDS, min_size=0, max_size=30).map(" ".join)
EMAILS = st.from_regex(r"[a-z][a-z0-9._+-]{0,20}@[a-z][a-z0-9-]{0,10}(\.[a-z]{2,6}){1,2}", fullmatch=True)
PHONES = st.from_regex(r"\+?[1-9][0-9]{2}[ .-]?[0-9]{3}[ .-]?[0-9]{4}", fullmatch=True)


@given(FILLER, st.one_of(EMAILS, PHONES), FILLER)
@settings(max_examples=300, deadline=None)
def test_contact_details_never_survive(before, contact, after):
    scrubbed = scrub(f"{before} {contact} {after}")
    assert contact not in scrubbed
    assert not _EMAIL.search(scrubbed) and not _PHONE.search(scrubbed)


@given(FILLER, EMAILS, st.integers(min_value=0, max_value=40))
@settings(max_examples=200, deadline=None)
def test_an_address_across_the_cut_is_replaced_not_kept_in_part(before, email, shift):
    # Cut inside the address: the stored text may end in the placeholder, never in half an address.
    limit = len(before) + 1 + min(shift, len(email) - 1)
    scrubbed = scrub(f"{before} {email} and more", limit)
    assert len(scrubbed) <= limit
    local = email.split("@")[0]
    assert not (len(local) > 3 and local in scrubbed)


def test_ordinary_questions_are_left_alone():
    assert (
        scrub("can I run 2 hours after botox, it's been 24 hours")
        == "can I run 2 hours after botox, it's been 24 hours"
    )
    assert scrub("write to jane.doe+clinic@mail.example.com please") == "write to [email] please"


def test_long_text_without_an_at_sign_is_scrubbed_in_linear_time():
    # 100 KB of one word took 18 s: the address pattern rescanned the word from every letter.
    assert finishes(scrub, "a" * 100_000) == "a" * 100_000
    assert finishes(scrub, "a" * 100_000 + "@") == "a" * 100_000 + "@"
    assert finishes(scrub, ("a." * 50_000) + "@x").endswith("@x")
    assert finishes(scrub, "a" * 100_000, 2000) == "a" * 2000
