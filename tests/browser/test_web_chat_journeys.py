"""The web chat for keyboard and screen-reader users, when the connection drops, and long answers (issue 19).

Over the real servers in Debian's chromium: a keyboard-only journey (Tab and Enter only), a
dropped connection and a busy assistant (the browser's request made to fail, or answered with
the API's own busy 503), long answers with their lead first, GOV.UK's error and character-count
patterns, and the banner's "open now" that says as of when and is refreshed. axe-core runs in
each and must find nothing.
"""

from __future__ import annotations

import re
import time

from api.routes import chat
from tests.browser.a11y import axe_violations, focused
from tests.browser.test_web_chat import (
    ANSWERED,
    BELT,
    bot_count,
    describe_until_answered,
    open_chat,
    say,
)
from tests.support.numbers import urgent_numbers
from tests.support.stack import needs_model

pytestmark = needs_model

TAMESIDE = tuple(urgent_numbers("tameside"))  # its two urgent numbers: the MASH and out of hours


def tab_to(page, text: str, most: int = 12, back: bool = False) -> list[dict]:
    """Press Tab (or Shift+Tab) until the focus is on ``text``; every stop on the way."""
    stops = []
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        stops.append(focused(page))
        if stops[-1] and stops[-1]["text"] == text:
            return stops
    raise AssertionError(f"never reached {text!r}: {stops}")


def wait_answer(page, before: int) -> None:
    page.wait_for_function(ANSWERED, arg=before)


def test_keyboard_only_send_keeps_focus_quick_replies_and_start_again_asks_first(page, stack):
    open_chat(page, stack)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link
    assert focused(page)["id"] == "message"

    # Send with the Send button, by keyboard: the focus comes back to the message box.
    page.keyboard.type("I work in Tameside")
    tab_to(page, "Send")
    before = bot_count(page)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "message", "sending by the button keeps the keyboard in the message box"
    wait_answer(page, before)
    assert focused(page)["id"] == "message", "and it is still there when the answer comes"
    assert page.input_value("#message") == ""
    # The greeting's area buttons are from an earlier turn: disabled and marked, so none can
    # switch the area silently.
    old = page.locator(".choices--old .button--choice")
    assert old.count() >= 5 and all(old.nth(i).is_disabled() for i in range(old.count()))
    assert "no longer active" in page.locator(".choices--old").first.get_attribute("aria-label")

    page.keyboard.type(BELT)
    before = bot_count(page)
    page.keyboard.press("Enter")
    wait_answer(page, before)
    for _ in range(3):
        if page.get_by_role("button", name="Who do I call?").count():
            break
        n = bot_count(page)
        page.keyboard.type("no")
        page.keyboard.press("Enter")
        wait_answer(page, n)

    # A quick reply by keyboard: back from the box to it, Enter; the focus returns to the box.
    stops = tab_to(page, "Who do I call?", back=True)
    assert all(s["visible"] for s in stops), stops
    before = bot_count(page)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "message", "the used reply is disabled, so the keyboard goes back to the box"
    wait_answer(page, before)
    assert page.locator(".msg--user").last.inner_text().strip().endswith("Who do I call?")
    assert page.get_by_role("button", name="Who do I call?").first.is_disabled(), "that reply is now an old one"
    assert axe_violations(page) == []

    # Start again asks first, its safe choice focused: Enter alone keeps the conversation.
    said = page.locator(".msg--user").count()
    tab_to(page, "Start again")
    page.keyboard.press("Enter")
    assert page.locator("#confirm-restart").is_visible()
    assert focused(page)["text"] == "No, keep the conversation"
    assert axe_violations(page) == []
    page.keyboard.press("Enter")
    assert not page.locator("#confirm-restart").is_visible()
    assert page.locator(".msg--user").count() == said, "nothing was cleared"
    assert focused(page)["text"] == "Start again", "the focus goes back where it was"
    # Clearing takes a second, deliberate choice.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Yes, clear it and start again"
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.querySelector('.msg--user')")
    assert page.locator("#area-urgent").inner_text() == ""
    assert focused(page)["id"] == "message"


def test_a_changed_area_is_said_on_screen(page, stack):
    open_chat(page, stack)
    say(page, "I work in Tameside")
    say(page, "I work in Worcestershire")
    note = page.locator("#log .note").last
    assert "changed from Tameside to Worcestershire" in note.inner_text()
    assert "changed from Tameside to Worcestershire" in page.locator("#status").inner_text()
    assert "Worcestershire" in page.locator("#area-urgent").inner_text()


def test_a_dropped_connection_keeps_the_text_offers_a_retry_and_gives_the_areas_numbers(page, stack):
    open_chat(page, stack)
    say(page, "I work in Tameside")
    concern = "He said dad punched him this morning"

    page.route("**/chat/messages", lambda route: route.abort("connectionreset"))
    text = say(page, concern)
    assert "call 999 now" in text
    assert all(n in text for n in TAMESIDE), "the known area's urgent numbers, not 'your local front door'"
    assert "your local children's social care front door" not in text, text
    assert page.input_value("#message") == concern, "the typed text is kept"
    assert "still in the message box" in page.locator("#status").inner_text()
    assert "In an emergency call 999" in page.locator(".emergency__line").inner_text()
    assert axe_violations(page) == []

    page.unroute("**/chat/messages")
    retry = page.get_by_role("button", name="Try sending it again")
    retry.focus()
    before = bot_count(page)
    page.keyboard.press("Enter")
    page.wait_for_function(ANSWERED, arg=before)
    assert page.locator(".msg--user").last.inner_text().strip().endswith(concern)
    assert page.input_value("#message") == "", "sent: no longer waiting in the box"
    assert "unavailable" not in page.locator(".msg--bot").last.inner_text()


def test_a_busy_assistant_says_so_keeps_the_text_and_shows_999(page, stack, kb):
    """The browser's turn is answered with the API's own busy 503 (Retry-After, reason "busy")."""
    open_chat(page, stack)
    say(page, "I work in Tameside")
    busy = chat._unavailable(kb, "tameside", "test: busy", reason="busy", retry_after=5)
    assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
    page.route("**/chat/messages", lambda route: route.fulfill(
        status=503, headers={"Content-Type": busy.media_type, "Retry-After": "5"}, body=busy.body))
    text = say(page, "Mum leaves him alone at night")
    assert "The assistant is busy. Try again in a few seconds." in text and "999" in text
    assert "The assistant is busy. Try again in a few seconds." in page.locator("#status").inner_text()
    assert page.input_value("#message") == "Mum leaves him alone at night"
    assert page.locator(".emergency__line").is_visible()
    assert page.get_by_role("button", name="Try sending it again").count() == 1


def test_long_answers_lead_first_detail_behind_show_more_sources_once(page, stack):
    open_chat(page, stack)
    say(page, "I work in Worcestershire")
    describe_until_answered(page, BELT)
    answer = page.locator(".msg--bot").filter(has=page.locator("details.sources")).last
    shown = answer.inner_text()
    assert "level 4" in shown and "Who to contact now" in shown and "call 999 now" in shown, shown
    assert "Why:" not in shown and "Next steps:" not in shown, "the detail waits behind 'Show more'"
    assert len(shown) < 1500, len(shown)
    more = answer.locator("details.more")
    assert more.locator("summary").inner_text() == "Show more: why and next steps"
    assert not more.evaluate("d => d.open")
    more.locator("summary").focus()
    page.keyboard.press("Enter")  # a native disclosure: screen readers announce it expanded
    assert more.evaluate("d => d.open")
    assert "Why:" in answer.inner_text() and "Next steps:" in answer.inner_text()
    # The sources are listed once (the citations), not also as a line of the answer.
    assert not re.search(r"^Sources?: ", answer.locator(".msg__body").inner_text(), re.MULTILINE)
    assert answer.locator("details.sources").count() == 1
    assert axe_violations(page) == []

    before = bot_count(page)
    answer.get_by_role("button", name="Who do I call?").click()
    page.wait_for_function(ANSWERED, arg=before)
    contacts = page.locator(".msg--bot").nth(before)
    lead = contacts.inner_text()
    assert "Who to call in Worcestershire now" in lead and "01905" in lead and "call 999 now" in lead, lead
    assert contacts.locator("details.more").count() == 1, "the other contacts are behind 'Show more'"
    assert "Source:" not in contacts.locator(".msg__body").inner_text()


def test_an_empty_message_is_an_error_and_the_count_warns_at_the_limit(page, stack):
    open_chat(page, stack)
    page.locator("#message").focus()
    page.keyboard.press("Enter")
    error = page.locator("#message-error")
    assert error.is_visible() and error.text_content().startswith("Error: ")
    assert page.title().startswith("Error: ")
    assert page.get_attribute("#message", "aria-invalid") == "true"
    assert "message-error" in page.get_attribute("#message", "aria-describedby")
    assert focused(page)["id"] == "message" and page.locator(".msg--user").count() == 0
    assert axe_violations(page) == []
    page.keyboard.type("a")
    assert not error.is_visible() and not page.title().startswith("Error")

    page.fill("#message", "x" * 1990)
    assert page.locator("#count").inner_text() == "You have 10 characters remaining"
    page.fill("#message", "x" * 2005)
    assert page.input_value("#message") == "x" * 2005, "nothing is cut silently"
    assert page.locator("#count").inner_text() == "You have 5 characters too many"
    page.press("#message", "Enter")
    assert "2,000 characters or fewer" in error.inner_text()
    assert page.input_value("#message") == "x" * 2005 and page.locator(".msg--user").count() == 0
    page.wait_for_function("() => document.getElementById('count-sr').textContent.includes('too many')")
    assert axe_violations(page) == []


def test_open_now_says_as_of_when_and_is_refreshed(page, stack):
    """The page asks again when 5 minutes have passed: its clock is moved on 6 minutes (Playwright's clock)."""
    open_chat(page, stack)
    say(page, "I work in Worcestershire")  # its urgent contacts all have hours the pack can settle
    banner = page.locator("#area-urgent")
    as_of = re.compile(r"(open|closed) now \(as of (\d\d:\d\d)\)")
    first = as_of.search(banner.text_content())
    assert first, banner.text_content()
    page.clock.install()  # from now on the page's Date is Playwright's; its timers already set keep running
    with page.expect_request(re.compile(r"/chat/areas/worcestershire/urgent$"), timeout=60_000) as asked:
        page.clock.fast_forward("06:00")
        # The page checks every 30 s and whenever it is shown again: show it again rather than wait.
        page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    assert asked.value.response().status == 200
    deadline = time.monotonic() + 15
    while (second := as_of.search(banner.text_content())).group(2) == first.group(2) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert second.group(2) != first.group(2), "the banner says when it was checked again"
