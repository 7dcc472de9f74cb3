"""LocalRateLimiter on a FakeClock: slot accounting, waiting, max_wait, locks, async twins."""

from __future__ import annotations

import threading

import anyio
import pytest

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import OperationLockedError, RateLimitWaitExceededError
from cliq_channels_client.custom.operations import RateLimitRule
from cliq_channels_client.custom.ratelimit import LocalRateLimiter, RateLimiter

RULE = RateLimitRule(threshold=3, window=10.0, lock=100.0)
WINDOW = 10.0 * 1.05  # the window kept with the default 5 % safety margin


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_local_limiter_satisfies_the_protocol(clock: FakeClock) -> None:
    assert isinstance(LocalRateLimiter(clock=clock), RateLimiter)
    with pytest.raises(ValueError, match="safety_margin"):
        LocalRateLimiter(clock=clock, safety_margin=-0.1)
    with pytest.raises(ValueError, match="poll_interval"):
        LocalRateLimiter(clock=clock, poll_interval=0)


def test_threshold_calls_pass_at_once_then_the_next_waits_for_the_oldest_stamp(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock)
    start = clock.now()
    for _ in range(RULE.threshold):
        limiter.acquire("k", RULE, operation_id="op", max_wait=60)
        clock.advance(1.0)  # each call takes a second: its stamp is its completion
        limiter.release("k", RULE)
    assert clock.now() == start + 3
    limiter.acquire("k", RULE, operation_id="op", max_wait=60)
    # the first slot was stamped at start + 1 and frees a (widened) window later
    assert clock.now() == pytest.approx(start + 1 + WINDOW)


def test_in_flight_requests_hold_their_slots(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock)
    for _ in range(RULE.threshold):
        limiter.acquire("k", RULE, operation_id="op", max_wait=0)
    # nothing released: they complete no sooner than now, so no slot frees before now + window
    with pytest.raises(RateLimitWaitExceededError) as caught:
        limiter.acquire("k", RULE, operation_id="op", max_wait=WINDOW - 1)
    assert caught.value.retry_after == pytest.approx(WINDOW)
    assert caught.value.operation_id == "op"
    assert caught.value.max_wait == WINDOW - 1


def test_max_wait_exceeded_is_raised_at_once_and_takes_nothing(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock)
    start = clock.now()
    for _ in range(RULE.threshold):
        limiter.acquire("k", RULE, operation_id="op", max_wait=0)
        limiter.release("k", RULE)
    with pytest.raises(RateLimitWaitExceededError) as caught:
        limiter.acquire("k", RULE, operation_id="list_channels", max_wait=5)
    assert clock.now() == start  # refused without sleeping
    assert caught.value.retry_at == pytest.approx(start + WINDOW)
    assert "max_wait=5.0" in str(caught.value)
    # the refused caller left no trace: a patient caller is admitted when the first slot frees
    limiter.acquire("k", RULE, operation_id="op", max_wait=60)
    assert clock.now() == pytest.approx(start + WINDOW)


def test_max_wait_counts_the_callers_ahead(clock: FakeClock) -> None:
    """The 7th caller of a 3-per-window rule needs two windows: refused when max_wait is shorter."""
    limiter = LocalRateLimiter(clock=clock)
    for _ in range(RULE.threshold):
        limiter.acquire("k", RULE, operation_id="op", max_wait=0)
        limiter.release("k", RULE)
    # one more window admits three more; the seventh caller would need a second window
    for _ in range(RULE.threshold):
        limiter.acquire("k", RULE, operation_id="op", max_wait=WINDOW)
        limiter.release("k", RULE)
    with pytest.raises(RateLimitWaitExceededError):
        limiter.acquire("k", RULE, operation_id="op", max_wait=WINDOW - 0.5)


def test_lock_refuses_the_key_until_it_opens_and_leaves_other_keys_alone(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock)
    start = clock.now()
    limiter.lock("user:create_channel", start + 30)
    assert limiter.locked_until("user:create_channel") == start + 30
    with pytest.raises(OperationLockedError) as caught:
        limiter.acquire("user:create_channel", RULE, operation_id="create_channel", max_wait=1000)
    assert caught.value.retry_at == start + 30
    assert caught.value.retry_after == pytest.approx(30)
    assert "create_channel" in str(caught.value)
    limiter.acquire("user:get_channel", RULE, operation_id="get_channel", max_wait=0)  # unaffected
    limiter.lock("user:create_channel", start + 10)  # an earlier end never shortens a lock
    clock.advance(29.9)
    with pytest.raises(OperationLockedError):
        limiter.acquire("user:create_channel", RULE, operation_id="create_channel", max_wait=0)
    clock.advance(0.1)
    assert limiter.locked_until("user:create_channel") is None
    limiter.acquire("user:create_channel", RULE, operation_id="create_channel", max_wait=0)


def test_release_of_an_unknown_key_is_harmless(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock)
    limiter.release("never-acquired", RULE)
    for _ in range(RULE.threshold):
        limiter.acquire("never-acquired", RULE, operation_id="op", max_wait=0)


def test_a_stepped_back_clock_keeps_stamps_ordered(clock: FakeClock) -> None:
    class SteppingClock(FakeClock):
        def step_back(self, seconds: float) -> None:
            self._now -= seconds

    stepping = SteppingClock()
    limiter = LocalRateLimiter(clock=stepping)
    start = stepping.now()
    limiter.acquire("k", RULE, operation_id="op", max_wait=0)
    limiter.acquire("k", RULE, operation_id="op", max_wait=0)
    limiter.release("k", RULE)  # stamped at start
    stepping.step_back(5)
    limiter.release("k", RULE)  # stamped at start - 5: must sort first
    limiter.acquire("k", RULE, operation_id="op", max_wait=0)
    limiter.release("k", RULE)  # stamped at start - 5 too
    limiter.acquire("k", RULE, operation_id="op", max_wait=WINDOW)
    # admitted when the older (start - 5) stamp expired, not the newer one
    assert stepping.now() == pytest.approx(start - 5 + WINDOW)


def test_threads_never_exceed_the_threshold_in_any_window(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock)
    admitted: list[float] = []
    guard = threading.Lock()

    def worker() -> None:
        for _ in range(3):
            limiter.acquire("k", RULE, operation_id="op", max_wait=1000)
            with guard:
                admitted.append(clock.now())
            limiter.release("k", RULE)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(admitted) == 15
    admitted.sort()
    for i in range(len(admitted) - RULE.threshold):
        assert admitted[i + RULE.threshold] - admitted[i] >= 10.0  # never 4 in a 10 s window
    # and as fast as allowed: five batches of three, a widened window apart
    assert admitted[-1] - admitted[0] == pytest.approx(4 * WINDOW)


@pytest.mark.anyio
async def test_async_waiters_are_admitted_in_order_at_the_allowed_pace(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock)
    start = clock.now()
    admitted: list[tuple[int, float]] = []

    async def caller(index: int) -> None:
        await limiter.aacquire("k", RULE, operation_id="op", max_wait=1000)
        admitted.append((index, clock.now()))
        await anyio.lowlevel.checkpoint()  # in flight across a scheduling point
        await limiter.arelease("k", RULE)

    async with anyio.create_task_group() as tg:
        for index in range(9):
            tg.start_soon(caller, index)
            await anyio.lowlevel.checkpoint()  # start them in index order
    assert [index for index, _ in admitted] == list(range(9))  # first come, first served
    times = [at - start for _, at in admitted]
    assert times == pytest.approx([0, 0, 0, WINDOW, WINDOW, WINDOW, 2 * WINDOW, 2 * WINDOW, 2 * WINDOW])


@pytest.mark.anyio
async def test_async_max_wait_and_lock(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock)
    for _ in range(RULE.threshold):
        await limiter.aacquire("k", RULE, operation_id="op", max_wait=0)
        await limiter.arelease("k", RULE)
    with pytest.raises(RateLimitWaitExceededError):
        await limiter.aacquire("k", RULE, operation_id="op", max_wait=1)
    await limiter.alock("k", clock.now() + 50)
    with pytest.raises(OperationLockedError):
        await limiter.aacquire("k", RULE, operation_id="op", max_wait=1000)


@pytest.mark.anyio
async def test_a_lock_wakes_queued_waiters_with_operation_locked(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock)
    for _ in range(RULE.threshold):
        await limiter.aacquire("k", RULE, operation_id="op", max_wait=0)  # all in flight
    outcomes: list[str] = []

    async def waiter() -> None:
        try:
            await limiter.aacquire("k", RULE, operation_id="op", max_wait=1000)
        except OperationLockedError:
            outcomes.append("locked")
        else:
            outcomes.append("admitted")

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        tg.start_soon(waiter)
        await anyio.wait_all_tasks_blocked()
        await limiter.alock("k", clock.now() + 600)
    assert outcomes == ["locked", "locked"]


@pytest.mark.anyio
async def test_a_cancelled_waiter_leaves_the_queue(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock)
    for _ in range(RULE.threshold):
        await limiter.aacquire("k", RULE, operation_id="op", max_wait=0)  # in flight, never released yet
    with anyio.move_on_after(0.05):
        await limiter.aacquire("k", RULE, operation_id="op", max_wait=1000)  # parked, then cancelled
    for _ in range(RULE.threshold):
        await limiter.arelease("k", RULE)
    start = clock.now()
    # the cancelled caller is not ahead in the queue: the next caller is admitted after one window
    await limiter.aacquire("k", RULE, operation_id="op", max_wait=1000)
    assert clock.now() == pytest.approx(start + WINDOW)


@pytest.mark.anyio
async def test_a_release_wakes_an_async_waiter_blocked_by_in_flight_calls(clock: FakeClock) -> None:
    limiter = LocalRateLimiter(clock=clock, poll_interval=30)  # a missed wake-up would hang the test
    for _ in range(RULE.threshold):
        await limiter.aacquire("k", RULE, operation_id="op", max_wait=0)
    admitted_at: list[float] = []

    async def waiter() -> None:
        await limiter.aacquire("k", RULE, operation_id="op", max_wait=1000)
        admitted_at.append(clock.now())

    start = clock.now()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            await anyio.wait_all_tasks_blocked()
            assert admitted_at == []
            clock.advance(2)
            for _ in range(RULE.threshold):
                await limiter.arelease("k", RULE)  # stamped at start + 2
    assert admitted_at == [pytest.approx(start + 2 + WINDOW)]


def test_unlimited_rate_limiter_admits_everything_at_once() -> None:
    """Pacing turned off: far past the threshold, nothing waits and nothing is refused, even after a lock."""
    from cliq_channels_client.custom.ratelimit import UnlimitedRateLimiter

    limiter: RateLimiter = UnlimitedRateLimiter()
    rule = RateLimitRule(threshold=20, window=60.0, lock=600.0)
    limiter.lock("user:get_channel", until=10**12)
    for _ in range(100):
        limiter.acquire("user:get_channel", rule, operation_id="get_channel", max_wait=0.0)
        limiter.release("user:get_channel", rule)
    assert isinstance(limiter, RateLimiter)
