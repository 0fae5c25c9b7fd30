"""Accessibility checks run inside the page.

:func:`axe_violations` runs axe-core itself (vendored, see below). :func:`basic_problems` is our
own small check of what matters most for this page and axe does not judge the same way:
language, title, viewport, one heading, labelled controls, named buttons and links, unique
ids, a polite live log, target size, and text contrast against the real computed colours.
"""

from __future__ import annotations

from pathlib import Path

BASIC_CHECKS = r"""
() => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
      && getComputedStyle(el).visibility !== "hidden" && !el.closest(".visually-hidden");
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "")
      + ' "' + (el.textContent || "").trim().slice(0, 40) + '"';

  if (!document.documentElement.lang) problems.push("html has no lang");
  if (!document.title.trim()) problems.push("page has no title");
  const viewport = document.querySelector('meta[name="viewport"]');
  if (!viewport || !/width=device-width/.test(viewport.content)) problems.push("no responsive viewport meta");
  if (document.querySelectorAll("h1").length !== 1) problems.push("page should have exactly one h1");

  for (const el of document.querySelectorAll("input, textarea, select")) {
    const named = el.labels.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) problems.push("control without a label: " + describe(el));
  }
  for (const el of document.querySelectorAll("button, a[href], summary")) {
    // textContent too: innerText is empty for what a closed <details> holds
    const name = (el.innerText || el.textContent || el.getAttribute("aria-label") || "").trim();
    if (!name) problems.push("control without an accessible name: " + describe(el));
    if (visible(el) && !el.closest(".msg, .emergency, .skip-link")) {
      const box = el.getBoundingClientRect();
      if (box.width < 24 || box.height < 24) problems.push("target smaller than 24px: " + describe(el));
    }
  }
  for (const el of document.querySelectorAll(".msg button")) {
    const box = el.getBoundingClientRect();
    if (box.width < 24 || box.height < 24) problems.push("target smaller than 24px: " + describe(el));
  }
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
  for (const id of new Set(ids)) if (ids.filter((x) => x === id).length > 1) problems.push("duplicate id " + id);
  const log = document.querySelector('[role="log"]');
  if (!log || log.getAttribute("aria-live") !== "polite" || !log.getAttribute("aria-label"))
    problems.push("conversation is not a labelled polite live log");

  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return { rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c.rgb;
    }
    return [255, 255, 255];
  };
  let checked = 0;
  for (const el of document.body.querySelectorAll("*")) {
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || !visible(el)) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color).rgb;
    const bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (parseInt(style.fontWeight, 10) >= 700 && size >= 18.66);
    checked += 1;
    if (ratio < (large ? 3 : 4.5)) problems.push("contrast " + ratio.toFixed(2) + ":1 for " + describe(el));
  }
  if (checked < 10) problems.push("only " + checked + " text elements were checked for contrast");
  return problems;
}
"""


def basic_problems(page) -> list[str]:
    """What the page gets wrong, in words; an empty list when the basics are met."""
    return page.evaluate(BASIC_CHECKS)


FOCUS_SHOWN = r"""
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  const ring = s.boxShadow && s.boxShadow !== "none";
  return { tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || "").trim().slice(0, 40),
           visible: outline || ring };
}
"""


def focused(page) -> dict | None:
    """The focused element and whether a focus indicator is drawn around it."""
    return page.evaluate(FOCUS_SHOWN)


# --- axe-core ---------------------------------------------------------------------------
# axe-core 4.10.2 (Deque Systems, MPL-2.0), the npm package's axe.min.js as published, kept in
# the repository so the tests need no network: tests/browser/vendor/.
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.2 A/AA and best-practice violations on the page as it is now, in words.

    Loaded with ``page.evaluate`` (the DevTools protocol), which the page's Content-Security-Policy
    does not apply to, so the page's own policy stays as strict as in production.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async (tags) => { const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });"
        " return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '"
        " + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')); }",
        AXE_TAGS,
    )
    return results
