"""Each turn the API sends Rasa carries X-Conversation, so the load balancer keeps a conversation
on one Rasa replica (docs/deployment.md): the same for every turn of a conversation, different
between conversations, and not the conversation id itself."""

from __future__ import annotations

import asyncio

import httpx

from api.rasa_rest import RasaRest, conversation_key


def test_every_turn_of_a_conversation_carries_the_same_key_and_never_the_id():
    seen: list[tuple[str, str]] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers.get("X-Conversation", ""), request.headers.get("Authorization", "")))
        return httpx.Response(200, json=[{"text": "ok"}])

    client = RasaRest("http://rasa.test", transport=httpx.MockTransport(rasa), token="s3cret")

    async def turns() -> None:
        for sender in ("web-aaaa", "web-aaaa", "web-bbbb"):
            await client.turn(sender, "hello")

    asyncio.run(turns())
    keys = [key for key, _ in seen]
    assert keys[0] == keys[1] == conversation_key("web-aaaa") and keys[2] == conversation_key("web-bbbb")
    assert keys[0] != keys[2] and all(len(k) == 32 and "aaaa" not in k for k in keys)
    assert all(auth == "Bearer s3cret" for _, auth in seen)
