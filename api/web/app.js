/* Early Help Navigator web chat: a small page of our own, no build step.
 *
 * Talks only to this API (same origin): POST /chat/sessions starts a conversation (the service
 * makes its id; the page never chooses one), POST /chat/messages sends a turn. Bot text is never parsed as
 * HTML: it is added as text nodes, with web addresses and phone numbers turned into links.
 * Nothing is stored in the browser: a new tab or "Start again" is a new conversation.
 */
"use strict";

(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const sendButton = document.getElementById("send");
  const restartButton = document.getElementById("restart");
  const status = document.getElementById("status");
  const areaUrgent = document.getElementById("area-urgent");

  const state = { sender: null, area: null, bannerKey: "", busy: false };
  form.hidden = false; // hidden in the page itself, so that without JavaScript nothing can be sent

  /** A new conversation id from the service (null if it cannot be reached). */
  async function newConversation() {
    try {
      const response = await fetch("/chat/sessions", { method: "POST", headers: { Accept: "application/json" } });
      if (response.ok) return (await response.json()).conversation;
    } catch (e) {
      /* unreachable: the turn below gets the emergency advice instead */
    }
    return null;
  }

  async function postTurn(text) {
    if (!state.sender) state.sender = await newConversation();
    return fetch("/chat/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ sender: state.sender || "", message: text, area: state.area }),
    });
  }

  /** True when the service no longer knows this page's conversation id (e.g. its key changed). */
  function conversationRefused(response, body) {
    return response.status === 422 && body && Array.isArray(body.errors) &&
      body.errors.some((e) => e.field === "sender");
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // --- text with safe links ------------------------------------------------------------
  // Web addresses (http, https, www.) and UK phone numbers, including 999.
  const LINKABLE = /(https?:\/\/[^\s<>"']+|www\.[^\s<>"']+|\b0\d{2,4} ?\d{3} ?\d{3,4}\b|\b999\b)/g;

  function link(match) {
    let href;
    let shown = match;
    let trailing = "";
    if (/^(https?:\/\/|www\.)/.test(match)) {
      const cut = match.match(/[.,;:!?)\]]+$/);
      if (cut) {
        trailing = cut[0];
        shown = match.slice(0, -trailing.length);
      }
      href = shown.startsWith("www.") ? "https://" + shown : shown;
      try {
        const url = new URL(href);
        if (url.protocol !== "http:" && url.protocol !== "https:") return [document.createTextNode(match)];
        href = url.href;
      } catch (e) {
        return [document.createTextNode(match)];
      }
    } else {
      href = "tel:" + match.replace(/ /g, "");
    }
    const a = el("a", null, shown);
    a.href = href;
    if (href.startsWith("http")) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return trailing ? [a, document.createTextNode(trailing)] : [a];
  }

  function appendLinkified(parent, text) {
    let last = 0;
    for (const m of text.matchAll(LINKABLE)) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      for (const node of link(m[0])) parent.appendChild(node);
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /** Lines become paragraphs; runs of "- " lines become a list. */
  function renderText(parent, text) {
    let list = null;
    for (const raw of text.split("\n")) {
      const line = raw.trimEnd();
      if (!line.trim()) {
        list = null;
        continue;
      }
      if (line.startsWith("- ")) {
        if (!list) list = parent.appendChild(el("ul", "msg__list"));
        appendLinkified(list.appendChild(el("li")), line.slice(2));
      } else {
        list = null;
        appendLinkified(parent.appendChild(el("p", "msg__line")), line);
      }
    }
  }

  // --- sources ---------------------------------------------------------------------------
  function ageText(source) {
    if (source.age_text) return source.age_text; // worded by the server's safety path
    if (source.year === null || source.year === undefined) return "undated";
    if (!source.age_years) return source.date_label + ", current";
    const years = source.age_years === 1 ? "year" : "years";
    return source.date_label + ", about " + source.age_years + " " + years + " old";
  }

  function renderSources(parent, sources) {
    if (!sources || !sources.length) return;
    const details = parent.appendChild(el("details", "sources"));
    details.appendChild(el("summary", null, "Sources (" + sources.length + ")"));
    const list = details.appendChild(el("ul"));
    for (const s of sources) {
      const item = list.appendChild(el("li"));
      item.appendChild(el("cite", null, s.title));
      item.appendChild(document.createTextNode(", " + s.section + " "));
      item.appendChild(el("span", "sources__age", "(" + ageText(s) + ")"));
    }
  }

  // --- messages --------------------------------------------------------------------------
  function addMessage(who, message) {
    const item = el("div", "msg msg--" + who + (message.emergency ? " msg--emergency" : ""));
    item.appendChild(el("span", "visually-hidden", who === "user" ? "You said: " : "Assistant: "));
    const body = item.appendChild(el("div", "msg__body"));
    if (who === "user") {
      body.appendChild(el("p", "msg__line", message.text));
    } else if (message.text) {
      renderText(body, message.text);
    }
    renderSources(item, message.sources);
    if (message.buttons && message.buttons.length) {
      const choices = item.appendChild(el("div", "choices"));
      choices.setAttribute("role", "group");
      choices.setAttribute("aria-label", "Suggested replies");
      for (const b of message.buttons) {
        const button = choices.appendChild(el("button", "button button--choice", b.title));
        button.type = "button";
        button.addEventListener("click", () => send(b.payload, b.title));
      }
    }
    log.appendChild(item);
    log.scrollTop = Math.max(0, item.offsetTop - 8);
    return item;
  }

  // --- the area's urgent contacts, always on screen once known -------------------------

  function updateBanner(area) {
    const key = area ? JSON.stringify(area) : "";
    if (!area || key === state.bannerKey) return;
    state.bannerKey = key;
    state.area = area.id;
    areaUrgent.replaceChildren();
    const line = areaUrgent.appendChild(el("p", "emergency__contacts"));
    line.appendChild(el("strong", null, area.name + ": "));
    if (!area.urgent.length) {
      line.appendChild(document.createTextNode("the guidance gives no urgent number; contact your local children's social care."));
      return;
    }
    area.urgent.forEach((c, i) => {
      if (i) line.appendChild(document.createTextNode("; "));
      line.appendChild(document.createTextNode(c.name + ": "));
      if (c.phone) {
        for (const node of link(c.phone)) line.appendChild(node);
      } else {
        line.appendChild(document.createTextNode("no number in the guidance"));
      }
      const when = c.available_now === true ? " (open now)" : c.available_now === false ? " (closed now)" : " – " + c.hours;
      line.appendChild(document.createTextNode(when));
    });
    // The source's age stays visible; the document, section and what it says about missing
    // numbers open on demand, so the banner stays small on a phone.
    const ages = [...new Set(area.urgent.map((c) => c.source_age))];
    const details = areaUrgent.appendChild(el("details", "emergency__source"));
    details.appendChild(el("summary", null, "Source: " + ages.join("; ") + ". Check the number is current."));
    const notes = area.urgent.map((c) => c.source.title + ", " + c.source.section + (c.phone ? "" : ". " + c.phone_note));
    for (const note of new Set(notes)) details.appendChild(el("p", null, note));
  }

  // --- a turn ----------------------------------------------------------------------------
  function setBusy(busy) {
    state.busy = busy;
    sendButton.disabled = busy;
    log.setAttribute("aria-busy", busy ? "true" : "false");
    status.textContent = busy ? "The assistant is answering…" : "";
  }

  async function send(message, shownAs) {
    const text = message.trim();
    if (!text) {
      status.textContent = "Type a message first.";
      return;
    }
    if (state.busy) {
      status.textContent = "Please wait for the answer to your last message.";
      return;
    }
    addMessage("user", { text: shownAs || text });
    setBusy(true);
    let body = null;
    let response = null;
    try {
      response = await postTurn(text);
      body = await response.json().catch(() => null);
      if (conversationRefused(response, body)) {
        state.sender = null; // start a new conversation and send the turn once more
        response = await postTurn(text);
        body = await response.json().catch(() => null);
      }
    } catch (e) {
      response = null;
    }
    setBusy(false);
    if (body && Array.isArray(body.messages)) {
      updateBanner(body.area);
      for (const m of body.messages) addMessage("bot", m);
      if (!response.ok) status.textContent = body.title || "The assistant is unavailable.";
      return;
    }
    if (response && body && body.detail) {
      status.textContent = body.detail;
      return;
    }
    addMessage("bot", {
      emergency: true,
      text: "The assistant cannot be reached. If a child is in immediate danger, call 999 now. " +
        "Then contact your local children's social care front door.",
    });
  }

  async function greet() {
    const greeting = {
      text: "Hello. Describe a worry about a child and I will answer from your own area's threshold guidance: " +
        "the level of need, what to do next and whom to contact, with each source and how old it is. " +
        "I support your professional judgement; I do not replace it.\nWhich area do you work in?",
      buttons: [],
    };
    try {
      const response = await fetch("/chat/areas", { headers: { Accept: "application/json" } });
      if (response.ok) {
        greeting.buttons = (await response.json()).map((a) => ({ title: a.name, payload: "I work in " + a.name }));
      }
    } catch (e) {
      /* the greeting works without the area buttons: typing the area is enough */
    }
    addMessage("bot", greeting);
  }

  function restart() {
    state.sender = null; // the next turn starts a new conversation
    state.area = null;
    state.bannerKey = "";
    areaUrgent.replaceChildren();
    log.replaceChildren();
    status.textContent = "Started again: a new conversation.";
    input.value = "";
    input.focus();
    greet();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim() || state.busy) {
      send(text);
      return;
    }
    input.value = "";
    send(text);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  restartButton.addEventListener("click", restart);
  greet();
})();
