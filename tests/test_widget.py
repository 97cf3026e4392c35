"""The chat widget in real Chromium, on the demo clinic page, talking to the real Rasa and action servers
over socket.io. Screenshots go to var/screenshots/."""

from __future__ import annotations

import html
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from browser import chromium, offsite, record_requests, screenshot  # noqa: F401  (chromium is a fixture)
from stack import free_port

pytestmark = pytest.mark.e2e

REPLY_MS = 90_000  # a reply on a busy machine; the wait ends as soon as it arrives
LAUNCHER = "Aftercare questions"  # the demo page's data-title
ACTIVE = """() => {
  const host = document.getElementById('aftercare-widget');
  const el = document.activeElement === host ? host.shadowRoot.activeElement : null;
  return el ? {id: el.id, cls: el.className, text: el.textContent, tag: el.tagName} : null;
}"""


@pytest.fixture
def context(chromium):  # noqa: F811
    """A fresh browser profile per test: empty storage, its own dialogs."""
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


def open_widget(page, url):
    page.goto(url)
    page.get_by_role("button", name=LAUNCHER).click()
    expect(page.get_by_role("dialog", name=LAUNCHER)).to_be_visible()
    return page.get_by_label("Your question")


def bot_messages(page):
    return page.locator(".log .msg.bot")


def ask(page, text):
    """Send a message the way a patient does and return the assistant's reply to it."""
    before = bot_messages(page).count()
    field = page.get_by_label("Your question")
    field.fill(text)
    field.press("Enter")
    reply = bot_messages(page).nth(before)
    reply.wait_for(timeout=REPLY_MS)
    return reply


def test_answer_is_cited_with_working_links_and_nothing_leaves_the_machine(stack, context):
    # The clinicians' pages are on the reserved .example domain: answer the new tab locally.
    context.route("https://demo-clinic.example/**", lambda route: route.fulfill(body="clinician"))
    page = context.new_page()
    requests = record_requests(page)
    page.goto(f"{stack.web_url}/")
    assert "fictional" in page.locator(".demo-banner").inner_text()
    open_widget(page, f"{stack.web_url}/")
    reply = ask(page, "can I go to the gym after botox?")

    expect(reply.locator(".matched")).to_contain_text("How long after Botox can I work out or go to the gym?")
    quotes, sources = reply.locator(".quotes li"), reply.locator(".sources li")
    assert quotes.count() >= 2 and sources.count() == quotes.count()
    for i in range(quotes.count()):
        expect(quotes.nth(i).locator("a.cite")).to_have_text(f"[{i + 1}]")
    links = reply.locator(".sources a")
    assert links.count() == sources.count()
    for i in range(links.count()):
        link = links.nth(i)
        assert link.get_attribute("href").startswith("https://demo-clinic.example/clinicians/")
        assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel").split()
    disclaimer = reply.locator(".disclaimer")
    expect(disclaimer).to_contain_text("not a diagnosis")
    expect(disclaimer).to_contain_text("911")
    assert reply.locator(".quotes .disclaimer").count() == 0  # set apart, not mixed into the quotes
    # The split text messages of the turn are not shown twice next to the rich reply.
    assert reply.inner_text().count("How long after Botox can I work out") == 1 and "Sources:" not in reply.inner_text()

    # A citation number takes you to its source.
    quotes.nth(1).locator("a.cite").click()
    assert page.evaluate(ACTIVE)["id"].endswith("-src-2")
    # A source link opens the clinician's page in a new tab that cannot reach back into ours.
    href = links.first.get_attribute("href")
    with context.expect_page() as opened:
        links.first.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == href and tab.evaluate("window.opener") is None
    tab.close()
    screenshot(page, "widget-answer")

    assert any(u.startswith("ws://127.0.0.1:") for u in requests), requests  # it did talk to Rasa
    assert offsite(requests) == [], offsite(requests)


def test_clarification_button_completes_the_question(stack, context):
    page = context.new_page()
    open_widget(page, f"{stack.web_url}/")
    asked = ask(page, "can I work out after my injections?")
    filler = asked.get_by_role("button", name="Dermal filler")
    expect(filler).to_be_visible()
    filler.click()
    # The button's title is shown as the patient's message, never its payload.
    expect(page.locator(".log .msg.user").last).to_have_text("Dermal filler")
    answer = bot_messages(page).nth(1)
    answer.wait_for(timeout=REPLY_MS)
    expect(answer.locator(".matched")).to_contain_text("When can I exercise after getting dermal filler?")
    expect(filler).to_be_disabled()  # an old question's buttons don't send again
    assert "/ask_aftercare" not in page.locator(".log").inner_text()
    screenshot(page, "widget-clarified")


def test_conversation_survives_a_reload(stack, context):
    page = context.new_page()
    open_widget(page, f"{stack.web_url}/")
    ask(page, "I had juvederm in my lips this morning, how long will they be swollen?")
    before = page.locator(".log").inner_text()
    stored = page.evaluate("() => Object.entries(localStorage).filter(([k]) => k.startsWith('aftercare-widget:'))")
    session = json.loads(stored[0][1])["sessionId"]
    assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{32}", session)  # issued and signed by the server

    page.reload()
    # The panel reopens by itself, with the whole conversation.
    expect(page.get_by_role("dialog", name=LAUNCHER)).to_be_visible()
    expect(page.locator(".log .answer .matched")).to_contain_text("How long will my lips stay swollen")
    assert page.locator(".log").inner_text() == before
    # And Rasa still knows the conversation: the follow-up needs the treatment from before the reload.
    follow_up = ask(page, "and when can I go back to the gym?")
    expect(follow_up.locator(".matched")).to_contain_text("When can I exercise after getting dermal filler?")
    screenshot(page, "widget-after-reload")


def test_a_session_id_the_server_did_not_issue_is_replaced(stack, context):
    """A stored id someone else wrote (another patient's, or made up) does not join that conversation: the
    widget asks for it, the server issues its own, and the widget keeps and uses that one."""
    page = context.new_page()
    open_widget(page, f"{stack.web_url}/")
    find = "() => Object.keys(localStorage).find(k => k.startsWith('aftercare-widget:')) || null"
    page.wait_for_function(find, timeout=REPLY_MS)  # saved once the server confirmed a session
    stored_key = page.evaluate(find)
    forged = "0123456789abcdef0123456789abcdef"
    page.evaluate(
        """([k, id]) => localStorage.setItem(k, JSON.stringify(
      {sessionId: id, entries: [], updated: Date.now()}))""",
        [stored_key, forged],
    )
    page.reload()
    expect(page.get_by_role("dialog", name=LAUNCHER)).to_be_visible()
    ask(page, "can I fly after filler?")
    session = json.loads(page.evaluate("(k) => localStorage.getItem(k)", stored_key))["sessionId"]
    assert session != forged and re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{32}", session)


XSS = ["<img src=x onerror=alert(1)>", "<script>alert(2)</script>"]


def test_html_in_messages_is_shown_as_text(stack, context):
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_widget(page, f"{stack.web_url}/")
    for payload in XSS:
        ask(page, payload)
        expect(page.locator(".log .msg.user").last).to_have_text(payload)
    assert page.locator(".log img, .log script").count() == 0
    assert dialogs == []
    screenshot(page, "widget-xss")


# What a compromised or buggy server could send: HTML everywhere and a javascript: link.
BOLD = "<b onclick=alert(4)>b</b>"
HOSTILE = [
    {"text": "<img src=x onerror=alert(3)>", "quick_replies": [{"title": BOLD, "payload": "/x"}]},
    {
        "custom": {
            "type": "answer",
            "question": "<img src=x onerror=alert(5)>",
            "summary": "<b>bold</b>",
            "quotes": [{"n": 1, "text": "<script>alert(6)</script>", "answer_id": "t#0"}],
            "citations": [
                {
                    "n": 1,
                    "name": "<img src=x onerror=alert(7)>",
                    "credentials": "",
                    "specialty": "",
                    "location": "",
                    "url": "javascript:alert(8)",
                    "answer_id": "t#0",
                }
            ],  # fmt: skip
            "buttons": [],
            "disclaimer": "<a href='javascript:alert(9)'>x</a>",
            "demo": False,
            "urgency": None,
        }
    },
]


def fake_rasa(ws):
    """Speak just enough Engine.IO/Socket.IO to connect the widget, then answer with HOSTILE."""
    handshake = {"sid": "fake", "upgrades": [], "pingInterval": 25000, "pingTimeout": 60000, "maxPayload": 10**6}
    ws.send("0" + json.dumps(handshake))

    def on_message(message):
        if message.startswith("40"):
            ws.send('40{"sid":"fake-socket"}')
        elif message.startswith('42["session_request"'):
            ws.send('42["session_confirm","fake-session"]')
        elif message.startswith('42["user_uttered"'):
            for m in HOSTILE:
                ws.send("42" + json.dumps(["bot_uttered", m]))

    ws.on_message(on_message)


def test_hostile_bot_messages_are_shown_as_text(stack, context):
    context.route_web_socket(re.compile(r"/socket\.io/"), fake_rasa)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_widget(page, f"{stack.web_url}/")
    reply = ask(page, "hello")
    expect(reply).to_contain_text("<img src=x onerror=alert(3)>")  # text the payload does not cover is kept
    expect(reply.locator(".matched")).to_contain_text("<img src=x onerror=alert(5)>")
    expect(reply.locator(".quotes")).to_contain_text("<script>alert(6)</script>")
    expect(reply.locator(".sources li")).to_contain_text("<img src=x onerror=alert(7)>")
    assert reply.locator(".sources a").count() == 0  # a javascript: URL never becomes a link
    expect(reply.get_by_role("button", name=BOLD)).to_be_visible()
    assert page.locator(".log img, .log script, .log b, .log a[href^='javascript']").count() == 0
    reply.get_by_role("button", name=BOLD).click()
    assert dialogs == []


def test_whole_flow_by_keyboard(stack, context):
    page = context.new_page()
    page.goto(f"{stack.web_url}/")
    expect(page.get_by_role("button", name=LAUNCHER)).to_be_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if active and "launcher" in active["cls"]:
            break
    else:
        pytest.fail("Tab never reached the widget's launcher")
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name=LAUNCHER)
    expect(panel).to_be_visible()
    assert page.evaluate(ACTIVE)["id"] == "aw-input"  # focus goes where you type
    assert page.locator(".log").get_attribute("aria-live") == "polite"
    assert page.get_by_role("button", name=LAUNCHER).get_attribute("aria-expanded") == "true"

    page.keyboard.type("can I work out after my injections?")
    page.keyboard.press("Enter")
    bot_messages(page).first.get_by_role("button", name="Dermal filler").wait_for(timeout=REPLY_MS)
    for _ in range(10):  # the suggested replies sit just before the input
        page.keyboard.press("Shift+Tab")
        if (page.evaluate(ACTIVE) or {}).get("text") == "Dermal filler":
            break
    else:
        pytest.fail("Shift+Tab from the input never reached the suggested replies")
    page.keyboard.press("Enter")
    answer = bot_messages(page).nth(1)
    answer.wait_for(timeout=REPLY_MS)
    expect(answer.locator(".matched")).to_contain_text("dermal filler")
    assert page.evaluate(ACTIVE)["id"] == "aw-input"  # back to typing after choosing

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert "launcher" in page.evaluate(ACTIVE)["cls"]  # focus returns to what opened the panel
    screenshot(page, "widget-keyboard")


def test_emergency_is_unmistakable_with_tap_to_call(stack, context):
    page = context.new_page()
    open_widget(page, f"{stack.web_url}/")
    reply = ask(page, "my throat is closing up after filler")
    expect(reply).to_have_class(re.compile(r"\burgent\b"))
    expect(reply.locator(".urgent-heading")).to_contain_text("emergency")
    call = reply.locator("a.call-primary")
    expect(call).to_have_text("Call 911")
    assert call.get_attribute("href") == "tel:911"
    colour, width = reply.evaluate("e => [getComputedStyle(e).borderTopColor, getComputedStyle(e).borderTopWidth]")
    assert colour == "rgb(179, 38, 30)" and float(width.rstrip("px")) >= 3
    assert reply.locator(".quotes").count() == 0  # no retrieved advice in an emergency
    screenshot(page, "widget-emergency")


def test_connection_drop_is_shown_and_nothing_is_lost(stack, context):
    down = {"on": False}

    def relay(ws):
        if down["on"]:
            ws.close()
        else:
            ws.connect_to_server()
            sockets.append(ws)

    sockets: list = []
    context.route_web_socket(re.compile(r"/socket\.io/"), relay)
    # While "down", the HTTP long-polling fallback fails too.
    context.route(re.compile(r"/socket\.io/"), lambda route: route.abort() if down["on"] else route.continue_())
    page = context.new_page()
    open_widget(page, f"{stack.web_url}/")
    ask(page, "can I go to the gym after botox?")

    down["on"] = True
    sockets[-1].close()
    status = page.locator(".connection")
    expect(status).to_contain_text("Connection lost", timeout=30_000)
    screenshot(page, "widget-connection-lost")
    # A question typed while offline waits, visibly, and goes out once the connection is back.
    field = page.get_by_label("Your question")
    field.fill("can I fly after filler?")
    field.press("Enter")
    expect(page.locator(".log .msg.user").last).to_have_text("can I fly after filler?")
    down["on"] = False
    expect(status).to_contain_text("Reconnected", timeout=60_000)
    reply = bot_messages(page).nth(1)
    reply.wait_for(timeout=REPLY_MS)
    expect(reply.locator(".matched")).to_contain_text("fly")


def _rgb(css):
    return [int(v) for v in re.findall(r"\d+", css)[:3]]


def _contrast(a, b):
    def lum(rgb):
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


BRAND_COLOURS = [
    ("#ffd700", "rgb(255, 215, 0)"),
    ("#777777", "rgb(119, 119, 119)"),
    ("#f5f5f5", "rgb(245, 245, 245)"),
    ("#000", "rgb(0, 0, 0)"),
    ("hotpink", "rgb(255, 105, 180)"),
    ("rgb(0, 128, 255)", "rgb(0, 128, 255)"),
    ("nonsense", "rgb(31, 95, 139)"),  # not a colour: the default
]


@pytest.fixture(scope="module")
def clinic_site(stack):
    """A clinic's own website on another origin: a page that embeds the widget in the colour it is asked for."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            colour = html.escape(parse_qs(urlsplit(self.path).query).get("colour", [""])[0])
            body = (
                "<!doctype html><title>Another clinic</title><h1>Another clinic</h1>"
                f'<script src="{stack.web_url}/widget.js" data-title="Chat" data-color="{colour}" async></script>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_port}/"
    server.shutdown()


@pytest.mark.parametrize("colour,background", BRAND_COLOURS, ids=[c for c, _ in BRAND_COLOURS])
def test_any_brand_colour_gets_readable_text(clinic_site, context, colour, background):
    page = context.new_page()
    page.goto(f"{clinic_site}?{urlencode({'colour': colour})}")
    launcher = page.get_by_role("button", name="Chat")
    expect(launcher).to_be_visible()
    shown, text = launcher.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
    assert shown == background  # the clinic's colour, so the stylesheet came from the widget's host
    assert _contrast(_rgb(background), _rgb(text)) >= 4.5, (colour, background, text)
    accent = page.locator("#aftercare-widget").evaluate("e => getComputedStyle(e).getPropertyValue('--aw-accent')")
    accent_rgb = [int(accent.strip()[i : i + 2], 16) for i in (1, 3, 5)]
    assert _contrast(accent_rgb, [255, 255, 255]) >= 4.5, (colour, accent)  # links and focus rings on white


def test_phone_sized_screen_and_reduced_motion(stack, chromium):  # noqa: F811
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    ctx = chromium.new_context(**phone, reduced_motion="reduce")
    try:
        page = ctx.new_page()
        field = open_widget(page, f"{stack.web_url}/")
        box = page.get_by_role("dialog", name=LAUNCHER).bounding_box()
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)  # the whole screen
        field_box = field.bounding_box()
        assert field_box["y"] + field_box["height"] <= 844 and field_box["width"] > 200
        expect(page.get_by_role("button", name=LAUNCHER)).to_be_hidden()  # the panel's own Close takes over
        assert page.locator(".dot").first.evaluate("e => getComputedStyle(e).animationName") == "none"
        screenshot(page, "widget-phone")
        page.get_by_role("button", name="Close chat").click()
        expect(page.get_by_role("button", name=LAUNCHER)).to_be_visible()
    finally:
        ctx.close()


def test_new_chat_ends_the_old_conversation_on_the_server(stack, context):
    import sqlite3
    import time

    page = context.new_page()
    open_widget(page, f"{stack.web_url}/")
    ask(page, "I had juvederm in my lips this morning, how long will they be swollen?")
    stored = page.evaluate("() => Object.entries(localStorage).filter(([k]) => k.startsWith('aftercare-widget:'))")
    old = json.loads(stored[0][1])["sessionId"]
    page.get_by_role("button", name="Start a new conversation (clears this one from this browser)").click()
    ask(page, "can I fly after filler?")  # the new conversation works

    def restarted() -> bool:
        with sqlite3.connect(stack.workdir / "tracker.db") as db:
            return bool(
                db.execute(
                    "SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'restart'",
                    (stack.conversation_id("socketio", old),),
                ).fetchone()[0]
            )

    deadline = time.monotonic() + 30
    while not restarted() and time.monotonic() < deadline:
        time.sleep(0.5)
    # Rasa restarted the old conversation: its slots (the remembered treatment) are gone server-side.
    assert restarted()
    new = json.loads(
        page.evaluate("() => Object.entries(localStorage).filter(([k]) => k.startsWith('aftercare-widget:'))")[0][1]
    )["sessionId"]
    assert new and new != old
