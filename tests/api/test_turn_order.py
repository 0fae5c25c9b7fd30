"""Turns of one web chat conversation are answered one at a time, in the order they arrived."""

from __future__ import annotations

import asyncio

from api.chat_sessions import TurnOrder


def test_a_burst_of_turns_is_answered_in_arrival_order_whatever_each_takes():
    async def burst() -> list[int]:
        order, answered = TurnOrder(), []

        async def turn(n: int, takes: float) -> None:
            async with order.turn("conversation-1"):
                await asyncio.sleep(takes)  # the first turn is the slowest to answer
                answered.append(n)

        await asyncio.gather(*(turn(n, takes) for n, takes in enumerate([0.05, 0.01, 0.03, 0.0])))
        assert len(order) == 0, "a conversation with nothing queued is forgotten"
        return answered

    assert asyncio.run(burst()) == [0, 1, 2, 3]


def test_different_conversations_do_not_wait_for_each_other():
    async def two() -> list[str]:
        order, answered = TurnOrder(), []

        async def turn(conversation: str, takes: float) -> None:
            async with order.turn(conversation):
                await asyncio.sleep(takes)
                answered.append(conversation)

        await asyncio.gather(turn("slow", 0.05), turn("quick", 0.0))
        return answered

    assert asyncio.run(two()) == ["quick", "slow"]
