"""The Redis lock store for several Rasa replicas: one ticket per turn, whoever asks at once.

Runs inside Rasa's own environment (.venv-rasa), as Rasa does, against the real Redis of the
machine (``TEST_REDIS_URL``, default redis://127.0.0.1:6379/1); each test uses its own key
prefix and deletes its keys afterwards. Skipped, saying why, only when no Redis answers.
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

PRELUDE = textwrap.dedent(r"""
    import asyncio, multiprocessing, sys, time
    import redis
    from rasa_addons.redis_lock_store import AtomicRedisLockStore
    from rasa_addons.arrival import reserved_turn
    URL, PREFIX = sys.argv[1], sys.argv[2]

    def store():
        return AtomicRedisLockStore(url=URL, prefix=PREFIX)

    def clean():
        r = redis.Redis.from_url(URL)
        keys = list(r.scan_iter(PREFIX + ":*"))
        if keys:
            r.delete(*keys)
""")


def run(body: str) -> list[str]:
    prefix = f"test{secrets.token_hex(6)}"
    script = PRELUDE + textwrap.dedent(body) + "\ntry:\n    main()\nfinally:\n    clean()\n"
    return run_in_rasa(script, REDIS_URL, prefix).split()


def test_processes_issuing_tickets_at_once_never_share_one():
    out = run(r"""
        def issue_many(queue, start):
            s = store()
            start.wait()
            queue.put([s.issue_ticket("conversation-1") for _ in range(50)])

        def main():
            queue, start = multiprocessing.Queue(), multiprocessing.Event()
            workers = [multiprocessing.Process(target=issue_many, args=(queue, start)) for _ in range(4)]
            for w in workers:
                w.start()
            start.set()
            tickets = sum((queue.get(timeout=60) for _ in workers), [])
            for w in workers:
                w.join()
            assert len(tickets) == 200, len(tickets)
            assert len(set(tickets)) == 200, "two replicas were given the same ticket"
            lock = store().get_lock("conversation-1")
            assert [t.number for t in lock.tickets] == sorted(tickets), "an issued ticket is not in the queue"
            print("unique", len(set(tickets)))
    """)
    assert out == ["unique", "200"]


def test_turns_are_served_in_ticket_order_and_the_lock_is_removed_after():
    out = run(r"""
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
            assert order == ["first"], order            # the second waits for the first
            assert a.is_someone_waiting("conversation-2")
            await asyncio.gather(first, second)
            assert order == ["first", "second"], order
            assert a.get_lock("conversation-2") is None  # nobody waiting: the lock is gone

        def main():
            asyncio.run(scenario())
            print("ordered")
    """)
    assert out == ["ordered"]


def test_a_ticket_reserved_on_arrival_is_served_and_an_unused_one_given_back():
    out = run(r"""
        async def scenario():
            s = store()
            with reserved_turn(s, "conversation-3") as reservation:
                assert reservation.ticket == 1
                async with s.lock("conversation-3") as lock:
                    assert lock.now_serving == 1          # the turn runs on the ticket it reserved
                assert reservation.taken
            with reserved_turn(s, "conversation-3") as refused:
                pass                                       # refused before reaching Rasa
            assert s.get_lock("conversation-3") is None    # its ticket was given back
            with reserved_turn(s, "conversation-3") as later:
                assert later.ticket == 3                   # numbers keep rising: never reused
                async with s.lock("conversation-3"):
                    pass

        def main():
            asyncio.run(scenario())
            print("reserved")
    """)
    assert out == ["reserved"]


def test_expired_tickets_no_longer_hold_the_conversation():
    out = run(r"""
        def main():
            s = store()
            stuck = s.issue_ticket("conversation-4", lock_lifetime=0.2)   # a replica died holding it
            waiting = s.issue_ticket("conversation-4", lock_lifetime=60)
            assert s.get_lock("conversation-4").is_locked(waiting)
            time.sleep(0.4)
            s.update_lock("conversation-4")
            assert [t.number for t in s.get_lock("conversation-4").tickets] == [waiting]
            assert not s.get_lock("conversation-4").is_locked(waiting)
            s.save_lock(s.get_lock("conversation-4"))
            assert [t.number for t in s.get_lock("conversation-4").tickets] == [waiting]
            s.cleanup("conversation-4", waiting)
            assert s.get_lock("conversation-4") is None
            print("expired", stuck < waiting)
    """)
    assert out == ["expired", "True"]


def test_redis_down_is_a_lock_error_naming_the_lock_store():
    out = run_in_rasa(textwrap.dedent(r"""
        from rasa.core.lock_store import LockError
        from rasa_addons.redis_lock_store import AtomicRedisLockStore
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
        store = AtomicRedisLockStore(url=f"redis://127.0.0.1:{port}/1")
        try:
            store.issue_ticket("conversation-5")
        except LockError as exc:
            print("refused" if "Redis lock store" in str(exc) else exc)
    """))
    assert out == "refused"
