"""Several Rasa workers share one SQLite lock store: turns of one conversation stay in order.

Runs inside Rasa's own environment (.venv-rasa), as Rasa does.
"""

from __future__ import annotations

import textwrap

from tests.support.rasa_env import run_in_rasa

SCRIPT = textwrap.dedent(r"""
    import asyncio, multiprocessing, sys
    from pathlib import Path
    from rasa_addons.lock_store import SQLiteLockStore

    DB = Path(sys.argv[1])

    def issue_many(queue):
        store = SQLiteLockStore(path=DB)
        queue.put([store.issue_ticket("conversation-1") for _ in range(40)])

    if __name__ == "__main__":
        # Two worker processes issue tickets for one conversation at the same time.
        queue = multiprocessing.Queue()
        workers = [multiprocessing.Process(target=issue_many, args=(queue,)) for _ in range(2)]
        for w in workers:
            w.start()
        tickets = queue.get(timeout=60) + queue.get(timeout=60)
        for w in workers:
            w.join()
        assert len(set(tickets)) == 80, "two workers were given the same ticket"
        print("unique tickets")

        # The lock is held while a turn runs and released (and removed) afterwards.
        store = SQLiteLockStore(path=DB.with_name("second.db"))
        async def turn():
            async with store.lock("conversation-2") as lock:
                assert store.get_lock("conversation-2") is not None
                assert store.issue_ticket("conversation-2") == 1  # the next turn waits
                assert store.is_someone_waiting("conversation-2")
            assert store.get_lock("conversation-2") is not None  # the waiting turn keeps it
            store.cleanup("conversation-2", 1)
            assert store.get_lock("conversation-2") is None
        asyncio.run(turn())
        print("released")
""")


def test_two_workers_never_get_the_same_ticket_and_locks_are_released(tmp_path):
    assert run_in_rasa(SCRIPT, str(tmp_path / "c.db")).split() == ["unique", "tickets", "released"]
