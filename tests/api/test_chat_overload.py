"""Beyond what Rasa can serve, a web chat turn gets 503 "busy" at once, with Retry-After and 999.

Rasa is stood in for by a slow fake (an httpx mock transport that answers only when the test lets
it), so the places with Rasa can be filled and held. Issue 22, part 3.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from api.chat_capacity import Busy, TurnSlots
from api.chat_sessions import ConversationIds
from api.main import create_app
from api.rasa_rest import RasaRest
from api.routes import chat
from bot.config import Settings
from tests.support.numbers import number_of

SECRET = "a test secret for conversation ids"
IDS = ConversationIds(SECRET.encode())


class SlowRasa:
    """Answers like Rasa's REST channel once ``release`` is set; counts the turns it holds."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.holding = 0
        self.received: list[str] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(json.loads(request.content)["message"])
        self.holding += 1
        try:
            await self.release.wait()
        finally:
            self.holding -= 1
        return httpx.Response(200, json=[{"recipient_id": "x", "text": "answered"}])


async def until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


def with_slow_rasa(kb, in_flight: int, queued: int, queue_seconds: float = 2.5):
    app = create_app(kb, settings=Settings(app_env="production", chat_session_secret=SECRET,
                                           chat_max_in_flight=in_flight, chat_max_queued=queued,
                                           chat_queue_seconds=queue_seconds))
    rasa = SlowRasa()
    app.dependency_overrides[chat.get_rasa] = lambda: RasaRest("http://rasa.test", transport=httpx.MockTransport(rasa))
    return app, rasa


async def send(client: httpx.AsyncClient, sender: str, message: str, area: str | None = None) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    r = await client.post("/chat/messages", json={"sender": sender, "message": message, "area": area})
    return r, time.perf_counter() - started


def serve(app, scenario) -> None:
    """Run ``scenario(client)`` against the app (with its lifespan), in one event loop."""
    async def main() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api.test", timeout=10) as client:
                await scenario(client)
    asyncio.run(main())


def assert_busy(r: httpx.Response, took: float) -> None:
    assert r.status_code == 503, r.text
    assert took < 0.1, f"refused after {took * 1000:.0f} ms, not at once"
    assert r.headers["Retry-After"] == "5"
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["reason"] == "busy" and body["title"] == "The assistant is busy"
    text = body["messages"][0]["text"]
    assert text.startswith("The assistant is busy. Try again in a few seconds.\nIf a child is in immediate danger, call 999 now.")
    assert body["messages"][0]["emergency"] is True and body["emergency_number"] == "999"


def test_beyond_the_places_and_the_queue_a_turn_gets_503_busy_at_once_with_999_and_the_urgent_number(kb):
    app, rasa = with_slow_rasa(kb, in_flight=2, queued=1)

    async def scenario(client: httpx.AsyncClient) -> None:
        held = [asyncio.create_task(send(client, IDS.new(), f"turn {n}")) for n in range(3)]
        await until(lambda: rasa.holding == 2 and app.state.chat_slots.waiting == 1)
        r, took = await send(client, IDS.new(), "He said dad punched him this morning", area="tameside")
        assert_busy(r, took)
        assert number_of("tameside", "childrens-hub") in r.json()["detail"] and r.json()["area"]["id"] == "tameside"
        # two of the three held turns are with Rasa (which two is the event loop's order); never the refused one
        assert len(rasa.received) == 2 and set(rasa.received) <= {"turn 0", "turn 1", "turn 2"}, rasa.received

        rasa.release.set()  # the slow turns finish, the queued one goes, and then anyone is answered again
        for r, _ in await asyncio.gather(*held):
            assert r.status_code == 200 and r.json()["messages"][0]["text"] == "answered"
        r, _ = await send(client, IDS.new(), "hello again")
        assert r.status_code == 200, r.text
        assert app.state.chat_slots.busy == 0 and app.state.chat_slots.waiting == 0

    serve(app, scenario)


def test_a_refused_turn_leaves_its_conversation_free_for_the_next_turn(kb):
    app, rasa = with_slow_rasa(kb, in_flight=1, queued=0)
    mine = IDS.new()

    async def scenario(client: httpx.AsyncClient) -> None:
        other = asyncio.create_task(send(client, IDS.new(), "someone else's turn"))
        await until(lambda: rasa.holding == 1)
        r, took = await send(client, mine, "first")
        assert_busy(r, took)
        assert len(app.state.turn_order) == 1, "only the other conversation is still held"
        rasa.release.set()
        assert (await other)[0].status_code == 200
        r, _ = await send(client, mine, "second")
        assert r.status_code == 200, r.text
        assert rasa.received == ["someone else's turn", "second"]
        assert len(app.state.turn_order) == 0

    serve(app, scenario)


def test_a_queued_turn_waits_no_longer_than_the_queue_seconds(kb):
    app, rasa = with_slow_rasa(kb, in_flight=1, queued=5, queue_seconds=0.3)

    async def scenario(client: httpx.AsyncClient) -> None:
        held = asyncio.create_task(send(client, IDS.new(), "slow"))
        await until(lambda: rasa.holding == 1)
        r, took = await send(client, IDS.new(), "queued")
        assert r.status_code == 503 and r.json()["reason"] == "busy"
        assert 0.3 <= took < 0.5, took
        rasa.release.set()
        assert (await held)[0].status_code == 200

    serve(app, scenario)


def test_rasa_down_is_still_unavailable_not_busy(kb):
    app = create_app(kb, settings=Settings(app_env="production", chat_session_secret=SECRET))

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("nothing listens")

    app.dependency_overrides[chat.get_rasa] = lambda: RasaRest("http://rasa.test", transport=httpx.MockTransport(refuse))

    async def scenario(client: httpx.AsyncClient) -> None:
        r, _ = await send(client, IDS.new(), "hello")
        assert r.status_code == 503 and r.json()["reason"] == "unavailable" and r.headers["Retry-After"] == "30"
        assert app.state.chat_slots.busy == 0, "a failed turn gives its place back"

    serve(app, scenario)


# --- the places themselves ----------------------------------------------------------------------
def test_places_are_given_in_arrival_order():
    async def scenario() -> list[int]:
        slots, answered, release = TurnSlots(in_flight=1, queued=10, wait_seconds=5), [], asyncio.Event()

        async def turn(n: int) -> None:
            async with slots.slot():
                if n == 0:
                    await release.wait()
                answered.append(n)

        tasks = [asyncio.create_task(turn(n)) for n in range(5)]
        await until(lambda: slots.waiting == 4)
        release.set()
        await asyncio.gather(*tasks)
        assert slots.busy == 0 and slots.waiting == 0
        return answered

    assert asyncio.run(scenario()) == [0, 1, 2, 3, 4]


def test_when_turns_have_been_slow_a_turn_that_would_wait_too_long_is_refused_at_once():
    """When the CPU is taken by other work each turn takes longer: the queue is refused at once at
    a shorter length, rather than every queued turn waiting out the limit."""
    now = [0.0]

    async def scenario() -> None:
        slots = TurnSlots(in_flight=2, queued=100, wait_seconds=4.5, clock=lambda: now[0])
        release = asyncio.Event()

        async def slow_turn(seconds: float) -> None:
            async with slots.slot():
                await release.wait()
                now[0] += seconds

        release.set()
        for _ in range(2):  # two turns of 1 s each (on the test's clock)
            await slow_turn(1.0)
        assert slots.pace == pytest.approx(1.0)

        release.clear()
        holding = [asyncio.create_task(slow_turn(1.0)) for _ in range(2)]
        await until(lambda: slots.busy == 2)
        # an answer a second (one at a time, 1 s each): the second queued expects its answer in
        # 4 s (two answers for a place, then two answers' time with Rasa), within the limit; a third in 5 s
        queued = [asyncio.create_task(slow_turn(1.0)) for _ in range(2)]
        await until(lambda: slots.waiting == 2)
        started = time.perf_counter()
        with pytest.raises(Busy) as refused:
            async with slots.slot():
                pass
        assert refused.value.why == "expected wait" and time.perf_counter() - started < 0.01
        release.set()
        await asyncio.gather(*holding, *queued)
        assert slots.busy == 0

    asyncio.run(scenario())


def test_a_client_that_goes_away_while_queued_gives_up_its_place():
    async def scenario() -> None:
        slots, release = TurnSlots(in_flight=1, queued=2, wait_seconds=5), asyncio.Event()

        async def turn() -> None:
            async with slots.slot():
                await release.wait()

        holder = asyncio.create_task(turn())
        await until(lambda: slots.busy == 1)
        gone = asyncio.create_task(turn())
        await until(lambda: slots.waiting == 1)
        gone.cancel()
        await asyncio.sleep(0)
        await until(lambda: slots.waiting == 0)
        release.set()
        await holder
        assert slots.busy == 0
        async with slots.slot():
            assert slots.busy == 1

    asyncio.run(scenario())


def test_refusals_are_logged_at_most_once_a_second_with_their_count():
    now = [100.0]
    slots = TurnSlots(in_flight=1, queued=0, wait_seconds=1, clock=lambda: now[0])
    assert slots.note_refusal() == (1, 0.0), "the first refusal is logged at once"
    assert [slots.note_refusal() for _ in range(5)] == [None] * 5
    now[0] += 1.5
    assert slots.note_refusal() == (6, 1.5)
    assert slots.refused == 7


def with_balancer_answering(kb, response: httpx.Response):
    """The app, with the load balancer in front of Rasa answering every turn with ``response``."""
    app = create_app(kb, settings=Settings(app_env="production", chat_session_secret=SECRET))
    app.dependency_overrides[chat.get_rasa] = lambda: RasaRest(
        "http://rasa.test", transport=httpx.MockTransport(lambda request: response))
    return app


def test_a_turn_the_load_balancer_refuses_as_busy_is_answered_busy_with_999(kb):
    """In the scaled topology HAProxy refuses the API's turn at once when every replica's queue is
    full (503 marked X-Navigator-Busy, deploy/haproxy.cfg): the practitioner reads "busy", not
    "unavailable", with Retry-After and 999, as when this API's own bound refuses it."""
    app = with_balancer_answering(kb, httpx.Response(503, json={"error": "busy"},
                                                    headers={"Retry-After": "5", "X-Navigator-Busy": "1"}))

    async def scenario(client: httpx.AsyncClient) -> None:
        r, took = await send(client, IDS.new(), "hello")
        assert_busy(r, took)

    serve(app, scenario)


def test_a_plain_503_from_the_load_balancer_is_still_unavailable(kb):
    """A 503 not marked busy (no replica up, or a turn that waited its 2.5 s in HAProxy's queue)
    is the assistant being unavailable, with 999."""
    app = with_balancer_answering(kb, httpx.Response(503, text="no server"))

    async def scenario(client: httpx.AsyncClient) -> None:
        r, _ = await send(client, IDS.new(), "hello")
        assert r.status_code == 503 and r.json()["reason"] == "unavailable"
        assert "call 999" in r.json()["messages"][0]["text"]

    serve(app, scenario)
