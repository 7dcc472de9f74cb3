"""A rate-limited bulk job on a shared fake clock: achieved rate / allowed rate (goal >= 0.95), throttles (goal 0).

Zoho allows 20 calls per user and operation per rolling minute and locks the
operation for 10 minutes when a call exceeds that, so a bulk job must run as
close to the limit as it can without ever crossing it.  Client and emulator
share one :class:`FakeClock` (an hour of pacing passes in a second or two of
real time); the emulator enforces the limit and records each call's arrival
on that clock.  The achieved rate is measured on those arrivals after the
first window's burst, ``(calls - threshold) / (last - first arrival)``: the
steady rate, which the first burst would otherwise flatter.
"""

from __future__ import annotations

import asyncio
import time
from typing import cast

from cliq_channels_client import AuthenticatedClient, create_client
from cliq_channels_client.api.channels import get_channel
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import RateLimitError
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.custom.testing import CliqEmulator, ServerURL
from cliq_channels_client.models import Channel

from .common import BenchResult, Row

NAME = "rate_limit"
OPERATION = "get_channel"
GOAL = 0.95
WORKERS = 25  # more than the threshold, so the limiter has to queue callers


async def _job(emulator: CliqEmulator, url: ServerURL, clock: FakeClock, channel_ids: list[str]) -> tuple[int, float]:
    """Fetch every channel with ``WORKERS`` concurrent workers; (client-side rate-limit errors, real seconds)."""
    credentials = emulator.credentials
    client = cast(
        AuthenticatedClient,
        create_client(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            refresh_token=credentials.refresh_token,
            base_url=url,
            accounts_url=url.accounts_url,
            clock=clock,
            max_wait=3600.0,  # a bulk job waits for its turn rather than fail
        ),
    )
    queue: asyncio.Queue[str] = asyncio.Queue()
    for channel_id in channel_ids:
        queue.put_nowait(channel_id)
    refused = 0

    async def worker() -> None:
        nonlocal refused
        while not queue.empty():
            channel_id = queue.get_nowait()
            try:
                channel = await get_channel.asyncio(channel_id, client=client)
            except RateLimitError:
                refused += 1
                continue
            if not isinstance(channel, Channel) or channel.channel_id != channel_id:
                raise AssertionError(f"get_channel({channel_id}) returned {channel!r:.80}")

    started = time.perf_counter()
    async with client:
        await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return refused, time.perf_counter() - started


def run(smoke: bool) -> BenchResult:
    calls = 60 if smoke else 400
    rule = OPERATIONS_BY_ID[OPERATION].rate_limit
    clock = FakeClock()
    emulator = CliqEmulator(clock=clock)  # rate limits on, 429 on a throttle
    channel_ids = emulator.seed_channels(calls)
    started_at = clock.now()
    with emulator.serve() as url:
        refused, elapsed = asyncio.run(_job(emulator, url, clock, channel_ids))
    arrivals = sorted(r.time for r in emulator.requests if r.operation_id == OPERATION and r.status == 200)
    throttled = emulator.count(status=429) + emulator.count(status=400, operation_id=OPERATION)
    if len(arrivals) + refused != calls:
        raise AssertionError(f"{len(arrivals)} calls answered 200 and {refused} refused, of {calls}")
    allowed = rule.threshold / rule.window
    span = arrivals[-1] - arrivals[0]
    achieved = (len(arrivals) - rule.threshold) / span if span > 0 else float("inf")
    ratio = achieved / allowed

    result = BenchResult(NAME, f"bulk job: {calls} {OPERATION} calls, {WORKERS} workers, one FakeClock")
    result.ratio = f"{ratio:.3f} (achieved / allowed rate), {throttled} throttle responses"
    result.rows += [
        Row("achieved rate / allowed rate (steady state)", f"{ratio:.3f}", f">= {GOAL}", ratio >= GOAL),
        Row("throttle responses (429 / request_limit_exceeded)", str(throttled), "0", throttled == 0),
    ]
    ideal = (calls / rule.threshold - 1) * rule.window
    result.details += [
        f"rule: {rule.threshold} calls / {rule.window:.0f} s per user and operation (lock {rule.lock:.0f} s)",
        f"allowed {allowed * 60:.2f}/min, achieved {achieved * 60:.2f}/min after the first burst",
        f"{len(arrivals)} calls answered 200 over {span:.0f} s of fake time "
        f"(job {clock.now() - started_at:.0f} s; back-to-back bursts would take {ideal:.0f} s)",
        f"client-side refusals (RateLimitError): {refused}; real time {elapsed:.2f} s",
        "the gap to 1.0 is LocalRateLimiter's safety_margin (0.05: a 60 s window is kept as 63 s)",
    ]
    return result
