// Chat page: text is always inserted with textContent, never as HTML.
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("message");
  let sender = sessionStorage.getItem("aftercare-sender");
  if (!sender) {
    sender = "web-" + Math.random().toString(36).slice(2, 12);
    sessionStorage.setItem("aftercare-sender", sender);
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderRich(p) {
    const box = el("div", "msg bot" + (p.type === "urgent" ? " urgent" : ""));
    if (p.question) box.appendChild(el("p", "", "Closest question on file: " + p.question));
    if (p.summary) box.appendChild(el("p", "", p.summary));
    (p.quotes || []).forEach(function (q) { box.appendChild(el("blockquote", "", "\u201c" + q.text + "\u201d [" + q.n + "]")); });
    if ((p.citations || []).length) {
      const list = el("ol", "sources");
      p.citations.forEach(function (c) {
        const item = el("li", "", [c.name, c.credentials, c.specialty, c.location].filter(Boolean).join(", ") + " ");
        if (c.url) {
          const a = el("a", "", "link");
          a.href = c.url; a.target = "_blank"; a.rel = "noopener noreferrer";
          item.appendChild(a);
        }
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    return box;
  }

  // One bot turn arrives as several messages (Rasa splits text at blank lines) plus, last, a custom
  // payload; the turn is drawn as one box: the rich payload when there is one, else the joined text.
  function render(messages) {
    const withCustom = messages.find(function (m) { return m.custom; });
    const rich = withCustom ? withCustom.custom : null;
    let box;
    if (rich && rich.quotes && rich.quotes.length) {
      box = renderRich(rich);
      if (rich.demo) box.appendChild(el("p", "disclaimer", "Demo content: fictional clinicians."));
      if (rich.disclaimer) box.appendChild(el("p", "disclaimer", rich.disclaimer));
    } else {
      const text = messages.filter(function (m) { return m.text; }).map(function (m) { return m.text; }).join("\n\n");
      box = el("div", "msg bot" + (rich && rich.type === "urgent" ? " urgent" : ""), text);
    }
    const buttons = [].concat.apply([], messages.map(function (m) { return m.buttons || []; }));
    if (buttons.length) {
      const row = el("div", "buttons");
      buttons.forEach(function (b) {
        const btn = el("button", "", b.title);
        btn.type = "button";
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        row.appendChild(btn);
      });
      box.appendChild(row);
    }
    log.appendChild(box);
    log.scrollTop = log.scrollHeight;
  }

  async function send(message, shown) {
    log.appendChild(el("p", "msg user", shown || message));
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: sender, message: message })
      });
      const data = await response.json();
      if (!response.ok) { render([{ text: data.error || "Something went wrong." }]); return; }
      render(data.messages.length ? data.messages : [{ text: "(no reply)" }]);
    } catch (e) {
      render([{ text: "The assistant is not reachable right now. Please try again, or call the clinic." }]);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
})();
