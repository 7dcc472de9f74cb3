"""How :class:`LocalRateLimiter` scales with waiters: admission CPU (fake clock) and idle CPU (real clock).

Admission: ``N`` tasks call ``aacquire`` at once under Zoho's 20 calls / 60 s
rule on a :class:`FakeClock`, each releasing its slot right after admission;
the process CPU until all ``N`` are admitted is what queueing costs (the old
limiter woke every waiter on each release: ~N^2/40 admission checks, 68 s of
CPU for 5,000).  Idle: ``N`` tasks parked behind a call that never completes,
on the real clock; the CPU they burn per second of waiting, as a share of one
core (the old limiter polled every waiter twice a second).
"""

from __future__ import annotations

import time

import anyio

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.operations import RateLimitRule
from cliq_channels_client.custom.ratelimit import LocalRateLimiter

from .common import BenchResult, Row

NAME = "limiter_scaling"
RULE = RateLimitRule(threshold=20, window=60.0, lock=600.0)
GOAL_ADMIT = 2.0  # CPU seconds for 5,000 waiters
GOAL_IDLE = 0.02  # share of a core for 2,000 parked waiters


async def _admission_cpu(waiters: int) -> float:
    clock = FakeClock()
    limiter = LocalRateLimiter(clock=clock)
    admitted = 0

    async def caller() -> None:
        nonlocal admitted
        await limiter.aacquire("user:get_channel", RULE, operation_id="get_channel", max_wait=1e9)
        admitted += 1
        await limiter.arelease("user:get_channel", RULE)

    started = time.process_time()
    async with anyio.create_task_group() as group:
        for _ in range(waiters):
            group.start_soon(caller)
    cpu = time.process_time() - started
    if admitted != waiters:
        raise AssertionError(f"{admitted} of {waiters} admitted")
    return cpu


async def _idle_share(waiters: int, seconds: float) -> float:
    limiter = LocalRateLimiter()
    rule = RateLimitRule(threshold=1, window=60.0, lock=600.0)
    await limiter.aacquire("k", rule, operation_id="get_channel", max_wait=0)  # in flight for good

    async def parked() -> None:
        await limiter.aacquire("k", rule, operation_id="get_channel", max_wait=1e9)

    async with anyio.create_task_group() as group:
        for _ in range(waiters):
            group.start_soon(parked)
        await anyio.sleep(0.5)  # all queued and parked
        cpu, wall = time.process_time(), time.perf_counter()
        await anyio.sleep(seconds)
        share = (time.process_time() - cpu) / (time.perf_counter() - wall)
        group.cancel_scope.cancel()
    return share


def run(smoke: bool) -> BenchResult:
    sizes = (100, 1000) if smoke else (100, 1000, 5000)
    idle_sizes = (100, 1000) if smoke else (100, 1000, 2000, 5000)
    seconds = 0.5 if smoke else 3.0
    result = BenchResult(NAME, "LocalRateLimiter with N concurrent waiters (20 calls / 60 s)")
    for waiters in sizes:
        cpu = anyio.run(_admission_cpu, waiters)
        goal = waiters == 5000
        result.rows.append(
            Row(
                f"{waiters:,} waiters admitted (fake clock), CPU total",
                f"{cpu:.3f} s",
                f"< {GOAL_ADMIT} s" if goal else "report",
                cpu < GOAL_ADMIT if goal else None,
            )
        )
        result.details.append(f"admission: {waiters:5d} waiters  {cpu:8.3f} s CPU  ({cpu / waiters * 1e6:.0f} us each)")
    for waiters in idle_sizes:
        for backend in ("asyncio", "trio"):
            share = anyio.run(_idle_share, waiters, seconds, backend=backend)
            result.details.append(f"idle: {waiters:5d} parked waiters ({backend:7s})  {share:.2%} of a core")
            if backend == "asyncio":
                goal = waiters == 2000
                result.rows.append(
                    Row(
                        f"{waiters:,} parked waiters (real clock), idle CPU",
                        f"{share:.2%} of a core",
                        f"<= {GOAL_IDLE:.0%}" if goal else "report",
                        share <= GOAL_IDLE if goal else None,
                    )
                )
    admit = [row for row in result.rows if "admitted" in row.metric][-1]
    result.ratio = f"{admit.metric.split(' waiters')[0]} waiters admitted in {admit.measured} CPU"
    result.details.append(f"idle measured over {seconds:.1f} s after the waiters parked; trio shown for comparison")
    return result
