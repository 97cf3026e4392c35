/* Aftercare assistant chat widget.
 *
 * Served by the web app as /widget.js, wrapped in one closure together with socket.io-client (so the
 * clinic's page gets no globals) and SERVER_CONFIG, the server's settings (socket.io URL, clinic phone,
 * emergency number). Embed with:
 *   <script src="https://HOST/widget.js" data-title="Aftercare questions" data-color="#2f6f5e" async></script>
 *
 * Safety: every piece of text is inserted with textContent or createElement, never as HTML, and only
 * http(s) URLs become links. Privacy: nothing is loaded from any host but the widget's own and the
 * assistant's; the conversation is kept in this browser's storage until "New chat" or 12 hours of quiet.
 */
/* global io, SERVER_CONFIG */
(function (io, SERVER) {
  "use strict";

  var HOST_ID = "aftercare-widget";
  if (document.getElementById(HOST_ID)) return; // embedded twice: keep the first

  var MAX_CHARS = SERVER.max_message_chars || 4000; // the server's AFTERCARE_MAX_MESSAGE_CHARS
  var KEEP_MS = 12 * 60 * 60 * 1000; // a conversation quiet for this long is forgotten
  var MAX_ENTRIES = 200;
  var SETTLE_MS = 350; // bot messages this close together belong to one turn
  var NO_REPLY_MS = 60000;
  var DEMO_NOTICE = "Demo content: these answers were written for fictional clinicians to show how the assistant works; they are not real medical advice.";

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var data = (script && script.dataset) || {};
  var base = script && script.src ? new URL(script.src, location.href).origin : location.origin;

  var config = {
    title: (data.title || "Aftercare questions").slice(0, 80),
    color: data.color || "#1f5f8b",
    socketUrl: data.socketUrl || SERVER.socket_url || base,
    socketPath: data.socketPath || SERVER.socket_path || "/socket.io",
    clinicName: SERVER.clinic_name || "the clinic",
    clinicPhone: SERVER.clinic_phone || "",
    emergencyNumber: SERVER.emergency_number || "911",
    storage: pickStorage(data.storage === "session" ? "sessionStorage" : "localStorage")
  };
  var KEY = "aftercare-widget:" + config.socketUrl;

  // ---------- small helpers ----------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function str(value) { return typeof value === "string" ? value : ""; }
  function list(value) { return Array.isArray(value) ? value : []; }

  function pickStorage(name) {
    try {
      var s = window[name];
      s.setItem("aftercare-widget:probe", "1");
      s.removeItem("aftercare-widget:probe");
      return s;
    } catch (e) { // storage disabled (private mode, strict settings): keep the conversation in memory only
      var memory = {};
      return {
        getItem: function (k) { return Object.prototype.hasOwnProperty.call(memory, k) ? memory[k] : null; },
        setItem: function (k, v) { memory[k] = String(v); },
        removeItem: function (k) { delete memory[k]; }
      };
    }
  }

  function safeUrl(value) {
    try {
      var url = new URL(str(value));
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) { return null; }
  }

  function telHref(number) {
    var digits = str(number).replace(/[^0-9+*#]/g, "");
    return digits ? "tel:" + digits : null;
  }

  // ---------- colour: the clinic picks the brand colour, we pick readable text for it ----------

  function parseColor(value) {
    var ctx = document.createElement("canvas").getContext("2d");
    if (!ctx || !value) return null;
    ctx.fillStyle = "#010203";
    ctx.fillStyle = value; // an invalid colour leaves the sentinel in place
    var a = ctx.fillStyle;
    ctx.fillStyle = "#040506";
    ctx.fillStyle = value;
    if (a !== ctx.fillStyle) return null;
    var m = /^#([0-9a-f]{6})$/i.exec(a) || null;
    if (m) return [0, 2, 4].map(function (i) { return parseInt(m[1].substr(i, 2), 16); });
    var rgba = /rgba?\(([^)]+)\)/.exec(a);
    return rgba ? rgba[1].split(",").slice(0, 3).map(function (x) { return Math.round(parseFloat(x)); }) : null;
  }

  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function hex(rgb) {
    return "#" + rgb.map(function (v) { return ("0" + Math.max(0, Math.min(255, v)).toString(16)).slice(-2); }).join("");
  }

  // Brand colour for backgrounds, black or white text on it (whichever contrasts more: always >= 4.5:1),
  // and an accent (the brand darkened until 4.5:1 on white) for links, borders and focus rings.
  function palette(value) {
    var brand = parseColor(value) || parseColor("#1f5f8b");
    var white = [255, 255, 255], black = [0, 0, 0];
    var onBrand = contrast(brand, white) >= contrast(brand, black) ? white : black;
    var accent = brand.slice();
    for (var i = 0; i < 40 && contrast(accent, white) < 4.5; i++) {
      accent = accent.map(function (v) { return Math.floor(v * 0.9); });
    }
    return { brand: hex(brand), onBrand: hex(onBrand), accent: hex(accent) };
  }

  // ---------- stored conversation ----------

  function load() {
    try {
      var saved = JSON.parse(config.storage.getItem(KEY) || "null");
      if (saved && Date.now() - saved.updated < KEEP_MS && Array.isArray(saved.entries)) return saved;
    } catch (e) { /* unreadable: start afresh */ }
    return { sessionId: null, entries: [], updated: Date.now() };
  }

  function save() {
    state.updated = Date.now();
    state.entries = state.entries.slice(-MAX_ENTRIES);
    try { config.storage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* full: keep going in memory */ }
  }

  // Only the fields we render are kept, so stored history holds nothing unexpected.
  function cleanMessage(m) {
    var out = {};
    if (typeof m.text === "string") out.text = m.text;
    var buttons = list(m.quick_replies).concat(list(m.buttons)).filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string";
    }).map(function (b) { return { title: b.title, payload: b.payload }; });
    if (buttons.length) out.buttons = buttons;
    if (m.custom && typeof m.custom === "object") out.custom = m.custom;
    return out;
  }

  // ---------- DOM ----------

  var host = el("div");
  host.id = HOST_ID;
  var root = host.attachShadow({ mode: "open" });
  var colours = palette(config.color);
  host.style.setProperty("--aw-brand", colours.brand);
  host.style.setProperty("--aw-on-brand", colours.onBrand);
  host.style.setProperty("--aw-accent", colours.accent);

  var css = el("link");
  css.rel = "stylesheet";
  css.href = base + "/static/widget.css";
  root.appendChild(css);

  var frame = el("div", "aw");
  frame.hidden = true; // shown once the stylesheet is in, so it never flashes unstyled
  css.addEventListener("load", function () { frame.hidden = false; });
  css.addEventListener("error", function () { frame.hidden = false; });
  root.appendChild(frame);

  var launcher = el("button", "launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "aw-panel");
  launcher.appendChild(icon());
  launcher.appendChild(el("span", "launcher-label", config.title));
  frame.appendChild(launcher);

  var panel = el("section", "panel");
  panel.id = "aw-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", "aw-title");
  frame.appendChild(panel);

  var header = el("div", "header");
  var title = el("h2", "title", config.title);
  title.id = "aw-title";
  var newChat = el("button", "header-button", "New chat");
  newChat.type = "button";
  newChat.setAttribute("aria-label", "Start a new conversation (clears this one from this browser)");
  var close = el("button", "header-button close", "\u00d7");
  close.type = "button";
  close.setAttribute("aria-label", "Close chat");
  header.appendChild(title);
  header.appendChild(newChat);
  header.appendChild(close);
  panel.appendChild(header);

  var intro = el("p", "intro", "Automated assistant: it quotes the clinic's clinicians and does not examine you. In an emergency call ");
  var introCall = el("a", "", config.emergencyNumber);
  var introTel = telHref(config.emergencyNumber);
  if (introTel) introCall.href = introTel;
  intro.appendChild(introCall);
  intro.appendChild(document.createTextNode("."));
  panel.appendChild(intro);

  var connection = el("p", "connection");
  connection.setAttribute("role", "status");
  connection.hidden = true;
  panel.appendChild(connection);

  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  log.setAttribute("aria-label", "Conversation");
  log.tabIndex = 0; // a scrollable region must be reachable by keyboard
  panel.appendChild(log);

  var typing = el("div", "typing");
  typing.hidden = true;
  typing.setAttribute("role", "status");
  var dots = el("span", "dots");
  dots.setAttribute("aria-hidden", "true");
  for (var d = 0; d < 3; d++) dots.appendChild(el("span", "dot"));
  typing.appendChild(dots);
  typing.appendChild(el("span", "visually-hidden", "The assistant is typing"));
  panel.appendChild(typing);

  var form = el("form", "composer");
  form.setAttribute("autocomplete", "off");
  var label = el("label", "visually-hidden", "Your question");
  label.htmlFor = "aw-input";
  var input = el("input", "input");
  input.id = "aw-input";
  input.type = "text";
  input.maxLength = MAX_CHARS;
  input.placeholder = "Type your question";
  input.setAttribute("enterkeyhint", "send");
  var sendButton = el("button", "send", "Send");
  sendButton.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendButton);
  panel.appendChild(form);

  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  // ---------- rendering ----------

  var groupCount = 0;

  function renderEntry(entry) {
    if (entry.role === "user") return el("p", "msg user", entry.text);
    return renderBot(list(entry.messages));
  }

  function renderBot(messages) {
    var rich = null;
    messages.forEach(function (m) { if (m.custom) rich = m.custom; });
    var texts = messages.map(function (m) { return str(m.text); }).filter(Boolean);
    var buttons = [];
    messages.forEach(function (m) { buttons = buttons.concat(list(m.buttons)); });
    if (!buttons.length && rich) buttons = list(rich.buttons).filter(function (b) { return b && str(b.title) && str(b.payload); });
    groupCount += 1;

    var box;
    if (rich && list(rich.quotes).length) {
      box = renderAnswer(rich, texts, "aw-g" + groupCount);
    } else if (rich && rich.type === "urgent") {
      box = renderUrgent(rich, texts);
    } else {
      box = el("div", "msg bot");
      var text = el("p", "text", texts.join("\n\n"));
      if (rich && rich.urgency === "clinic_soon") text.className += " note-warn";
      box.appendChild(text);
    }
    if (buttons.length) box.appendChild(renderButtons(buttons));
    return box;
  }

  // For payloads without blocks: the split text messages of a turn repeat what the rich payload holds.
  function covered(fragment, p) {
    var f = fragment.trim();
    if (!f || /^Sources:/.test(f)) return true;
    if (str(p.question) && f.indexOf(p.question) !== -1) return true;
    if (f === str(p.summary).trim() || f === str(p.disclaimer).trim()) return true;
    if (p.demo && /^Demo content/.test(f)) return true;
    return list(p.quotes).some(function (q) { return str(q.text) && f.indexOf(q.text) !== -1; });
  }

  // The blocks this box renders richly; any other block (a "please also book a check" note, say) is shown as
  // its text, so nothing the bot said is dropped.
  var RICH_BLOCKS = { matchedquestion: 1, summary: 1, quotes: 1, sources: 1, demonote: 1, disclaimer: 1 };

  function notes(p, texts) {
    if (Array.isArray(p.blocks)) {
      return p.blocks.filter(function (b) { return b && !RICH_BLOCKS[b.type] && str(b.text); }).map(function (b) { return b.text; });
    }
    // A payload stored before replies had blocks (a conversation restored from this browser).
    var out = [];
    texts.forEach(function (t) {
      t.split(/\n\s*\n/).forEach(function (part) { if (!covered(part, p)) out.push(part.trim()); });
    });
    return out;
  }

  function renderAnswer(p, texts, id) {
    var box = el("div", "msg bot answer");
    notes(p, texts).forEach(function (text) {
      box.appendChild(el("p", "note" + (p.urgency === "clinic_soon" ? " note-warn" : ""), text));
    });
    if (str(p.question)) {
      var matched = el("p", "matched");
      matched.appendChild(el("span", "matched-label", "Closest question on file"));
      matched.appendChild(el("strong", "", p.question));
      box.appendChild(matched);
    }
    if (str(p.summary)) box.appendChild(el("p", "summary", p.summary));

    var quotes = el("ul", "quotes");
    list(p.quotes).forEach(function (q) {
      var item = el("li");
      item.appendChild(el("blockquote", "", "\u201c" + str(q.text) + "\u201d"));
      var cite = el("a", "cite", "[" + q.n + "]");
      cite.href = "#" + id + "-src-" + q.n;
      cite.setAttribute("aria-label", "Source " + q.n);
      cite.addEventListener("click", function (event) {
        // Links to ids inside the widget's shadow root don't navigate by themselves: move there ourselves.
        event.preventDefault();
        var target = root.getElementById(id + "-src-" + q.n);
        if (target) { target.scrollIntoView({ block: "nearest" }); target.focus(); }
      });
      item.appendChild(document.createTextNode(" "));
      item.appendChild(cite);
      quotes.appendChild(item);
    });
    box.appendChild(quotes);

    var citations = list(p.citations);
    if (citations.length) {
      box.appendChild(el("p", "sources-heading", "Sources"));
      var sources = el("ol", "sources");
      citations.forEach(function (c) {
        var item = el("li");
        item.id = id + "-src-" + c.n;
        item.tabIndex = -1;
        item.value = c.n;
        var who = str(c.name) || "Clinician";
        var rest = [c.credentials, c.specialty, c.location].map(str).filter(Boolean).join(", ");
        var href = safeUrl(c.url);
        if (href) {
          var a = el("a", "", who);
          a.href = href;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          a.appendChild(el("span", "visually-hidden", " (opens in a new tab)"));
          item.appendChild(a);
        } else {
          item.appendChild(document.createTextNode(who));
        }
        if (rest) item.appendChild(document.createTextNode(", " + rest));
        sources.appendChild(item);
      });
      box.appendChild(sources);
    }
    if (p.demo) {
      var demo = list(p.blocks).filter(function (b) { return b && b.type === "demonote"; })[0];
      box.appendChild(el("p", "demo", str(demo && demo.text) || DEMO_NOTICE));
    }
    if (str(p.disclaimer)) {
      var notice = el("p", "disclaimer");
      notice.appendChild(el("span", "disclaimer-label", "Please note: "));
      notice.appendChild(document.createTextNode(p.disclaimer));
      box.appendChild(notice);
    }
    return box;
  }

  function callLink(text, number, primary) {
    var href = telHref(number);
    if (!href) return null;
    var a = el("a", "call" + (primary ? " call-primary" : ""), text);
    a.href = href;
    return a;
  }

  function renderUrgent(p, texts) {
    var box = el("div", "msg bot urgent");
    var emergency = p.urgency === "emergency";
    var heading = el("p", "urgent-heading");
    heading.appendChild(el("span", "urgent-icon", "!"));
    heading.appendChild(document.createTextNode(emergency ? "Urgent: this could be an emergency" : "Urgent: contact your clinic now"));
    box.appendChild(heading);
    box.appendChild(el("p", "text", texts.join("\n\n")));
    var calls = el("div", "calls");
    var clinic = config.clinicPhone ? callLink("Call " + config.clinicName + " (" + config.clinicPhone + ")", config.clinicPhone, !emergency) : null;
    var ambulance = callLink("Call " + config.emergencyNumber, config.emergencyNumber, emergency || !clinic);
    [emergency ? ambulance : clinic, emergency ? clinic : ambulance].forEach(function (a) { if (a) calls.appendChild(a); });
    box.appendChild(calls);
    return box;
  }

  function renderButtons(buttons) {
    var row = el("div", "replies");
    row.setAttribute("role", "group");
    // Feedback buttons come without a question of their own: ask it, so "Not helpful" is not a puzzle.
    var feedback = buttons.every(function (b) { return b.payload.indexOf("/feedback") === 0; });
    if (feedback) row.appendChild(el("span", "replies-label", "Was this helpful?"));
    row.setAttribute("aria-label", feedback ? "Was this helpful?" : "Suggested replies");
    buttons.forEach(function (b) {
      var button = el("button", "reply", b.title);
      button.type = "button";
      button.addEventListener("click", function () {
        send(b.payload, b.title);
        input.focus(); // the clicked button is now disabled: don't leave focus on it
      });
      row.appendChild(button);
    });
    return row;
  }

  function disableReplies() {
    root.querySelectorAll("button.reply").forEach(function (b) { b.disabled = true; });
  }

  // An answer taller than the log is shown from its start; anything else scrolls the log to the end.
  function append(node, scrollToStart) {
    log.appendChild(node);
    var tall = scrollToStart && node.offsetHeight > log.clientHeight - 16;
    log.scrollTop = tall ? Math.max(0, node.offsetTop - 8) : log.scrollHeight;
  }

  function notice(text) {
    append(el("p", "msg system", text));
  }

  function showHint() {
    var hint = el("p", "msg system hint", "Ask an aftercare question, for example: \u201cCan I go to the gym after Botox?\u201d");
    log.appendChild(hint);
  }

  function addEntry(entry) {
    var hint = log.querySelector(".hint");
    if (hint) log.removeChild(hint);
    state.entries.push(entry);
    save();
    append(renderEntry(entry), entry.role === "bot");
  }

  function restore() {
    if (!state.entries.length) showHint();
    state.entries.forEach(function (entry) { log.appendChild(renderEntry(entry)); });
    var last = state.entries[state.entries.length - 1];
    // Only the latest turn's suggested replies still make sense.
    root.querySelectorAll("button.reply").forEach(function (b) { b.disabled = true; });
    if (last && last.role === "bot") log.lastChild.querySelectorAll("button.reply").forEach(function (b) { b.disabled = false; });
  }

  // ---------- connection ----------

  var state = load();
  var socket = null;
  var ready = false; // true between session_confirm and the next disconnect
  var everReady = false;
  var pending = [];
  var endedSession = null; // a conversation "New chat" ended, until the server has been told
  var buffer = [];
  var settleTimer = null;
  var replyTimer = null;

  function showConnection(text, kind) {
    connection.textContent = text;
    connection.className = "connection " + kind;
    connection.hidden = !text;
  }

  function connect() {
    if (socket) return;
    socket = io(config.socketUrl, {
      path: config.socketPath,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelayMax: 10000
    });
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function (id) {
      // The server issues and signs session ids and replaces one it did not issue (channels/bounded.py):
      // always keep and use the id it confirms, never one made here.
      if (typeof id === "string" && id) state.sessionId = id;
      save();
      var wasDown = everReady && !ready;
      ready = everReady = true;
      if (wasDown) {
        showConnection("Reconnected. You can carry on.", "ok");
        setTimeout(function () { if (ready && connection.classList.contains("ok")) showConnection("", ""); }, 6000);
      } else {
        showConnection("", "");
      }
      flushPending();
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("disconnect", function (reason) {
      ready = false;
      if (reason === "io client disconnect") return;
      showConnection("Connection lost. Reconnecting\u2026 Your messages will be sent when it is back.", "lost");
    });
    socket.on("connect_error", function () {
      ready = false;
      showConnection(everReady
        ? "Connection lost. Reconnecting\u2026 Your messages will be sent when it is back."
        : "Can't reach the assistant right now. Retrying\u2026 In an emergency call " + config.emergencyNumber + ".", "lost");
    });
  }

  function endOldSession() {
    if (!endedSession || !socket || !ready) return;
    socket.emit("user_uttered", { message: "/restart", session_id: endedSession });
    endedSession = null;
  }

  function flushPending() {
    endOldSession();
    if (!ready || !pending.length) return;
    while (pending.length) socket.emit("user_uttered", { message: pending.shift(), session_id: state.sessionId });
    setTyping(true);
  }

  function onBotMessage(message) {
    if (!message || typeof message !== "object") return;
    var clean = cleanMessage(message);
    if (!clean.text && !clean.custom && !clean.buttons) return;
    buffer.push(clean);
    clearTimeout(settleTimer);
    // A rich payload closes its turn (it comes after the turn's text); plain text waits to see if more follows.
    if (clean.custom) flushBot();
    else settleTimer = setTimeout(flushBot, SETTLE_MS);
  }

  function flushBot() {
    clearTimeout(settleTimer);
    if (!buffer.length) return;
    var messages = buffer;
    buffer = [];
    setTyping(false);
    addEntry({ role: "bot", messages: messages });
  }

  function setTyping(on) {
    typing.hidden = !on;
    clearTimeout(replyTimer);
    if (on) {
      replyTimer = setTimeout(function () {
        typing.hidden = true;
        if (!ready) return; // the connection banner already says what is going on
        notice("No reply yet. The assistant may be busy: please try again in a moment, or call the clinic.");
      }, NO_REPLY_MS);
    }
  }

  function send(message, shown) {
    var text = str(message).trim();
    if (!text) return;
    disableReplies();
    addEntry({ role: "user", text: (shown || text).slice(0, MAX_CHARS) });
    pending.push(text.slice(0, MAX_CHARS));
    connect();
    setTyping(true);
    flushPending();
  }

  // ---------- behaviour ----------

  function openPanel(focus) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    frame.classList.add("open");
    sessionStorageSet("open", "1");
    connect();
    log.scrollTop = log.scrollHeight;
    if (focus) input.focus();
  }

  function closePanel() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    frame.classList.remove("open");
    sessionStorageSet("open", "");
    launcher.focus();
  }

  function sessionStorageSet(name, value) {
    try { sessionStorage.setItem(KEY + ":" + name, value); } catch (e) { /* not essential */ }
  }

  function sessionStorageGet(name) {
    try { return sessionStorage.getItem(KEY + ":" + name); } catch (e) { return null; }
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) openPanel(true); else closePanel();
  });
  close.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); closePanel(); }
  });
  newChat.addEventListener("click", function () {
    // The old conversation ends on the server too: Rasa's /restart resets it (remembered treatment, a
    // half-filled form), so nothing of it can be continued under the old id. Sent before the socket closes
    // (socket.io delivers packets in order); offline, it is sent on the next connection.
    if (state.sessionId) endedSession = state.sessionId;
    if (socket && ready) endOldSession();
    state = { sessionId: null, entries: [], updated: Date.now() };
    try { config.storage.removeItem(KEY); } catch (e) { /* nothing stored */ }
    buffer = [];
    pending = [];
    setTyping(false);
    while (log.firstChild) log.removeChild(log.firstChild);
    if (socket) { // a fresh socket and a fresh Rasa session: nothing of the old conversation reaches it
      socket.disconnect();
      socket = null;
      ready = everReady = false;
      connect();
    }
    notice("New conversation started. The previous one was cleared from this browser.");
    showHint();
    input.focus();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = "";
    send(text);
  });

  function mount() {
    document.body.appendChild(host);
    restore();
    if (sessionStorageGet("open")) openPanel(false);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})(io, SERVER_CONFIG);
