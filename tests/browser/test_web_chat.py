"""The intranet web chat in a real browser (Debian's chromium), over the real servers.

The API serves the page and forwards each turn to the real Rasa and action server, as in
production. A practitioner picks their area, describes a worry, sees the level with its
sources, asks "Who do I call?", and the area's urgent number stays on screen throughout.
Screenshots are saved under artifacts/ for a person to look at.
"""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from api.main import create_app
from api.rasa_rest import RasaRest
from api.routes import chat
from tests.browser.a11y import basic_problems, focused
from tests.browser.conftest import ARTIFACTS
from tests.support.numbers import number_of, tel
from tests.support.stack import free_port, needs_model

pytestmark = needs_model

BELT = "Dad hits him with a belt and he has marks on his legs."
ANSWERED = """n => document.querySelectorAll('.msg--bot').length > n
                  && document.getElementById('log').getAttribute('aria-busy') === 'false'"""


def bot_count(page) -> int:
    return page.locator(".msg--bot").count()


def bot_text_since(page, index: int) -> str:
    """What the assistant said since message ``index``, including what waits behind "Show more"."""
    return "\n".join(page.locator(".msg--bot").evaluate_all(
        "els => els.map(e => [...e.querySelectorAll('.msg__body p, .msg__body li')].map(p => p.textContent).join('\\n'))")[index:])


def open_chat(page, stack) -> None:
    page.goto(stack.api_url + "/")
    page.wait_for_function("() => document.querySelectorAll('.msg--bot .button--choice').length >= 5")


def say(page, text: str) -> str:
    """Type a message, press Enter, and return what the assistant answered."""
    before = bot_count(page)
    page.fill("#message", text)
    page.press("#message", "Enter")
    page.wait_for_function(ANSWERED, arg=before)
    return bot_text_since(page, before)


def describe_until_answered(page, concern: str, turns: int = 4) -> str:
    """Describe the worry and answer any questions that help with "no", until the level comes."""
    text = say(page, concern)
    for _ in range(turns):
        if "level " in text.lower() and "Who to contact now" in text:
            break
        text += "\n" + say(page, "no")
    return text


def test_a_whole_conversation_level_then_who_to_call_with_999_and_the_urgent_number_on_screen(page, stack):
    open_chat(page, stack)
    banner = page.locator("header.emergency")
    assert "In an emergency call 999" in banner.inner_text()
    assert "do not type names, addresses" in page.locator("#privacy").inner_text()

    assert "answer for Tameside" in say(page, "I work in Tameside")
    assert number_of("tameside", "childrens-hub") in banner.text_content(), "the area's urgent numbers appear once the area is known"
    assert "old" in banner.inner_text() or "current" in banner.inner_text(), "with its source's age"

    answer = describe_until_answered(page, BELT)
    assert "level 4" in answer, answer
    # The answer is the message with the sources; "Was this helpful and right?" follows it.
    last = page.locator(".msg--bot").filter(has=page.locator("details.sources")).last
    assert "Was this helpful and right?" in page.locator(".msg--bot").last.inner_text()
    sources = last.locator("details.sources")
    assert sources.count() == 1, "the answer's sources are an expandable citation"
    sources.locator("summary").click()
    assert "years old" in sources.inner_text() or "current" in sources.inner_text()

    before = bot_count(page)
    last.get_by_role("button", name="Who do I call?").click()
    page.wait_for_function(ANSWERED, arg=before)
    assert page.locator(".msg--user").last.inner_text().strip().endswith("Who do I call?"), \
        "the button's title is shown as the practitioner's message"
    contacts = bot_text_since(page, before)
    assert "Who to call in Tameside" in contacts and number_of("tameside", "childrens-hub") in contacts and number_of("tameside", "out-of-hours") in contacts
    assert page.locator(".msg--bot").last.locator("a[href='" + tel(number_of("tameside", "childrens-hub")) + "']").count() >= 1, "numbers are tap-to-call"
    assert "In an emergency call 999" in banner.inner_text() and number_of("tameside", "childrens-hub") in banner.text_content()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-chat.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("() => { const log = document.getElementById('log'); log.scrollTop = log.lastElementChild.offsetTop - 8; }")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"
    assert banner.is_visible() and page.locator("#message").is_visible()
    page.screenshot(path=str(ARTIFACTS / "web-chat-phone.png"))


def test_keyboard_only_every_stop_shows_focus_enter_sends_and_buttons_work(page, stack):
    open_chat(page, stack)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to the message box" and focused(page)["visible"]
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "message", "the skip link takes the keyboard to the message box"

    page.keyboard.type("I work in")
    page.keyboard.press("Shift+Enter")
    assert page.input_value("#message") == "I work in\n", "Shift+Enter is a new line, not a send"
    page.keyboard.press("Backspace")
    page.keyboard.type(" Worcestershire")
    before = bot_count(page)
    page.keyboard.press("Enter")
    page.wait_for_function(ANSWERED, arg=before)
    assert "answer for Worcestershire" in bot_text_since(page, before)
    assert page.input_value("#message") == ""

    page.keyboard.type(BELT)
    before = bot_count(page)
    page.keyboard.press("Enter")
    page.wait_for_function(ANSWERED, arg=before)
    for _ in range(4):
        if "Who to contact now" in bot_text_since(page, before):
            break
        n = bot_count(page)
        page.keyboard.type("no")
        page.keyboard.press("Enter")
        page.wait_for_function(ANSWERED, arg=n)

    # Back from the message box into the answer's buttons, keyboard only.
    stops = []
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        stops.append(focused(page))
        if stops[-1]["text"] == "Who do I call?":
            break
    assert stops[-1]["text"] == "Who do I call?", stops
    assert all(s["visible"] for s in stops), [s for s in stops if not s["visible"]]
    before = bot_count(page)
    page.keyboard.press("Enter")
    page.wait_for_function(ANSWERED, arg=before)
    assert "Who to call in Worcestershire" in bot_text_since(page, before)

    # Every stop in the page shows where the focus is.
    page.locator("#message").focus()
    for _ in range(4):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop is None:
            break
        assert stop["visible"], stop
        if stop["text"] == "Start again":
            break
    assert focused(page)["text"] == "Start again"
    page.keyboard.press("Enter")  # asks first; its safe choice has the focus
    assert focused(page)["text"] == "No, keep the conversation"
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Yes, clear it and start again"
    page.keyboard.press("Enter")
    assert page.locator(".msg--user").count() == 0 and page.locator("#area-urgent").inner_text() == ""
    assert focused(page)["id"] == "message", "after starting again the keyboard is back in the message box"


def test_basic_accessibility_labels_names_live_log_and_contrast(page, stack):
    open_chat(page, stack)
    say(page, "I work in Redcar")
    say(page, "Who do I call?")
    page.locator("details.sources summary").last.click()
    assert basic_problems(page) == []
    page.set_viewport_size({"width": 360, "height": 740})
    assert basic_problems(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_when_rasa_is_down_the_page_still_shows_999_and_the_areas_urgent_number(page, stack, kb):
    """The browser's turn goes to the real proxy code with Rasa unreachable (a port where nothing listens)."""
    open_chat(page, stack)
    say(page, "I work in Tameside")

    app = create_app(kb)
    app.dependency_overrides[chat.get_rasa] = lambda: RasaRest(f"http://127.0.0.1:{free_port()}")
    with TestClient(app) as down:
        def proxy_with_rasa_down(route):
            r = down.post("/chat/messages", json=route.request.post_data_json)
            route.fulfill(status=r.status_code, headers={"content-type": r.headers["content-type"]}, body=r.content)

        page.route("**/chat/messages", proxy_with_rasa_down)
        text = say(page, "He said dad punched him this morning")
    assert "unavailable" in text and "call 999 now" in text
    assert number_of("tameside", "childrens-hub") in text or number_of("tameside", "out-of-hours") in text, "the safety path's urgent number for now"
    assert page.locator(".msg--bot").last.get_attribute("class").count("msg--emergency") == 1
    assert "unavailable" in page.locator("#status").inner_text()
    assert number_of("tameside", "childrens-hub") in page.locator("header.emergency").text_content()

    page.unroute("**/chat/messages")
    page.route("**/chat/messages", lambda route: route.abort())
    assert "call 999 now" in say(page, "hello?"), "even with the API unreachable the page says 999"


def test_the_api_answers_the_page_and_turns_on_the_same_origin(stack):
    """No CORS is needed: the page and its chat turns share the API's origin."""
    page_html = httpx.get(stack.api_url + "/", timeout=10)
    assert page_html.status_code == 200 and "/chat/static/app.js" in page_html.text
    conversation = httpx.post(stack.api_url + "/chat/sessions", timeout=10).json()["conversation"]
    r = httpx.post(stack.api_url + "/chat/messages", json={"sender": conversation, "message": "I work in Cambs"},
                   timeout=60)
    assert r.status_code == 200 and r.json()["area"]["id"] == "cambridgeshire"


def test_without_javascript_the_page_sends_nothing_and_shows_999_and_each_areas_numbers(page, stack, kb):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
    page.goto(stack.api_url + "/")
    assert not page.locator("#composer").is_visible(), "no message box to type a concern into"
    shown = page.locator("section.noscript").inner_text()  # without scripts, <noscript> is rendered
    assert "call 999 now" in shown
    worcs = next(c.phone for c in kb.area("worcestershire").contacts if c.urgent and c.phone and c.role != "emergency")
    assert worcs in shown
    assert "?message=" not in page.url
