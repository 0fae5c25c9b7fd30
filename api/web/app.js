/* Early Help Navigator web chat: a small page of our own, no build step.
 *
 * Talks only to this API (same origin): POST /chat/sessions starts a conversation (the service
 * makes its id; the page never chooses one), POST /chat/messages sends a turn. Bot text is never parsed as
 * HTML: it is added as text nodes, with web addresses and phone numbers turned into links.
 * Nothing is stored in the browser: a new tab or "Start again" (after a confirmation) is a new conversation.
 * Long answers show their lead first and the rest behind a "Show more" control; a turn that
 * cannot be answered keeps the typed text, offers to try again and gives the known area's numbers.
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
  const errorMessage = document.getElementById("message-error");
  const count = document.getElementById("count");
  const countSr = document.getElementById("count-sr");
  const confirmRestart = document.getElementById("confirm-restart");

  const MAX_CHARS = 2000; // the API's limit (api/routes/chat.py MAX_MESSAGE_CHARS)
  const COUNT_FROM = 1500; // the count shows from here, as GOV.UK's character count does
  const REFRESH_MS = 5 * 60 * 1000; // how often "open now" is checked again
  const TITLE = document.title;
  // state.banner: the area's urgent contacts as last reported (for the fallbacks); turn: the
  // number of the current turn, so replies from earlier turns can be marked as old.
  const state = { sender: null, area: null, banner: null, bannerKey: "", checkedAt: 0, busy: false, turn: 0 };
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

  // --- long answers: the lead first, the detail behind "Show more" ------------------------
  // The assistant's wording is kept; only how it is laid out changes. Known headings of an
  // assessment ("Why:", "Next steps:") go behind the control; the lead, who to contact and the
  // 999 line stay in view. Without those headings, the first paragraph (or the first list, e.g.
  // the contact for now) and any 999 line stay in view.
  const LONG_CHARS = 500;
  const DETAIL_HEADINGS = /^(Why|Next steps):$/;
  const SOURCE_LINE = /^Sources?: /;

  function blocksOf(text) {
    const blocks = [];
    let current = [];
    for (const line of text.split("\n")) {
      if (line.trim()) {
        current.push(line);
      } else if (current.length) {
        blocks.push(current);
        current = [];
      }
    }
    if (current.length) blocks.push(current);
    return blocks;
  }

  /** [lead, more, summary]: what stays in view and what goes behind "Show more". */
  function splitLong(text) {
    if (text.length < LONG_CHARS) return [text, "", ""];
    const blocks = blocksOf(text);
    const headed = blocks.filter((b) => DETAIL_HEADINGS.test(b[0].trim()));
    if (headed.length) {
      const lead = blocks.filter((b) => !headed.includes(b));
      const names = headed.map((b) => b[0].trim().replace(/:$/, "").toLowerCase());
      return [lead.map((b) => b.join("\n")).join("\n\n"), headed.map((b) => b.join("\n")).join("\n\n"),
        "Show more: " + names.join(" and ")];
    }
    const lines = text.split("\n").filter((l) => l.trim());
    let end = 1; // the first paragraph; or, when a list follows the opening lines, up to its end
    const firstItem = lines.findIndex((l) => l.startsWith("- "));
    if (firstItem > 0 && firstItem <= 3) {
      end = firstItem;
      while (end < lines.length && lines[end].startsWith("- ")) end += 1;
    }
    const lead = lines.slice(0, end);
    const more = [];
    for (const l of lines.slice(end)) (/\b999\b/.test(l) ? lead : more).push(l);
    if (!more.length) return [text, "", ""];
    return [lead.join("\n"), more.join("\n"), "Show more"];
  }

  function renderBot(body, message) {
    let text = message.text;
    // The citations are listed once, under the message, with their dates: not also as a line.
    if (message.sources && message.sources.length) {
      text = text.split("\n").filter((l) => !SOURCE_LINE.test(l.trim())).join("\n");
    }
    const [lead, more, summary] = splitLong(text);
    renderText(body, lead);
    if (more) {
      const details = body.appendChild(el("details", "more"));
      details.appendChild(el("summary", null, summary));
      renderText(details.appendChild(el("div", "more__body")), more);
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
      renderBot(body, message);
    }
    renderSources(item, message.sources);
    if (message.buttons && message.buttons.length) {
      const choices = item.appendChild(el("div", "choices"));
      choices.setAttribute("role", "group");
      choices.setAttribute("aria-label", "Suggested replies");
      choices.dataset.turn = String(state.turn);
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

  /** A note from the page itself (not the assistant), e.g. that the area changed. */
  function addNote(text) {
    const note = log.appendChild(el("p", "note", text));
    log.scrollTop = Math.max(0, note.offsetTop - 8);
  }

  /** Replies offered before this turn no longer apply: they are disabled and say so. */
  function retireOldReplies() {
    for (const b of log.querySelectorAll(".msg__retry")) b.disabled = true;
    for (const group of log.querySelectorAll(".choices:not(.choices--old)")) {
      if (group.dataset.turn === String(state.turn)) continue;
      group.classList.add("choices--old");
      group.setAttribute("aria-label", "Earlier suggested replies (no longer active)");
      for (const b of group.querySelectorAll("button")) b.disabled = true;
      group.appendChild(el("span", "choices__old", "Earlier replies: type or use the latest ones."));
    }
  }

  // --- the area's urgent contacts, always on screen once known -------------------------
  function clock(ms) {
    return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" });
  }

  /** Open or closed now, and as of when; the time is refreshed in place (data-at). */
  function openText(parent, c, at) {
    if (c.available_now === null || c.available_now === undefined) {
      parent.appendChild(document.createTextNode(c.hours));
      return;
    }
    parent.appendChild(document.createTextNode((c.available_now ? "open" : "closed") + " now (as of "));
    const time = parent.appendChild(el("span", null, clock(at)));
    time.dataset.at = "";
    parent.appendChild(document.createTextNode(")"));
  }

  function openWords(c, at) {
    const holder = el("span");
    openText(holder, c, at);
    return holder.textContent;
  }

  /** The number first (so it is never cut on a small screen), then whose it is and if it is open. */
  function contactLine(parent, c, at) {
    const number = parent.appendChild(el("span", "emergency__number"));
    if (c.phone) {
      for (const node of link(c.phone)) number.appendChild(node);
    } else {
      number.textContent = "no number in the guidance";
    }
    openText(parent.appendChild(el("span", "emergency__who", ", " + c.name + ": ")), c, at);
  }

  function updateBanner(area) {
    if (!area) return;
    const previous = state.banner;
    if (previous && previous.id !== area.id) {
      const text = "The area has changed from " + previous.name + " to " + area.name +
        ": answers and urgent numbers are now for " + area.name + ".";
      addNote(text);
      status.textContent = text;
    }
    state.banner = area;
    state.area = area.id;
    state.checkedAt = Date.now();
    const key = JSON.stringify(area);
    if (key === state.bannerKey && areaUrgent.childElementCount) {
      for (const t of areaUrgent.querySelectorAll("[data-at]")) t.textContent = clock(state.checkedAt);
      return;
    }
    state.bannerKey = key;
    renderBanner(area, state.checkedAt);
  }

  function renderBanner(area, at) {
    areaUrgent.replaceChildren();
    const line = areaUrgent.appendChild(el("p", "emergency__contacts"));
    line.appendChild(el("strong", null, area.name + ": "));
    if (!area.urgent.length) {
      line.appendChild(document.createTextNode("the guidance gives no urgent number; contact your local children's social care."));
      return;
    }
    // The contact for now stays in view; the others, the document and its age open on demand,
    // so the banner stays small on a phone.
    contactLine(line, area.urgent[0], at);
    const details = areaUrgent.appendChild(el("details", "emergency__source"));
    const ages = [...new Set(area.urgent.map((c) => c.source_age))];
    const summary = details.appendChild(el("summary", null, area.urgent.length > 1 ? "All numbers and source" : "Source"));
    const years = [...new Set(area.urgent.map((c) => c.source.date_label +
      (c.source.age_years ? ", " + c.source.age_years + (c.source.age_years === 1 ? " year" : " years") + " old" : "")))];
    summary.appendChild(el("span", "emergency__age", " (" + years.join("; ") + ")"));
    const panel = details.appendChild(el("div", "emergency__panel"));
    const list = panel.appendChild(el("ul"));
    for (const c of area.urgent) contactLine(list.appendChild(el("li")), c, at);
    const notes = area.urgent.map((c) => c.source.title + ", " + c.source.section + (c.phone ? "" : ". " + c.phone_note));
    for (const note of new Set(notes)) panel.appendChild(el("p", null, note));
    panel.appendChild(el("p", null, "Source: " + ages.join("; ") + ". Check the number is current."));
  }

  /** "Open now" goes stale: ask again every few minutes, and when the page is shown again. */
  async function refreshBanner() {
    if (!state.area || state.busy || Date.now() - state.checkedAt < REFRESH_MS) return;
    try {
      const response = await fetch("/chat/areas/" + encodeURIComponent(state.area) + "/urgent",
        { headers: { Accept: "application/json" } });
      if (response.ok) {
        const area = await response.json();
        if (area.id === state.area) updateBanner(area);
      }
    } catch (e) {
      /* offline: the banner keeps saying when it was last checked */
    }
  }

  // --- the message box: errors and the character count --------------------------------
  function showError(text) {
    errorMessage.replaceChildren(el("span", "visually-hidden", "Error: "), document.createTextNode(text));
    errorMessage.hidden = false;
    input.classList.add("textarea--error");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "message-error privacy hint count-sr");
    document.title = "Error: " + TITLE;
    input.focus();
  }

  function clearError() {
    if (errorMessage.hidden) return;
    errorMessage.hidden = true;
    input.classList.remove("textarea--error");
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", "privacy hint count-sr");
    document.title = TITLE;
  }

  function countText() {
    const left = MAX_CHARS - input.value.length;
    if (left >= 0) return "You have " + left.toLocaleString("en-GB") + (left === 1 ? " character" : " characters") + " remaining";
    const over = -left;
    return "You have " + over.toLocaleString("en-GB") + (over === 1 ? " character" : " characters") + " too many";
  }

  let countTimer = null;
  function updateCount() {
    const shown = input.value.length >= COUNT_FROM;
    count.textContent = shown ? countText() : "";
    count.classList.toggle("count--over", input.value.length > MAX_CHARS);
    clearTimeout(countTimer); // screen readers hear the count once typing pauses, not per key
    countTimer = setTimeout(() => { countSr.textContent = shown ? countText() : ""; }, 800);
  }

  // --- a turn ----------------------------------------------------------------------------
  function setBusy(busy) {
    state.busy = busy;
    // aria-disabled, not disabled: a disabled button loses the keyboard's focus to the page.
    sendButton.setAttribute("aria-disabled", busy ? "true" : "false");
    log.setAttribute("aria-busy", busy ? "true" : "false");
    if (busy) status.textContent = "The assistant is answering…";
    else if (status.textContent === "The assistant is answering…") status.textContent = "";
  }

  /** What to do when the assistant could not answer: 999 first, then the known area's numbers. */
  function fallbackAdvice() {
    const area = state.banner;
    const lines = ["If a child is in immediate danger, call 999 now."];
    if (area && area.urgent.length) {
      const at = state.checkedAt;
      lines.push("Then contact " + area.name + ":");
      for (const c of area.urgent) {
        lines.push("- " + c.name + ": " + (c.phone || "no number in the guidance") + " (" + openWords(c, at) + ")");
      }
    } else if (area) {
      lines.push("Then contact " + area.name + "'s children's social care: the guidance gives no urgent number.");
    } else {
      lines.push("Then contact your local children's social care front door.");
    }
    return lines.join("\n");
  }

  /** The turn was not answered: keep what was typed and offer to send it again. */
  function offerRetry(item, text, typed, why) {
    if (typed && !input.value.trim()) {
      input.value = text; // the practitioner's words are not lost
      updateCount();
    }
    const retry = item.appendChild(el("button", "button button--secondary msg__retry", "Try sending it again"));
    retry.type = "button";
    retry.addEventListener("click", () => {
      if (typed && input.value === text) {
        input.value = "";
        updateCount();
      }
      send(text, typed ? undefined : text);
    });
    status.textContent = why + (typed ? " Your message is still in the message box." : "");
  }

  async function send(message, shownAs) {
    const text = message.trim();
    const typed = shownAs === undefined;
    if (!text) {
      showError("Type a message before sending");
      return false;
    }
    if (text.length > MAX_CHARS) {
      showError("Your message must be 2,000 characters or fewer: it is " + text.length.toLocaleString("en-GB"));
      return false;
    }
    if (state.busy) {
      status.textContent = "Please wait for the answer to your last message.";
      return false;
    }
    clearError();
    const focusWasOnReply = document.activeElement && document.activeElement.closest(".choices, .msg__retry");
    state.turn += 1;
    retireOldReplies();
    addMessage("user", { text: shownAs || text });
    if (focusWasOnReply) input.focus(); // the reply button is now disabled: keep the keyboard in the box
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
    const busy = response && response.status === 503 && response.headers.get("Retry-After") &&
      (!body || body.reason === "busy");
    if (busy) {
      const why = "The assistant is busy. Try again in a few seconds.";
      if (body && body.area) updateBanner(body.area);
      const said = body && Array.isArray(body.messages) ? body.messages.map((m) => m.text || "").join("\n") : "";
      const advice = /\b999\b/.test(said) ? said.replace(why, "").trim() : fallbackAdvice();
      offerRetry(addMessage("bot", { emergency: true, text: why + "\n" + advice }), text, typed, why);
      return true;
    }
    if (response && response.ok && body && Array.isArray(body.messages)) {
      updateBanner(body.area);
      for (const m of body.messages) addMessage("bot", m);
      return true;
    }
    if (body && Array.isArray(body.messages) && body.messages.length) { // 503 or 429: the body carries 999
      updateBanner(body.area);
      let item = null;
      for (const m of body.messages) item = addMessage("bot", m);
      offerRetry(item, text, typed, (body.title || "The assistant is unavailable") + ".");
      return true;
    }
    if (response && body && body.detail) {
      if (typed && !input.value.trim()) input.value = text;
      status.textContent = body.detail;
      return true;
    }
    const why = "The assistant cannot be reached: your message was not sent.";
    offerRetry(addMessage("bot", { emergency: true, text: why + "\n" + fallbackAdvice() }), text, typed, why);
    return true;
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
    state.banner = null;
    state.bannerKey = "";
    state.turn = 0;
    areaUrgent.replaceChildren();
    log.replaceChildren();
    clearError();
    status.textContent = "Started again: a new conversation.";
    input.value = "";
    updateCount();
    input.focus();
    greet();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.focus(); // keyboard users stay in the message box, whichever way they sent
    if (text.trim() && text.trim().length <= MAX_CHARS && !state.busy) {
      input.value = ""; // cleared so they can type on; put back if the turn is not answered
      updateCount();
    }
    send(text);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    updateCount();
    if (input.value.trim()) clearError();
  });

  // "Start again" asks first: an accessible dialog, its safe choice focused.
  restartButton.addEventListener("click", () => confirmRestart.showModal());
  document.getElementById("confirm-keep").addEventListener("click", () => {
    confirmRestart.close();
    restartButton.focus();
  });
  document.getElementById("confirm-clear").addEventListener("click", () => {
    confirmRestart.close();
    restart();
  });

  // On short screens the banner sticks to the top: what gets the focus scrolls in below it.
  const banner = document.querySelector("header.emergency");
  new ResizeObserver(() => {
    document.documentElement.style.setProperty("--banner-height", banner.offsetHeight + "px");
  }).observe(banner);

  setInterval(refreshBanner, 30 * 1000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refreshBanner(); });
  updateCount();
  greet();
})();
