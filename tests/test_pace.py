"""Each chat's pace, as Telegram counts: a burst, then about one a second; 20 a minute in a group."""

from __future__ import annotations

import asyncio
import bisect
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.chat.pace import COSMETIC, Budget, ChatPace, NoRoom, ReplyLimiter

PERSON, GROUP = 1001, -1001


class Clock:
    """Time that moves only when the test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def send_as_soon_as_allowed(pace: ChatPace, clock: Clock, chat: int, seconds: float, spare: int = 0) -> list[float]:
    """Every message the pace lets through to one chat within `seconds`, each as early as it may go."""
    times: list[float] = []
    while clock.now < seconds:
        if (wait := pace.wait(chat, spare)) > 0:
            clock.now += wait
            continue
        pace.take(chat)
        times.append(clock.now)
    return times


def most_within(times: list[float], window: float) -> int:
    """The most messages in any half-open window of `window` seconds."""
    return max(bisect.bisect_left(times, at + window - 1e-9) - i for i, at in enumerate(times))


@pytest.mark.parametrize("burst", [1, 3, 1000])
def test_a_group_gets_20_messages_a_minute_and_never_more_whatever_the_burst(burst: int) -> None:
    clock = Clock()
    times = send_as_soon_as_allowed(ChatPace(burst, clock), clock, GROUP, 600)
    assert most_within(times, 60) == 20
    assert len(times) == 200


def test_a_person_gets_a_short_burst_then_about_one_a_second() -> None:
    clock = Clock()
    times = send_as_soon_as_allowed(ChatPace(3, clock), clock, PERSON, 60)
    assert times[:3] == [0.0, 0.0, 0.0]
    assert most_within(times, 1) <= 4 and most_within(times, 10) <= 13
    assert 60 <= len(times) <= 63


def test_the_sender_leaves_a_place_of_the_burst_for_an_answer() -> None:
    clock = Clock()
    pace = ChatPace(3, clock)
    pace.take(PERSON)
    pace.take(PERSON)
    assert pace.wait(PERSON, spare=1) > 0  # the sender waits…
    assert pace.wait(PERSON) == 0  # …an answer does not
    assert pace.busy(spare=1) == {PERSON} and pace.busy() == frozenset()


def test_a_flood_wait_holds_its_chat_for_exactly_its_time_and_no_other() -> None:
    clock = Clock()
    pace = ChatPace(3, clock)
    pace.take(PERSON)
    pace.hold(PERSON, 7)
    assert pace.wait(PERSON) == 7 and pace.wait(PERSON, spare=1) == 7
    assert pace.wait(PERSON + 1) == 0
    clock.now = 7
    assert pace.wait(PERSON) == 0 and pace.wait(PERSON, spare=1) == 0
    clock.now = 8
    assert pace.busy(spare=1) == frozenset()  # forgotten once idle: the map stays small


class Telegram:
    """What the limiter calls: counts the calls, and answers 429 while told to."""

    def __init__(self, flood: int = 0) -> None:
        self.calls = 0
        self.flood = flood

    async def call(self) -> dict[str, Any]:
        self.calls += 1
        if self.flood:
            raise RetryAfter(self.flood)
        return {"message_id": self.calls}


async def ask(limiter: ReplyLimiter, telegram: Telegram, chat: object, cosmetic: bool = False) -> Any:
    data = {"chat_id": chat, "text": "hello"}
    return await limiter.process_request(telegram.call, (), {}, "sendMessage", data, COSMETIC if cosmetic else None)


async def test_a_cosmetic_call_is_left_out_unless_the_chat_keeps_a_place_for_an_answer() -> None:
    pace, telegram = ChatPace(3, Clock()), Telegram()
    limiter = ReplyLimiter(pace)
    assert await ask(limiter, telegram, PERSON, cosmetic=True) == {"message_id": 1}
    await ask(limiter, telegram, PERSON)  # an answer: one place of the burst left
    with pytest.raises(NoRoom):
        await ask(limiter, telegram, PERSON, cosmetic=True)
    assert telegram.calls == 2 and await ask(limiter, telegram, PERSON) == {"message_id": 3}


async def test_a_429_on_an_answer_holds_its_chat_even_when_no_retry_is_left() -> None:
    clock = Clock()
    pace, telegram = ChatPace(3, clock), Telegram(flood=5)
    with pytest.raises(RetryAfter):
        await ask(ReplyLimiter(pace, retries=0), telegram, PERSON)
    assert pace.wait(PERSON) == 5 and pace.wait(PERSON + 1) == 0


async def test_calls_that_are_not_to_one_chat_are_not_paced() -> None:
    pace, telegram = ChatPace(1, Clock()), Telegram()
    limiter = ReplyLimiter(pace)
    for _ in range(5):
        await ask(limiter, telegram, "@channel")
    assert telegram.calls == 5 and pace.busy() == frozenset()


async def test_a_flood_wait_on_the_budget_holds_the_requests_already_started_too() -> None:
    budget = Budget(1000)
    await asyncio.wait_for(budget.admit(), 0.5)  # free: at once
    budget.hold(30)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(budget.admit(), 0.5)
