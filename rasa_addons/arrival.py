"""A conversation's turns are taken in the order they arrived, across Rasa's workers.

Rasa issues a turn's ticket (its place in the conversation's queue) only when the turn
reaches ``Agent.handle_message``. Between a worker accepting a request and that point the
worker may be busy with another conversation's model, so under a burst a later turn, taken
by an idle worker, could be issued its ticket first and be answered out of order ("who do I
contact?" answered with "Which area do you work in?").

So our channels reserve the ticket the moment a turn arrives, before anything is awaited
(:func:`reserved_turn`), and our lock store uses that ticket instead of issuing a new one
(:class:`rasa_addons.lock_store.ArrivalOrderedLocks`). A reservation never handed to the lock store (the request
was refused, or failed before reaching Rasa) is given back at once, so it cannot hold up the
conversation's next turn. Waiting turns check the lock every 50 ms instead of Rasa's 1 s.

Standard library only: the Slack channel's tests import it outside Rasa's environment.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

WAIT_BETWEEN_CHECKS_SECONDS = 0.05


@dataclass
class Reservation:
    conversation_id: str
    ticket: int
    taken: bool = False


_reserved: ContextVar[Reservation | None] = ContextVar("reserved_turn", default=None)


def take_reservation(conversation_id: str) -> int | None:
    """The ticket reserved for this turn of ``conversation_id``, once (for the lock store)."""
    reservation = _reserved.get()
    if reservation and reservation.conversation_id == conversation_id and not reservation.taken:
        reservation.taken = True
        return reservation.ticket
    return None


def reserve(lock_store: Any, conversation_id: str) -> Reservation | None:
    """Take the next ticket for ``conversation_id`` now (None if the lock store is not ours)."""
    if not getattr(lock_store, "serves_reserved_turns", False):
        return None
    try:
        return Reservation(conversation_id, lock_store.issue_ticket(conversation_id))
    except Exception as exc:  # noqa: BLE001 - the lock store down (Redis): the turn goes on to fail visibly
        logger.warning("could not reserve a turn's place (%s): Rasa's own lock decides", type(exc).__name__)
        return None


@contextmanager
def reserved_turn(lock_store: Any, conversation_id: str) -> Iterator[Reservation | None]:
    """Reserve the turn's place on arrival; messages handled inside use it.

    Call it before the handler first awaits. Tasks created inside (Slack, Teams) inherit the
    reservation; they must be awaited, or use :func:`hand_over`, before this block ends.
    """
    reservation = reserve(lock_store, conversation_id)
    token = _reserved.set(reservation)
    try:
        yield reservation
    finally:
        _reserved.reset(token)
        if reservation and not reservation.taken:
            lock_store.cleanup(conversation_id, reservation.ticket)


@asynccontextmanager
async def hand_over(lock_store: Any, reservation: Reservation | None) -> AsyncIterator[None]:
    """In a background task: use ``reservation`` for the turn, and give it back if unused."""
    token = _reserved.set(reservation)
    try:
        yield
    finally:
        _reserved.reset(token)
        if reservation and not reservation.taken:
            lock_store.cleanup(reservation.conversation_id, reservation.ticket)
