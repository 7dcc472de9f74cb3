"""RedisRateLimiter on a real redis-server and a FakeClock: the local limiter's accounting, shared by limiters.

Two limiter instances on one Redis prefix stand for two processes: they share
nothing but Redis (and, here, the clock).  The Lua scripts are also driven
directly, to pin the lease expiry, stamping and lock-marker rules.
"""

from __future__ import annotations

import anyio
import pytest
import redis

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import OperationLockedError, RateLimitWaitExceededError
from cliq_channels_client.custom.operations import RateLimitRule
from cliq_channels_client.custom.ratelimit import RateLimiter
from cliq_channels_client.custom.redis_backend import RedisBackend
from cliq_channels_client.custom.redis_limiter import ADMIT, LOCK, RELEASE, FullBudget, RedisRateLimiter, earliest_turn
from tests.redis_support import backend_fixture, raw_redis_fixture, redis_prefix_fixture, redis_url_fixture  # noqa: F401

RULE = RateLimitRule(threshold=3, window=10.0, lock=100.0)
WINDOW = 10.0 * 1.05  # the window kept with the default 5 % safety margin
KEY = "user:list_channels"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def limiter(backend: RedisBackend, clock: FakeClock, **options: float) -> RedisRateLimiter:
    return RedisRateLimiter(backend, clock=clock, **options)  # type: ignore[arg-type]


def call(limiter: RedisRateLimiter, clock: FakeClock, duration: float = 1.0, max_wait: float = 60) -> float:
    """One request: admitted, in flight for ``duration``, released; returns when it was admitted."""
    limiter.acquire(KEY, RULE, operation_id="list_channels", max_wait=max_wait)
    admitted = clock.now()
    clock.advance(duration)
    limiter.release(KEY, RULE)
    return admitted


# --- the local limiter's accounting, in Redis -----------------------------------------------------------


def test_the_limiter_satisfies_the_protocol(backend: RedisBackend, clock: FakeClock) -> None:
    assert isinstance(limiter(backend, clock), RateLimiter)
    with pytest.raises(ValueError, match="safety_margin"):
        limiter(backend, clock, safety_margin=-0.1)
    with pytest.raises(ValueError, match="lease"):
        limiter(backend, clock, lease=0)
    with pytest.raises(ValueError, match="fallback"):
        RedisRateLimiter(backend, fallback="maybe")  # type: ignore[arg-type]


def test_threshold_calls_pass_at_once_then_the_next_waits_for_the_oldest_stamp(
    backend: RedisBackend, clock: FakeClock
) -> None:
    shared = limiter(backend, clock)
    start = clock.now()
    assert [call(shared, clock) - start for _ in range(RULE.threshold)] == [0.0, 1.0, 2.0]
    # the first slot was stamped at start + 1 and frees a (widened) window later
    assert call(shared, clock) == pytest.approx(start + 1 + WINDOW)


def test_two_processes_draw_on_one_budget(backend: RedisBackend, clock: FakeClock) -> None:
    first, second = limiter(backend, clock), limiter(backend, clock)
    start = clock.now()
    call(first, clock)
    call(second, clock)
    call(first, clock)
    # the budget of 3 is spent by both together: the second process waits for the first stamp
    assert call(second, clock) == pytest.approx(start + 1 + WINDOW)


def test_in_flight_requests_of_another_process_hold_their_slots(backend: RedisBackend, clock: FakeClock) -> None:
    first, second = limiter(backend, clock), limiter(backend, clock)
    for _ in range(RULE.threshold):
        first.acquire(KEY, RULE, operation_id="op", max_wait=0)
    with pytest.raises(RateLimitWaitExceededError) as caught:
        second.acquire(KEY, RULE, operation_id="list_channels", max_wait=WINDOW - 1)
    assert caught.value.retry_after == pytest.approx(WINDOW)
    assert caught.value.operation_id == "list_channels"


def test_max_wait_exceeded_is_raised_at_once_and_takes_nothing(backend: RedisBackend, clock: FakeClock) -> None:
    shared = limiter(backend, clock)
    start = clock.now()
    for _ in range(RULE.threshold):
        shared.acquire(KEY, RULE, operation_id="op", max_wait=0)
        shared.release(KEY, RULE)
    with pytest.raises(RateLimitWaitExceededError) as caught:
        shared.acquire(KEY, RULE, operation_id="op", max_wait=5)
    assert clock.now() == start  # refused without sleeping
    assert caught.value.retry_at == pytest.approx(start + WINDOW)
    shared.acquire(KEY, RULE, operation_id="op", max_wait=60)
    assert clock.now() == pytest.approx(start + WINDOW)


def test_earliest_turn_counts_lanes_of_stamps_in_flight_and_idle_slots() -> None:
    """The estimate behind max_wait: stamps free a window after them, in-flight slots no sooner than now + window."""
    full = FullBudget(flying=1, stamped=2, stamps=(101.0, 102.0))
    assert earliest_turn(full, 3, 10.0, 105.0, 0) == (111.0, True)  # the head: the oldest stamp
    assert earliest_turn(full, 3, 10.0, 105.0, 1) == (112.0, True)
    assert earliest_turn(full, 3, 10.0, 105.0, 2) == (115.0, False)  # the in-flight slot
    assert earliest_turn(full, 3, 10.0, 105.0, 3) == (121.0, False)  # a window after the head's turn
    idle = FullBudget(flying=0, stamped=1, stamps=(101.0,))
    assert earliest_turn(idle, 3, 10.0, 105.0, 1) == (105.0, False)  # a free slot, but someone goes first
    over = FullBudget(flying=0, stamped=4, stamps=(101.0, 102.0, 103.0))  # threshold lowered to 3 meanwhile
    assert earliest_turn(over, 3, 10.0, 105.0, 0) == (112.0, True)


def test_a_crashed_process_frees_its_slots_a_window_after_its_leases_end(
    backend: RedisBackend, clock: FakeClock
) -> None:
    crashed, survivor = limiter(backend, clock, lease=5.0), limiter(backend, clock)
    start = clock.now()
    for _ in range(RULE.threshold):
        crashed.acquire(KEY, RULE, operation_id="op", max_wait=0)  # and never released
    assert call(survivor, clock, max_wait=60) == pytest.approx(start + 5.0 + WINDOW)


def test_a_throttle_seen_by_one_process_stops_every_process(backend: RedisBackend, clock: FakeClock) -> None:
    throttled, other = limiter(backend, clock), limiter(backend, clock)
    until = clock.now() + 100
    throttled.lock(KEY, until)
    with pytest.raises(OperationLockedError) as caught:
        other.acquire(KEY, RULE, operation_id="list_channels", max_wait=1000)
    assert caught.value.retry_at == until
    assert caught.value.retry_after == pytest.approx(100)
    assert other.locked_until(KEY) == until
    other.acquire("user:get_channel", RULE, operation_id="get_channel", max_wait=0)  # other operations are open
    clock.advance(100)
    other.acquire(KEY, RULE, operation_id="list_channels", max_wait=0)
    assert other.locked_until(KEY) is None


def test_a_lock_seen_once_is_remembered_without_asking_redis_again(
    backend: RedisBackend, clock: FakeClock, raw_redis: redis.Redis
) -> None:
    throttled, other = limiter(backend, clock), limiter(backend, clock)
    throttled.lock(KEY, clock.now() + 100)
    with pytest.raises(OperationLockedError):
        other.acquire(KEY, RULE, operation_id="op", max_wait=0)
    raw_redis.delete(other.keys(KEY).locked)  # even if the marker disappeared
    with pytest.raises(OperationLockedError):
        other.acquire(KEY, RULE, operation_id="op", max_wait=0)


@pytest.mark.anyio
async def test_async_twins_share_the_budget_with_sync_callers(backend: RedisBackend, clock: FakeClock) -> None:
    sync_side, async_side = limiter(backend, clock), limiter(backend, clock)
    start = clock.now()
    call(sync_side, clock)
    for _ in range(2):
        await async_side.aacquire(KEY, RULE, operation_id="op", max_wait=0)
        clock.advance(1.0)
        await async_side.arelease(KEY, RULE)
    await async_side.aacquire(KEY, RULE, operation_id="op", max_wait=60)
    assert clock.now() == pytest.approx(start + 1 + WINDOW)
    await async_side.arelease(KEY, RULE)
    await async_side.alock(KEY, clock.now() + 50)
    with pytest.raises(OperationLockedError):
        await async_side.aacquire(KEY, RULE, operation_id="op", max_wait=60)
    with pytest.raises(OperationLockedError):
        sync_side.acquire(KEY, RULE, operation_id="op", max_wait=60)
    await backend.aclose()


@pytest.mark.anyio
async def test_many_async_tasks_of_two_processes_never_exceed_the_budget(
    backend: RedisBackend, clock: FakeClock
) -> None:
    """30 tasks in two limiters, each call one second long: no rolling window ever holds more than 3 admissions."""
    limiters = [limiter(backend, clock), limiter(backend, clock)]
    admitted: list[float] = []

    async def task(index: int) -> None:
        shared = limiters[index % 2]
        await shared.aacquire(KEY, RULE, operation_id="op", max_wait=1000)
        admitted.append(clock.now())
        await clock.asleep(1.0)
        await shared.arelease(KEY, RULE)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            for index in range(30):
                group.start_soon(task, index)
    admitted.sort()
    assert len(admitted) == 30
    most = max(sum(1 for t in admitted if start <= t < start + RULE.window) for start in admitted)
    assert most <= RULE.threshold
    await backend.aclose()


# --- the scripts -------------------------------------------------------------------------------------------


def admit(client: redis.Redis, prefix: str, now: float, lease_id: str, lease: float = 5.0) -> list[object]:
    keys = [f"{prefix}slots", f"{prefix}flying", f"{prefix}locked"]
    args: list[str | int] = [repr(now), repr(now - WINDOW), RULE.threshold, repr(now + lease), lease_id, 60_000]
    result = ADMIT.run(client, keys, args)
    assert isinstance(result, list)
    return result


def test_admit_script_counts_stamps_and_leases_and_reports_a_full_budget(
    raw_redis: redis.Redis, redis_prefix: str
) -> None:
    assert admit(raw_redis, redis_prefix, 100.0, "a") == ["admitted"]
    assert admit(raw_redis, redis_prefix, 100.0, "b") == ["admitted"]
    RELEASE.run(raw_redis, [f"{redis_prefix}slots", f"{redis_prefix}flying"], ["101.5", "a", 60_000])
    assert admit(raw_redis, redis_prefix, 102.0, "c") == ["admitted"]
    assert admit(raw_redis, redis_prefix, 102.0, "d") == ["full", 2, 1, ["a", "101.5"]]
    assert raw_redis.zscore(f"{redis_prefix}flying", "d") is None  # a refused caller leaves no lease
    # the stamp frees a widened window later
    assert admit(raw_redis, redis_prefix, 101.5 + WINDOW, "e") == ["admitted"]


def test_admit_script_turns_an_expired_lease_into_a_stamp_at_its_deadline(
    raw_redis: redis.Redis, redis_prefix: str
) -> None:
    for lease_id in "abc":
        admit(raw_redis, redis_prefix, 100.0, lease_id, lease=5.0)
    assert admit(raw_redis, redis_prefix, 106.0, "d")[:3] == ["full", 0, 3]
    assert raw_redis.zscore(f"{redis_prefix}slots", "a") == 105.0
    assert raw_redis.zcard(f"{redis_prefix}flying") == 0
    # a late completion restamps its slot later, never earlier
    RELEASE.run(raw_redis, [f"{redis_prefix}slots", f"{redis_prefix}flying"], ["104.0", "a", 60_000])
    assert raw_redis.zscore(f"{redis_prefix}slots", "a") == 105.0
    RELEASE.run(raw_redis, [f"{redis_prefix}slots", f"{redis_prefix}flying"], ["107.0", "a", 60_000])
    assert raw_redis.zscore(f"{redis_prefix}slots", "a") == 107.0


def test_lock_script_raises_the_marker_and_never_lowers_it(raw_redis: redis.Redis, redis_prefix: str) -> None:
    marker = f"{redis_prefix}locked"
    assert LOCK.run(raw_redis, [marker], ["200.0", 60_000]) == 1
    assert LOCK.run(raw_redis, [marker], ["150.0", 60_000]) == 0
    assert raw_redis.get(marker) == "200.0"
    assert admit(raw_redis, redis_prefix, 199.0, "a") == ["locked", "200.0"]
    assert admit(raw_redis, redis_prefix, 200.0, "a") == ["admitted"]
    assert 0 < raw_redis.pttl(marker) <= 60_000  # cleaned up by Redis in the end


def test_keys_live_under_the_prefix_and_expire(
    backend: RedisBackend, clock: FakeClock, raw_redis: redis.Redis, redis_prefix: str
) -> None:
    shared = limiter(backend, clock)
    call(shared, clock)
    keys = shared.keys(KEY)
    assert keys.slots == f"{redis_prefix}rl:{KEY}:slots"
    assert sorted(raw_redis.scan_iter(match=f"{redis_prefix}*")) == [keys.slots]  # nothing in flight
    assert 0 < raw_redis.pttl(keys.slots) <= int((WINDOW + 120) * 1000) + 1000
    assert "RedisRateLimiter(RedisBackend(127.0.0.1:" in repr(shared)
