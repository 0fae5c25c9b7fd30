"""End to end over Slack: the real Rasa and action servers, Slack's requests signed as Slack
signs them, and replies captured at a local fake of the Slack Web API.

The run's shared stack (tests/support/shared_stack.py; starting Rasa costs about a minute).
Every practitioner is a different Slack user in a different channel, so the tests do not
share a conversation, with each other or with the other modules on that stack.
Needs the trained model; skipped, with the reason, without it.
"""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.channels.slack_support import (
    SALT,
    SlackSender,
    buttons_of,
    post_text,
    validate_blocks,
)
from tests.support.numbers import number_of, urgent_numbers
from tests.support.stack import needs_model

pytestmark = needs_model

ACK_LIMIT_S = 1.0
BELT = "Dad hits him with a belt and he has marks on his legs."
EMERGENCY = "He came in with a fresh bruise on his cheek and said dad punched him this morning."


@pytest.fixture(scope="module")
def api(shared_slack_api):
    """The fake Slack Web API that the run's shared stack posts to (only this module uses Slack)."""
    return shared_slack_api


@pytest.fixture(scope="module")
def stack(shared_stack):
    """The run's shared stack, whose Slack channel is on with this app's secrets (slack_env, CREDENTIALS)."""
    return shared_stack


@pytest.fixture(scope="module")
def slack(stack):
    return SlackSender(f"{stack.rasa_url}/webhooks/slack/webhook")


def say(slack, api, text, *, user, channel, **kw):
    """One message from a practitioner; returns every post the turn produced, checked for Slack."""
    before = len(api.posts_to(channel))
    started = time.perf_counter()
    r = slack.send_event(slack.message_event(text, user=user, channel=channel, **kw))
    ack = time.perf_counter() - started
    assert r.status_code == 200, r.text
    assert ack <= ACK_LIMIT_S, f"ack took {ack:.2f}s"
    posts = api.wait_settled(channel, before)
    for p in posts:
        validate_blocks(p.get("blocks") or [])
    return posts


def click(slack, api, post, title, *, user):
    """Click the button called ``title`` on ``post``; returns the posts that answer it."""
    (button,) = [b for b in buttons_of(post) if b["text"]["text"] == title]
    before = len(api.posts_to(post["channel"]))
    r = slack.send_interaction(slack.click(button, post, user=user))
    assert r.status_code == 200, r.text
    return api.wait_settled(post["channel"], before)


def text_of(posts):
    return "\n".join(post_text(p) for p in posts)


def converse_to_answer(slack, api, *, user, channel, area, concern):
    """Name the area, describe the concern, answer 'No' to questions that help (by button)."""
    assert "answer for" in text_of(say(slack, api, f"I work in {area}", user=user, channel=channel))
    posts = say(slack, api, concern, user=user, channel=channel)
    everything = list(posts)
    for _ in range(5):
        if "Who to contact now" in text_of(posts):
            return everything
        with_no = [p for p in posts if any(b["text"]["text"] == "No" for b in buttons_of(p))]
        posts = click(slack, api, with_no[-1], "No", user=user) if with_no else say(slack, api, "no", user=user, channel=channel)
        everything += posts
    raise AssertionError(f"no answer after the questions: {text_of(everything)}")


def test_a_direct_message_is_answered_in_the_direct_message(slack, api):
    posts = say(slack, api, "I work in Worcs", user="U0DM", channel="D0DM")
    assert "answer for Worcestershire" in text_of(posts)
    assert all("thread_ts" not in p for p in posts)


def test_a_concern_after_naming_the_area_gets_the_level_and_the_area_numbers(slack, api):
    posts = converse_to_answer(slack, api, user="U0WORCS", channel="D0WORCS", area="Worcs", concern=BELT)
    (answer,) = [p for p in posts if "Who to contact now" in post_text(p)]
    text = post_text(answer)
    assert "level 4" in text
    for number in (number_of("worcestershire", "family-front-door"), number_of("worcestershire", "out-of-hours")):
        assert number in text
    context = answer["blocks"][-1]
    assert context["type"] == "context" and "years old" in post_text({"blocks": [context]})
    assert [b["value"] for b in buttons_of(answer)] == ["/ask_contacts", "/ask_pathway", "/ask_consent", "/ask_escalation"]


def test_a_button_click_says_the_button_value(slack, api):
    posts = converse_to_answer(slack, api, user="U0REDCAR", channel="D0REDCAR", area="Redcar", concern=BELT)
    answer = [p for p in posts if "Who to contact now" in post_text(p)][-1]
    contacts = click(slack, api, answer, "Who do I call?", user="U0REDCAR")
    assert "Who to call in Redcar" in text_of(contacts) and number_of("redcar-cleveland", "redcar-mach") in text_of(contacts)


def test_an_app_mention_in_a_channel_is_answered_in_a_thread_under_it(slack, api):
    before = len(api.posts_to("C0MENTION"))
    body = slack.message_event("I'm in Tameside", user="U0MENTION", channel="C0MENTION", mention=True)
    assert slack.send_event(body).status_code == 200
    posts = api.wait_settled("C0MENTION", before)
    assert "answer for Tameside" in text_of(posts)
    thread = body["event"]["ts"]
    assert {p.get("thread_ts") for p in posts} == {thread}
    more = say(slack, api, "who do I call?", user="U0MENTION", channel="C0MENTION", mention=True, thread_ts=thread)
    assert {p.get("thread_ts") for p in more} == {thread}
    assert number_of("tameside", "childrens-hub") in text_of(more)


def test_the_emergency_line_comes_first(slack, api):
    say(slack, api, "I'm in Tameside", user="U0URGENT", channel="D0URGENT")
    posts = say(slack, api, EMERGENCY, user="U0URGENT", channel="D0URGENT")
    first_block = posts[0]["blocks"][0]["text"]["text"]
    assert first_block.startswith(":rotating_light: *")
    assert "999" in first_block and any(n in first_block for n in urgent_numbers("tameside"))
    assert "999" in posts[0]["text"].splitlines()[0], "the notification preview says 999 too"


@pytest.mark.parametrize("reason", ["http_timeout", "http_error"])
def test_a_retry_never_gives_a_second_reply(slack, api, reason):
    control = say(slack, api, "I work in Stockton", user=f"U0CTRL{reason}", channel=f"D0CTRL{reason}")
    channel = f"D0RETRY{reason}"
    body = slack.message_event("I work in Stockton", user=f"U0RETRY{reason}", channel=channel)
    assert slack.send_event(body).status_code == 200
    during = slack.send_event(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": reason})
    assert during.status_code == 200
    first = api.wait_settled(channel, 0)
    after = slack.send_event(body, headers={"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": reason})
    assert after.status_code == 200 and after.headers.get("X-Slack-No-Retry") == "1"
    assert len(api.wait_quiet(channel, 3)) == len(first) == len(control)


def test_a_retry_of_an_event_never_received_is_answered_once(slack, api):
    body = slack.message_event("I work in Cambs", user="U0LOST", channel="D0LOST")
    r = slack.send_event(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    assert r.status_code == 200
    first = api.wait_settled("D0LOST", 0)
    assert "answer for Cambridgeshire" in text_of(first)
    assert slack.send_event(body).status_code == 200  # the original, arriving late
    assert len(api.wait_quiet("D0LOST", 3)) == len(first)


@pytest.mark.parametrize("how", ["bad signature", "stale timestamp"])
def test_an_unsigned_or_stale_request_gets_401_and_no_reply(slack, api, how):
    channel = f"D0FORGED{how.split()[0]}"
    body = slack.message_event("I work in Worcs", user="U0FORGED", channel=channel)
    if how == "bad signature":
        r = slack.send_event(body, secret="not-the-signing-secret-of-this-app")
    else:
        r = slack.send_event(body, timestamp=int(time.time()) - 6 * 60)
    assert r.status_code == 401
    assert api.wait_quiet(channel, 3) == []


def test_conversations_are_stored_under_salted_hashes_and_text_is_not_logged(slack, api, stack):
    say(slack, api, "I work in Worcs", user="U0PRIVACY", channel="D0PRIVACY")
    say(slack, api, "Her mum says the neighbour shouts at her every night.", user="U0PRIVACY", channel="D0PRIVACY")
    with sqlite3.connect(stack.folder / "conversations.db") as db:
        senders = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
        stored = "\n".join(str(row) for row in db.execute("SELECT * FROM events"))
    slack_senders = {s for s in senders if s.startswith("slack-")}
    assert slack_senders and all(len(s) == len("slack-") + 32 for s in slack_senders)
    for raw in ("U0PRIVACY", "D0PRIVACY", slack.team, SALT):
        assert raw not in stored and all(raw not in s for s in senders)
    log = stack.log_tail("rasa", 200_000)
    assert "neighbour shouts" not in log and "U0PRIVACY" not in log


def test_feedback_by_button_reaches_the_leads_report_with_no_personal_data(slack, api, loaded_engine):
    """Slack: an assessment, then "No, I'd say level 3"; the report shows the advice (channel
    slack) and the feedback, and the database holds no name, address or words of the concern."""
    from datetime import date, timedelta

    from bot.audit.report import build_report
    from tests.support.audit import stored_text

    posts = converse_to_answer(slack, api, user="U0FEED", channel="D0FEED", area="Worcs",
                               concern="Tyler Smith of 14 Acacia Avenue keeps bunking off school all term")
    (question,) = [p for p in posts if "Was this helpful and right?" in post_text(p)]
    assert "Thank you" in text_of(click(slack, api, question, "No, I'd say level 3", user="U0FEED"))
    report = build_report(loaded_engine, date.today() - timedelta(days=1))
    assert report.by_channel["slack"] >= 1
    assert any(area == "worcestershire" and answered for (area, _), (_, answered) in report.agreement.items())
    stored = stored_text(loaded_engine)
    for personal in ("Tyler", "Smith", "Acacia", "bunking", "U0FEED", "D0FEED"):
        assert personal not in stored
