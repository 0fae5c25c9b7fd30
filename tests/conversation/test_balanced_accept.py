"""Rasa's workers share a burst of new connections instead of one worker taking them all.

Two worker processes serve one listening socket, as Sanic's do. Each tells the client its pid,
then is busy for a moment, as Rasa is while it answers a turn.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from rasa_addons import balanced_accept


class PidProtocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(str(os.getpid()).encode() + b"\n")  # type: ignore[attr-defined]
        time.sleep(0.03)  # answering: this worker's loop can take nothing else meanwhile


def serve(sock: socket.socket) -> None:
    balanced_accept.apply()
    loop = asyncio.new_event_loop()
    loop.run_until_complete(loop.create_server(PidProtocol, sock=sock))
    loop.run_forever()


@contextmanager
def workers(count: int) -> Iterator[int]:
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    processes = [multiprocessing.get_context("fork").Process(target=serve, args=(sock,), daemon=True)
                 for _ in range(count)]
    for process in processes:
        process.start()
    time.sleep(0.5)  # both listening
    try:
        yield sock.getsockname()[1]
    finally:
        for process in processes:
            process.kill()
        sock.close()


def burst(port: int, size: int) -> list[int]:
    """Open ``size`` connections at once, then ask each which worker took it."""
    clients = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(size)]
    try:
        return [int(client.makefile().readline()) for client in clients]
    finally:
        for client in clients:
            client.close()


def test_a_burst_of_connections_is_shared_between_the_workers():
    with workers(2) as port:
        for _ in range(5):
            taken = Counter(burst(port, 8))
            assert len(taken) == 2 and min(taken.values()) >= 2, taken
            time.sleep(0.05)


def test_one_worker_still_takes_every_connection():
    with workers(1) as port:
        assert len(set(burst(port, 8))) == 1
