"""999 stays in view at every size and zoom, and the conversation stays usable (issue 19).

One real conversation (Worcestershire, an assessment, so the banner holds the area's numbers and
the log a long answer), then the same page at each size, screenshots under the test's tmp folder:

- a desktop (1280×800), a phone upright (390×844) and on its side (844×390);
- 200% and 400% zoom on a 1280×800 screen: zoom shrinks the CSS viewport, so the page is laid
  out as at 640×400 and 320×200 CSS pixels, drawn at 2× and 4× (what Chromium does when zoomed);
- a phone with its keyboard open, stood in for by a short viewport (390×400): the page asks
  for ``interactive-widget=resizes-content``, so Chrome on Android lays it out for the space left.

At each size: the 999 line is inside the viewport at the top, with the message box in view, and
scrolled to the very end; the banner takes at most about 15% of a phone's screen; with the
message box in view, at least N pixels of the conversation show below the banner (or, at 400%,
the conversation keeps its own height to scroll); nothing scrolls sideways; axe-core finds no
violations.
"""

from __future__ import annotations

import pytest

from tests.browser.a11y import axe_violations, basic_problems
from tests.browser.test_web_chat import BELT, describe_until_answered, open_chat, say
from tests.support.stack import needs_model

pytestmark = needs_model

PHONE_SCREEN = 844  # the phone's full height, upright: the banner may take about 15% of it

# name: (CSS width, CSS height, what the banner may take, least conversation shown with the box in view)
SIZES = {
    "desktop": (1280, 800, 0.20 * 800, 300),
    "phone-upright": (390, 844, 0.15 * PHONE_SCREEN, 250),
    "phone-sideways": (844, 390, 0.15 * 390, 120),
    "zoom-200": (640, 400, 0.15 * 400, 120),
    "zoom-400": (320, 200, 0.45 * 200, None),  # 999 and the number for now need 2-3 lines at 320px
    "phone-keyboard-open": (390, 400, 0.15 * PHONE_SCREEN, 150),
}

GEOMETRY = """() => {
  const box = (sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return {top: r.top, bottom: r.bottom, height: r.height}; };
  const banner = box('header.emergency');
  const log = box('#log');
  const shown = Math.max(0, Math.min(log.bottom, innerHeight, box('#composer').top) - Math.max(log.top, banner.bottom));
  return { line: box('.emergency__line'), banner, log, message: box('#message'), shown,
           height: innerHeight, width: innerWidth, scrollWidth: document.documentElement.scrollWidth,
           number: box('.emergency__number'), numberText: document.querySelector('.emergency__number').textContent,
           numberCut: (() => { const n = document.querySelector('.emergency__number'); return n.scrollWidth > n.clientWidth + 1; })() };
}"""


def in_view(rect: dict, height: float) -> bool:
    return rect["top"] >= 0 and rect["bottom"] <= height + 0.5


@pytest.fixture(scope="module")
def conversation(browser, stack):
    """A page with an answered Worcestershire assessment, shared by the sizes below."""
    page = browser.new_page()
    page.set_default_timeout(90_000)
    open_chat(page, stack)
    say(page, "I work in Worcestershire")
    text = describe_until_answered(page, BELT)
    assert "level 4" in text, text
    try:
        yield page
    finally:
        page.close()


@pytest.mark.parametrize("name", list(SIZES))
def test_999_stays_in_view_and_the_conversation_stays_usable(conversation, name, tmp_path):
    page = conversation
    width, height, banner_most, shown_least = SIZES[name]
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("() => window.scrollTo(0, 0)")

    top = page.evaluate(GEOMETRY)
    page.screenshot(path=str(tmp_path / f"{name}-top.png"))
    assert in_view(top["line"], height), (name, top)
    assert top["scrollWidth"] <= width, f"{name}: the page scrolls sideways"
    assert top["banner"]["height"] <= banner_most, f"{name}: the banner takes {top['banner']['height']:.0f}px"
    assert "01905" in top["numberText"] and in_view(top["number"], height) and not top["numberCut"], \
        f"{name}: the area's number for now is in view, whole: {top}"

    # The practitioner types in the message box, the page scrolled to its end (where the box is:
    # on a short screen the whole page scrolls, under the sticky banner).
    page.locator("#message").click()
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.evaluate("() => document.activeElement.id") == "message"
    typing = page.evaluate(GEOMETRY)
    page.screenshot(path=str(tmp_path / f"{name}-typing.png"))
    assert in_view(typing["line"], height), (name, typing)
    assert in_view(typing["message"], height), (name, typing)
    if shown_least is not None:
        assert typing["shown"] >= shown_least, f"{name}: only {typing['shown']:.0f}px of the conversation show"
    else:  # 400%: too little room for both at once; the conversation keeps its own height to scroll
        assert typing["log"]["height"] >= 110, typing
        page.locator("#log").evaluate("e => e.scrollIntoView()")
        seen = page.evaluate(GEOMETRY)
        assert in_view(seen["line"], height)
        assert seen["log"]["top"] >= seen["banner"]["bottom"] - 1, "the banner does not cover the conversation"

    page.locator("#log").evaluate("e => { e.scrollTop = 0; }")  # back to the start of the conversation
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    bottom = page.evaluate(GEOMETRY)
    page.screenshot(path=str(tmp_path / f"{name}-end.png"))
    assert in_view(bottom["line"], height), (name, bottom)

    assert axe_violations(page) == [], name
    assert basic_problems(page) == [], name


def test_body_text_is_19px_on_a_desktop_and_16px_on_a_phone(conversation):
    page = conversation
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "19px"
    assert page.evaluate("getComputedStyle(document.querySelector('.msg--bot .msg__line')).fontSize") == "19px"
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "16px"


def test_every_areas_banner_fits_a_phone_upright_and_sideways(page, stack, kb, tmp_path):
    """Each area's contact for now (some long names, some without a number) keeps the banner small."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_chat(page, stack)
    for area_id, name in kb.covered():
        say(page, f"I work in {name}")
        assert name in page.locator("#area-urgent").inner_text()
        for width, height, most in ((390, 844, 0.15 * PHONE_SCREEN), (844, 390, 0.15 * 390)):
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("() => window.scrollTo(0, 0)")
            shown = page.evaluate(GEOMETRY)
            page.screenshot(path=str(tmp_path / f"{area_id}-{width}x{height}.png"))
            assert shown["banner"]["height"] <= most, f"{name} at {width}x{height}: {shown['banner']['height']:.0f}px"
            assert in_view(shown["line"], height) and not shown["numberCut"], (name, width, shown)
        page.set_viewport_size({"width": 390, "height": 844})
