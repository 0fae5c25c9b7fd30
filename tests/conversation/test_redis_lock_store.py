"""The Redis lock store for several Rasa replicas: one ticket per turn, whoever asks at once.

Runs inside Rasa's own environment (.venv-rasa), as Rasa does, against the real Redis of the
machine (``TEST_REDIS_URL``, default redis://127.0.0.1:6379/1). Every scenario runs in one
process of Rasa's Python (importing Rasa takes seconds), each with its own key prefix, and its
keys are deleted afterwards. Skipped, saying why, only when no Redis answers.
"""

from __future__ import annotations

import os
import secrets
import textwrap

import pytest

from tests.support.rasa_env import run_in_rasa
from tests.support.servers import redis_unreachable

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
pytestmark = pytest.mark.skipif(bool(redis_unreachable(REDIS_URL)),
                                reason=f"Redis is not reachable at {REDIS_URL} ({redis_unreachable(REDIS_URL)}): "
                                       "start it (DEVELOPERS.md) or set TEST_REDIS_URL")

PRELUDE = r"""
import asyncio, contextlib, io, multiprocessing, socket, sys, time, traceback
import redis
from rasa.core.lock_store import LockError
from rasa_addons.redis_lock_store import AtomicRedisLockStore
from rasa_addons.arrival import reserved_turn
URL = sys.argv[1]
PREFIX = None

def store():
    return AtomicRedisLockStore(url=URL, prefix=PREFIX)

def clean():
    r = redis.Redis.from_url(URL)
    keys = list(r.scan_iter(PREFIX + ":*"))
    if keys:
        r.delete(*keys)

def issue_many(prefix, queue, start):
    s = AtomicRedisLockStore(url=URL, prefix=prefix)
    start.wait()
    queue.put([s.issue_ticket("conversation-1") for _ in range(50)])
"""

SCENARIOS = {
    "unique": r"""
def main():
    queue, start = multiprocessing.Queue(), multiprocessing.Event()
    workers = [multiprocessing.Process(target=issue_many, args=(PREFIX, queue, start)) for _ in range(4)]
    for w in workers:
        w.start()
    start.set()
    tickets = sum((queue.get(timeout=60) for _ in workers), [])
    for w in workers:
        w.join()
    lock = store().get_lock("conversation-1")
    print(len(tickets), len(set(tickets)), [t.number for t in lock.tickets] == sorted(tickets))
""",
    "ordered": r"""
async def turn(s, name, order, hold):
    async with s.lock("conversation-2", wait_time_in_seconds=0.01):
        order.append(name)
        await asyncio.sleep(hold)

async def scenario():
    a, b = store(), store()   # two replicas
    order = []
    first = asyncio.create_task(turn(a, "first", order, 0.3))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(turn(b, "second", order, 0))
    await asyncio.sleep(0.1)
    while_first_runs = list(order)
    waiting = a.is_someone_waiting("conversation-2")
    await asyncio.gather(first, second)
    print(while_first_runs, waiting, order, a.get_lock("conversation-2"))

def main():
    asyncio.run(scenario())
""",
    "reserved": r"""
async def scenario():
    s = store()
    with reserved_turn(s, "conversation-3") as reservation:
        async with s.lock("conversation-3") as lock:
            serving = lock.now_serving              # the turn runs on the ticket it reserved
        taken = reservation.taken
    with reserved_turn(s, "conversation-3") as refused:
        pass                                        # refused before reaching Rasa
    given_back = s.get_lock("conversation-3") is None
    with reserved_turn(s, "conversation-3") as later:
        async with s.lock("conversation-3"):
            pass
    print(reservation.ticket, serving, taken, given_back, later.ticket)

def main():
    asyncio.run(scenario())
""",
    "expired": r"""
def main():
    s = store()
    stuck = s.issue_ticket("conversation-4", lock_lifetime=0.2)   # a replica died holding it
    waiting = s.issue_ticket("conversation-4", lock_lifetime=60)
    locked_before = s.get_lock("conversation-4").is_locked(waiting)
    time.sleep(0.4)
    s.update_lock("conversation-4")
    left = [t.number for t in s.get_lock("conversation-4").tickets]
    locked_after = s.get_lock("conversation-4").is_locked(waiting)
    s.save_lock(s.get_lock("conversation-4"))
    saved = [t.number for t in s.get_lock("conversation-4").tickets]
    s.cleanup("conversation-4", waiting)
    print(locked_before, left == [waiting], locked_after, saved == [waiting], s.get_lock("conversation-4"))
""",
    "redis_down": r"""
def main():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = AtomicRedisLockStore(url=f"redis://127.0.0.1:{port}/1")
    try:
        down.issue_ticket("conversation-5")
        print("issued")
    except LockError as exc:
        print("LockError", "Redis lock store" in str(exc))
""",
}

RUNNER = r"""
if __name__ == "__main__":
    for name, prefix in zip(sys.argv[2::2], sys.argv[3::2]):
        PREFIX = prefix
        exec(SOURCES[name])
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                main()
        except Exception:
            buffer.write("FAILED " + traceback.format_exc())
        finally:
            clean()
        print(name + "=" + " ".join(buffer.getvalue().split()))
"""


@pytest.fixture(scope="module")
def results() -> dict[str, str]:
    """Each scenario's output, by name, from one run of Rasa's Python."""
    args = [REDIS_URL]
    for name in SCENARIOS:
        args += [name, f"test{secrets.token_hex(6)}"]
    script = PRELUDE + f"\nSOURCES = {SCENARIOS!r}\n" + RUNNER
    lines = run_in_rasa(textwrap.dedent(script), *args).splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_processes_issuing_tickets_at_once_never_share_one(results):
    # four processes, 50 tickets each, all at once: 200 tickets, 200 numbers, every one queued
    assert results["unique"] == "200 200 True"


def test_turns_on_two_replicas_are_served_in_ticket_order_and_the_lock_is_removed_after(results):
    # while the first runs, the second waits; then both ran in order; nobody waiting: no lock
    assert results["ordered"] == "['first'] True ['first', 'second'] None"


def test_a_ticket_reserved_on_arrival_is_served_and_an_unused_one_given_back(results):
    # ticket 1 served; taken; the refused turn's ticket 2 given back; numbers never reused (3)
    assert results["reserved"] == "1 1 True True 3"


def test_expired_tickets_no_longer_hold_the_conversation(results):
    assert results["expired"] == "True True False True None"


def test_redis_down_is_a_lock_error_naming_the_lock_store(results):
    assert results["redis_down"] == "LockError True"
