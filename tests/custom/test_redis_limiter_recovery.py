"""The budget survives lost shared state: a restarted Redis, or the per-process stand-in, knows this process's calls.

Against a real redis-server of the test's own, killed (SIGKILL, no persistence:
its state is gone) and started again on the same port mid-run.
"""

from __future__ import annotations

import pytest
import redis

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.operations import RateLimitRule
from cliq_channels_client.custom.redis_backend import RedisBackend
from cliq_channels_client.custom.redis_limiter import RedisRateLimiter
from tests.redis_support import RedisServer, private_redis_fixture  # noqa: F401

RULE = RateLimitRule(threshold=3, window=10.0, lock=100.0)
WINDOW = 10.0 * 1.05
KEY = "user:get_channel"


def _call(limiter: RedisRateLimiter, clock: FakeClock) -> float:
    limiter.acquire(KEY, RULE, operation_id="get_channel", max_wait=60)
    admitted = clock.now()
    clock.advance(1.0)
    limiter.release(KEY, RULE)
    return admitted


def test_after_a_redis_restart_the_process_restores_its_own_calls_and_others_see_them(
    private_redis: RedisServer,
) -> None:
    clock = FakeClock()
    backend = RedisBackend(private_redis.url, prefix="t:")
    other_backend = RedisBackend(private_redis.url, prefix="t:")
    mine = RedisRateLimiter(backend, clock=clock)
    other = RedisRateLimiter(other_backend, clock=clock)  # another process, sharing the budget
    try:
        start = clock.now()
        assert [_call(mine, clock) - start for _ in range(RULE.threshold)] == [0.0, 1.0, 2.0]
        private_redis.stop()  # state lost
        restarted = RedisServer(port=private_redis.port)
        try:
            raw = redis.Redis(port=restarted.port)
            assert raw.keys("t:*") == []
            # this process's next call restores its three recent calls before asking: it must wait a window
            assert _call(mine, clock) == pytest.approx(start + 1.0 + WINDOW)
            assert raw.zcard("t:rl:user:get_channel:slots") == RULE.threshold  # the restored ones, the oldest gone
            # and another process sees the restored budget: no room until the next stamp frees
            other.acquire(KEY, RULE, operation_id="get_channel", max_wait=60)
            assert clock.now() == pytest.approx(start + 2.0 + WINDOW)
            other.release(KEY, RULE)
            raw.close()
        finally:
            restarted.stop()
    finally:
        backend.close()
        other_backend.close()


def test_on_fallback_the_stand_in_starts_from_this_process_s_recent_calls(private_redis: RedisServer) -> None:
    clock = FakeClock()
    backend = RedisBackend(private_redis.url, prefix="t:")
    limiter = RedisRateLimiter(backend, clock=clock, fallback="local")
    try:
        start = clock.now()
        times = [_call(limiter, clock) for _ in range(RULE.threshold)]
        assert [t - start for t in times] == [0.0, 1.0, 2.0]
        private_redis.stop()  # unreachable now: the stand-in serves
        # without the seed, the stand-in would admit three more at once: never more than three per window
        later = [_call(limiter, clock) for _ in range(RULE.threshold)]
        assert limiter.on_local
        arrivals = times + later
        for index in range(len(arrivals) - RULE.threshold):
            assert arrivals[index + RULE.threshold] - arrivals[index] >= WINDOW - 1e-9
        assert later[0] == pytest.approx(start + 1.0 + WINDOW)
    finally:
        backend.close()
