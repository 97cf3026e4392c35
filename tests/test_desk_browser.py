"""The front desk console in real Chromium against the real servers (action server, Rasa, web app on free
ports): sign in, search and copy a reply; claim and resolve a ticket a patient filed by chatting through
Rasa; write and publish an answer to a question the bot could not answer, then get it from the bot.

Screenshots: var/screenshots/desk-*.png."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from browser import chromium, offsite, record_requests, screenshot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e

USERS = {"maria": ("staff", "maria front desk 1"), "boss": ("admin", "boss front desk 1")}
UNCOVERED = "will my pdo threads set off the metal detector at the airport?"
NEW_ANSWER = (
    "PDO threads dissolve and contain no metal, so they will not set off an airport metal detector. "
    "(Demo answer for a fictional clinician.)"
)
WAIT = 60_000  # ms: the first console request loads the embedding model in the web app


@pytest.fixture(scope="module")
def live(editable_stack):
    """The editable stack (tests/conftest.py), with two console users created with `bot user add`."""
    from conftest import run_cli

    env = editable_stack.env
    for name, (role, password) in USERS.items():
        made = run_cli("user", "add", name, "--role", role, "--password-stdin", stdin=password + "\n", env=env)
        assert made.returncode == 0, made.stderr
    return editable_stack.stack, editable_stack.corpus_dir, env


@pytest.fixture
def store(live):
    from store import Store

    opened = Store.open(live[2]["DATABASE_URL"])
    yield opened
    opened.close()


def say(stack, sender: str, message: str) -> list[dict]:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=120
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()


def custom(messages) -> dict:
    return next((m["custom"] for m in messages if "custom" in m), {})


def signed_in_page(browser, stack, username: str):
    """A fresh browser context (own cookies, clipboard allowed) signed in as `username`."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(WAIT)
    page.goto(f"{stack.web_url}/desk")
    assert "/desk/signin" in page.url  # no session: the console sends us to sign in
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', USERS[username][1])
    page.click('button:has-text("Sign in")')
    page.wait_for_url(re.compile(r"/desk/search"))
    return context, page


def test_sign_in_search_and_copy_a_reply(chromium, live):  # noqa: F811
    from playwright.sync_api import expect

    stack = live[0]
    context, page = signed_in_page(chromium, stack, "maria")
    requests_seen = record_requests(page)
    try:
        page.fill('input[name="q"]', "can I go to the gym after botox?")
        page.press('input[name="q"]', "Enter")
        first = page.locator("li.result").first
        expect(first).to_have_attribute("data-thread", "botox-exercise")
        expect(first.locator(".score")).to_contain_text("score 0.")
        first.locator("summary", has_text="answer(s)").click()
        expect(first.locator("blockquote").first).to_be_visible()
        first.locator('button:has-text("Copy reply")').click()
        expect(first.locator("button.copy")).to_have_text("Copied")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith('Closest question on file: "How long after Botox can I work out')
        assert "Sources:" in copied and "[1]" in copied and "not a diagnosis" in copied and "911" in copied
        screenshot(page, "desk-search-copied")

        # A red flag is shown before any stored answer.
        page.fill('input[name="q"]', "my lips went white and blotchy right after filler and it really hurts")
        page.select_option('select[name="treatment"]', "filler")
        page.press('input[name="q"]', "Enter")
        triage = page.locator("#triage")
        expect(triage).to_be_visible()
        box = triage.bounding_box()
        results = page.locator("ol.results")
        if results.count():
            assert box["y"] < results.bounding_box()["y"]
        screenshot(page, "desk-search-red-flag")
        assert offsite(requests_seen) == []
    finally:
        context.close()


def test_claim_and_resolve_a_ticket_from_a_real_chat(chromium, live, store):  # noqa: F811
    from playwright.sync_api import expect

    stack = live[0]
    context, page = signed_in_page(chromium, stack, "maria")
    try:
        page.goto(f"{stack.web_url}/desk/tickets")
        expect(page.locator("#ticket-list")).to_be_visible()

        # A patient asks for a person through Rasa, while the queue is open in the browser.
        sender = uuid.uuid4().hex
        say(stack, sender, "can I drink wine after botox?")
        say(stack, sender, "can I talk to a real person?")
        say(stack, sender, "Rosa Delgado")
        say(stack, sender, "rosa.delgado@example.com")
        done = "\n".join(m.get("text", "") for m in say(stack, sender, "/affirm"))
        assert "reference #" in done and "Rosa Delgado" not in done  # no form answer in stored bot replies

        item = page.locator("#ticket-list li", has_text="Rosa Delgado")
        expect(item).to_be_visible()  # appears without a reload (the page polls)
        expect(item.locator(".status")).to_have_text("new")
        item.locator("button").click()
        expect(page.locator("#t-contact")).to_have_text("rosa.delgado@example.com")
        expect(page.locator("#t-question")).to_have_text("can I drink wine after botox?")
        expect(page.locator("#t-transcript")).to_contain_text("can I talk to a real person?")

        page.click("#t-claim")
        expect(page.locator("#t-status")).to_have_text("claimed")
        expect(page.locator("#t-assignee")).to_have_text("maria")
        page.fill('#t-note-form textarea[name="text"]', "Emailed Rosa the clinicians' answer on alcohol.")
        page.click('#t-note-form button:has-text("Add note")')
        expect(page.locator("#t-notes")).to_contain_text("Emailed Rosa")
        screenshot(page, "desk-ticket-claimed")
        page.click("#t-resolve")
        expect(page.locator("#t-status")).to_have_text("resolved")
        expect(item).to_have_count(0)  # gone from the open queue at the next refresh
        ticket = next(t for t in store.tickets() if t.name == "Rosa Delgado")
        assert (ticket.status, ticket.assignee) == ("resolved", "maria")
        assert ticket.notes[-1].text == "Emailed Rosa the clinicians' answer on alcohol."
    finally:
        context.close()


def test_write_and_publish_an_answer_then_the_bot_serves_it(chromium, live, store):  # noqa: F811
    from playwright.sync_api import expect

    stack, corpus_dir, _ = live
    from bot.corpus import load_corpus

    assert not any("metal detector" in t.question.lower() for t in load_corpus(corpus_dir).threads)  # not on file yet
    before = custom(say(stack, uuid.uuid4().hex, UNCOVERED))
    assert before.get("type") == "fallback", before  # no answer on file: the action files it for the desk

    staff_context, staff = signed_in_page(chromium, stack, "maria")
    admin_context, admin = signed_in_page(chromium, stack, "boss")
    try:
        staff.goto(f"{stack.web_url}/desk/unanswered")
        row = staff.locator("tr.group", has_text="metal detector")
        expect(row.locator(".count")).to_have_text(re.compile(r"[1-9]"))
        row.locator('a:has-text("Write an answer")').click()
        expect(staff.locator('input[name="question"]')).to_have_value(UNCOVERED)
        staff.check('input[name="treatments"][value="thread_lift"]')
        staff.fill('textarea[name="body"]', NEW_ANSWER)
        staff.fill('input[name="author_name"]', "Dr. Ink Careful")
        staff.fill('input[name="author_credentials"]', "MD")
        staff.fill('input[name="author_specialty"]', "Dermatologist")
        staff.click('button:has-text("Save draft")')
        staff.wait_for_url(re.compile(r"/desk/drafts/[a-z0-9-]+\?written=1"))
        thread_id = staff.url.split("/desk/drafts/")[1].split("?")[0]
        expect(staff.locator("#thread-status")).to_have_text("draft")
        expect(staff.locator("#publish")).to_have_count(0)  # staff cannot publish
        screenshot(staff, "desk-draft-written")
        assert custom(say(stack, uuid.uuid4().hex, UNCOVERED)).get("thread_id") != thread_id  # drafts are not served

        admin.goto(f"{stack.web_url}/desk/drafts")
        admin.click(f'a[href="/desk/drafts/{thread_id}"]')
        expect(admin.locator("blockquote")).to_contain_text(NEW_ANSWER)
        admin.click("#publish")
        expect(admin.locator("#published-notice")).to_contain_text("The bot serves this answer now.")
        expect(admin.locator("#thread-status")).to_have_text("published")
        screenshot(admin, "desk-draft-published")
    finally:
        staff_context.close()
        admin_context.close()

    reply = say(stack, uuid.uuid4().hex, UNCOVERED)
    payload = custom(reply)
    assert payload.get("thread_id") == thread_id, payload
    text = "\n".join(m.get("text", "") for m in reply)
    assert "contain no metal" in text and "Dr. Ink Careful" in text
    written = (corpus_dir / f"{thread_id}.yml").read_text()
    assert "status: published" in written and "reviewed_by: boss" in written
