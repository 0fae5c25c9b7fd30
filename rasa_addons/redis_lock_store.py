"""Rasa's ticket locks in Redis, atomic across hosts: the scale-out lock store.

Rasa 3.6's open-source ``RedisLockStore`` issues a ticket by reading the lock, adding a ticket
in Python and writing the lock back: two replicas can read the same lock and hand out the same
ticket number, and then both process a turn of one conversation at once (Rasa's own notes say
it does not protect against that race). Here every step that changes a lock is one Redis
command or one Lua script, which Redis runs alone:

- a ticket's number comes from ``INCR`` on the conversation's counter, so no two turns, on any
  host, ever get the same number; the same script records the ticket (number -> expiry) in the
  conversation's hash, so the ticket is in the queue the moment it exists;
- serving, expiring and cleaning up tickets are scripts too (a read and a write never race).

It serves the tickets our channels reserve when a turn arrives (:mod:`rasa_addons.arrival`,
through :class:`rasa_addons.lock_store.ArrivalOrderedLocks`); reserving is ``issue_ticket``,
so it is atomic in the same way. deploy/endpoints.scaled.yml names it::

    lock_store:
      type: rasa_addons.redis_lock_store.AtomicRedisLockStore

``LOCK_STORE_URL`` (default ``redis://127.0.0.1:6379/1``) says where Redis is, unless the
endpoint gives a ``url``; ``LOCK_STORE_PREFIX`` (default ``navigator``) starts every key.
Keys hold conversation ids (hashed for Teams and Slack), ticket numbers and expiry times only.
Ticket expiry is the client's clock, as in Rasa's ``TicketLock``: keep the hosts on NTP.
"""

from __future__ import annotations

import os
import time
from collections import deque
from typing import Any

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError

from rasa_addons.lock_store import ArrivalOrderedLocks

DEFAULT_URL = "redis://127.0.0.1:6379/1"
DEFAULT_PREFIX = "navigator"
SOCKET_TIMEOUT_SECONDS = 2.0
# A conversation's counter outlives its tickets, so numbers keep rising while anyone may still
# hold an older one; a counter for a conversation quiet this long starts again.
COUNTER_EXTRA_SECONDS = 3600

# KEYS[1] tickets hash, KEYS[2] counter; ARGV[1] expiry of the new ticket, ARGV[2] key lifetime (ms).
_ISSUE = """
local number = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], number, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]))
return number
"""
# KEYS[1] tickets hash; ARGV[1] now. Drops expired tickets; deletes the hash when none is left.
_EXPIRE = """
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if tonumber(fields[i + 1]) < tonumber(ARGV[1]) then redis.call('HDEL', KEYS[1], fields[i]) end
end
return redis.call('HLEN', KEYS[1])
"""
# KEYS[1] tickets hash; ARGV[1] ticket. Removes it; deletes the hash when no one waits.
_CLEANUP = """
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) return 1 end
return 0
"""
# KEYS[1] tickets hash; ARGV: lifetime (ms), then number, expiry pairs. Replaces the lock whole.
_SAVE = """
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if #ARGV > 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
"""


def _lifetime_ms(seconds: float) -> int:
    return max(1000, int(seconds * 1000) + 60_000)  # a minute beyond the ticket, for slow clocks


class AtomicRedisLockStore(ArrivalOrderedLocks):
    """Ticket locks shared by every Rasa replica through one Redis; each change is one step."""

    def __init__(self, endpoint_config: Any = None, url: str | None = None, prefix: str | None = None,
                 client: redis.Redis | None = None) -> None:
        config_url = getattr(endpoint_config, "url", None)
        kwargs = getattr(endpoint_config, "kwargs", None) or {}
        self.url = url or config_url or os.environ.get("LOCK_STORE_URL") or DEFAULT_URL
        self.prefix = (prefix or kwargs.get("key_prefix") or os.environ.get("LOCK_STORE_PREFIX")
                       or DEFAULT_PREFIX)
        self.red = client or redis.Redis.from_url(self.url, socket_timeout=SOCKET_TIMEOUT_SECONDS,
                                                  socket_connect_timeout=SOCKET_TIMEOUT_SECONDS)
        self._issue = self.red.register_script(_ISSUE)
        self._expire = self.red.register_script(_EXPIRE)
        self._cleanup = self.red.register_script(_CLEANUP)
        self._save = self.red.register_script(_SAVE)
        super().__init__()

    def _tickets_key(self, conversation_id: str) -> str:
        return f"{self.prefix}:lock:{conversation_id}"

    def _counter_key(self, conversation_id: str) -> str:
        return f"{self.prefix}:ticket:{conversation_id}"

    # The storage primitives Rasa's base class builds on.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        fields = self.red.hgetall(self._tickets_key(conversation_id))
        if not fields:
            return None
        tickets = sorted((Ticket(int(number), float(expires)) for number, expires in fields.items()),
                         key=lambda t: t.number)
        return TicketLock(conversation_id, deque(tickets))

    def save_lock(self, lock: TicketLock) -> None:
        lifetime = max((t.expires for t in lock.tickets), default=time.time()) - time.time()
        args: list[Any] = [_lifetime_ms(lifetime)]
        for ticket in lock.tickets:
            args += [ticket.number, repr(ticket.expires)]
        self._save(keys=[self._tickets_key(lock.conversation_id)], args=args)

    def delete_lock(self, conversation_id: str) -> None:
        self._log_deletion(conversation_id, bool(self.red.delete(self._tickets_key(conversation_id))))

    # Each read-modify-write is one script (the base class does them in separate steps).
    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(self._issue(keys=[self._tickets_key(conversation_id), self._counter_key(conversation_id)],
                                   args=[repr(time.time() + lock_lifetime), _lifetime_ms(lock_lifetime),
                                         COUNTER_EXTRA_SECONDS * 1000]))
        except redis.RedisError as exc:
            raise LockError(f"Error while acquiring lock ({type(exc).__name__} from the Redis lock store)") from exc

    def update_lock(self, conversation_id: str) -> None:
        self._expire(keys=[self._tickets_key(conversation_id)], args=[repr(time.time())])

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.red.hdel(self._tickets_key(conversation_id), ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        deleted = self._cleanup(keys=[self._tickets_key(conversation_id)], args=[ticket_number])
        if deleted:
            self._log_deletion(conversation_id, True)

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return bool(self._expire(keys=[self._tickets_key(conversation_id)], args=[repr(time.time())]))
