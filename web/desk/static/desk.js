// Front desk console: copy buttons and the live handoff queue. Plain JS; everything patient-written is
// inserted as text (textContent), never as HTML.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    const area = document.createElement("textarea");  // fallback for plain-http hosts
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    const label = button.textContent;
    try {
      await copyText(source.textContent);
      button.textContent = "Copied";
      button.classList.add("copied");
    } catch (err) {
      button.textContent = "Copy failed: select the text and copy it";
    }
    setTimeout(() => { button.textContent = label; button.classList.remove("copied"); }, 2500);
  });

  async function post(url, data) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf },
      body: data ? new URLSearchParams(data) : undefined,
      credentials: "same-origin",
    });
    const body = await response.json().catch(() => ({}));
    if (response.status === 401) { window.location = "/desk/signin?next=/desk/tickets"; }
    if (!response.ok) throw new Error(body.error || `The console answered ${response.status}.`);
    return body;
  }

  // ------------------------------------------------------------------ handoff queue
  const list = document.getElementById("ticket-list");
  const badge = document.getElementById("new-count");
  if (!list) {
    // Other pages only keep the "new tickets" count in the navigation up to date.
    async function count() {
      try {
        const response = await fetch("/desk/api/tickets?status=open", { credentials: "same-origin" });
        if (!response.ok) return;
        const fresh = (await response.json()).new;
        badge.textContent = fresh;
        badge.hidden = !fresh;
      } catch (err) { /* offline for a moment: the next poll tries again */ }
    }
    if (badge) { count(); setInterval(count, 15000); }
    return;
  }
  const detail = document.getElementById("ticket-detail");
  const errorBox = document.getElementById("tickets-error");
  const older = document.getElementById("older-tickets");
  let tickets = [];
  let selected = null;
  let me = "";
  let newCount = 0;
  let nextPage = null; // the `before` of the next older page, null when every ticket is shown
  let olderPages = []; // tickets of the older pages the user asked for

  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }

  function renderList() {
    list.replaceChildren();
    if (!tickets.length) list.appendChild(el("li", "No tickets here.", "empty"));
    for (const t of tickets) {
      const item = el("li");
      item.dataset.ticket = t.id;
      if (t.id === selected) item.classList.add("selected");
      const button = el("button");
      button.type = "button";
      button.append(el("span", t.status, `status ${t.status}`), " ", el("strong", `#${t.id} ${t.name}`),
                    el("br"), el("span", t.question.slice(0, 120), "meta"));
      button.addEventListener("click", () => { selected = t.id; render(); });
      item.appendChild(button);
      list.appendChild(item);
    }
    const fresh = newCount;
    if (badge) { badge.textContent = fresh; badge.hidden = !fresh; }
    older.hidden = nextPage === null;
  }

  function renderDetail() {
    const t = tickets.find((x) => x.id === selected);
    detail.hidden = !t;
    if (!t) return;
    document.getElementById("t-title").textContent = `Ticket #${t.id}`;
    document.getElementById("t-name").textContent = t.name;
    document.getElementById("t-contact").textContent = t.contact;
    document.getElementById("t-consent").textContent = t.consent ? "yes" : "no";
    document.getElementById("t-status").textContent = t.status;
    document.getElementById("t-assignee").textContent = t.assignee || "nobody yet";
    document.getElementById("t-question").textContent = t.question;
    document.getElementById("t-claim").disabled = t.status !== "new";
    document.getElementById("t-resolve").disabled = t.status !== "claimed";
    const transcript = document.getElementById("t-transcript");
    transcript.replaceChildren(...t.transcript.map((m) => {
      const line = el("li");
      line.append(el("span", m.role === "patient" ? "Patient: " : "Bot: ", m.role), el("span", m.text));
      return line;
    }));
    const notes = document.getElementById("t-notes");
    notes.replaceChildren(...t.notes.map((n) => el("li", `${n.author} (${when(n.at)}): ${n.text}`)));
  }

  function render() { renderList(); renderDetail(); }

  function show() { return document.querySelector('input[name="show"]:checked').value; }

  async function refresh() {
    try {
      // The newest page is fetched again on each poll; older pages stay as loaded ("Show older").
      const response = await fetch(`/desk/api/tickets?status=${show()}`, { credentials: "same-origin" });
      if (response.status === 401) { window.location = "/desk/signin?next=/desk/tickets"; return; }
      const body = await response.json();
      if (!response.ok) throw new Error(body.error);
      const oldest = body.tickets.length ? body.tickets[body.tickets.length - 1].id : Infinity;
      olderPages = olderPages.filter((t) => t.id < oldest);
      tickets = body.tickets.concat(olderPages);
      if (!olderPages.length) nextPage = body.next;
      newCount = body.new;
      me = body.me;
      const current = tickets.find((x) => x.id === selected);
      if (!current) selected = null;
      render();
      showError("");
    } catch (err) {
      showError(`Could not load tickets: ${err.message}`);
    }
  }

  async function act(path, data) {
    try {
      const ticket = await post(`/desk/api/tickets/${selected}/${path}`, data);
      const i = tickets.findIndex((x) => x.id === ticket.id);
      if (i >= 0) tickets[i] = ticket;
      render();
      showError("");
      return true;
    } catch (err) {
      showError(err.message);
      await refresh();
      return false;
    }
  }

  document.getElementById("t-claim").addEventListener("click", () => act("claim"));
  document.getElementById("t-resolve").addEventListener("click", () => act("resolve"));
  document.getElementById("t-note-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    if (await act("notes", { text: form.text.value })) form.reset();
  });
  async function showOlder() {
    try {
      const response = await fetch(`/desk/api/tickets?status=${show()}&before=${nextPage}`, { credentials: "same-origin" });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error);
      olderPages = olderPages.concat(body.tickets);
      tickets = tickets.concat(body.tickets);
      nextPage = body.next;
      render();
    } catch (err) {
      showError(`Could not load older tickets: ${err.message}`);
    }
  }

  older.addEventListener("click", showOlder);
  document.querySelectorAll('input[name="show"]').forEach((r) => r.addEventListener("change", () => {
    olderPages = [];
    refresh();
  }));

  refresh();
  setInterval(refresh, 4000);  // new tickets appear without a reload
})();
