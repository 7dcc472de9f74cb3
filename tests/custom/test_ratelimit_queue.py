"""LocalRateLimiter's queue: only the head is woken, first in first out, across threads, at O(1) per admission."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.operations import RateLimitRule
from cliq_channels_client.custom.ratelimit import LocalRateLimiter

RULE = RateLimitRule(threshold=3, window=10.0, lock=600.0)


@pytest.mark.anyio
async def test_many_waiters_are_admitted_first_come_first_served_with_a_bounded_number_of_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """300 waiters: each admission check runs a bounded number of times (the old queue woke all: ~N^2/threshold)."""
    limiter = LocalRateLimiter(clock=FakeClock())
    checks = 0
    admit = LocalRateLimiter._admit

    def counted(self: LocalRateLimiter, *args: object, **kwargs: object) -> object:
        nonlocal checks
        checks += 1
        return admit(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(LocalRateLimiter, "_admit", counted)
    order: list[int] = []

    async def caller(index: int) -> None:
        await limiter.aacquire("k", RULE, operation_id="op", max_wait=1e9)
        order.append(index)
        await limiter.arelease("k", RULE)

    async with anyio.create_task_group() as group:
        for index in range(300):
            group.start_soon(caller, index)
            await anyio.lowlevel.checkpoint()  # queue them in index order
    assert order == list(range(300))
    assert checks < 6 * 300


def test_an_async_waiter_is_woken_by_a_release_from_another_thread() -> None:
    """The waiter parks without polling (poll_interval an hour): a release made by a thread must reach its event loop.

    Woken by the releases it finishes in about 0.1 s + two windows; by a poll it would take an hour.  The
    ``fail_after`` is a liveness bound between the two, not a speed goal.
    """
    limiter = LocalRateLimiter(poll_interval=3600.0)
    rule = RateLimitRule(threshold=1, window=0.2, lock=600.0)
    limiter.acquire("k", rule, operation_id="op", max_wait=0)  # in flight
    parked = threading.Event()

    def release_later() -> None:
        parked.wait(10)
        time.sleep(0.1)
        limiter.release("k", rule)

    async def main() -> None:
        thread = threading.Thread(target=release_later)
        thread.start()
        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:

                async def second() -> None:  # queued behind the first waiter: parks until that one is admitted
                    await limiter.aacquire("k", rule, operation_id="op", max_wait=60)

                async def first() -> None:
                    await limiter.aacquire("k", rule, operation_id="op", max_wait=60)
                    limiter.release("k", rule)

                group.start_soon(first)
                await anyio.wait_all_tasks_blocked()
                group.start_soon(second)
                await anyio.wait_all_tasks_blocked()
                parked.set()
        thread.join()

    for backend in ("asyncio", "trio"):
        anyio.run(main, backend=backend)  # TimeoutError if a release failed to wake a waiter
        limiter.release("k", rule)  # the second caller's slot
        limiter.acquire("k", rule, operation_id="op", max_wait=60)  # in flight again for the next backend


def test_threads_queue_first_come_first_served_and_each_is_woken_alone() -> None:
    limiter = LocalRateLimiter(clock=FakeClock())
    for _ in range(RULE.threshold):
        limiter.acquire("k", RULE, operation_id="op", max_wait=0)
    order: list[int] = []
    threads = []

    def caller(index: int) -> None:
        limiter.acquire("k", RULE, operation_id="op", max_wait=1e9)
        order.append(index)
        limiter.release("k", RULE)

    for index in range(12):
        thread = threading.Thread(target=caller, args=(index,))
        thread.start()
        threads.append(thread)
        while limiter._states["k"].waiting < index + 1:  # queued in index order, however slow the thread starts
            time.sleep(0.001)
    for _ in range(RULE.threshold):
        limiter.release("k", RULE)
    for thread in threads:
        thread.join(30)
    assert order == list(range(12))
