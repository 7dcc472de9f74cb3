"""Streaming 50,000 channels through ``ChannelPager``: peak memory growth (goal: flat, under 20 MB) and channels/s.

The pager holds one page at a time, so memory must not grow with the number
of channels.  Two passes over the same loopback emulator: one timed (and
sampling RSS), one under ``tracemalloc`` (which slows it down).  The emulator
runs in this process, so both memory figures include its own per-request
allocations: they are upper bounds for the client.  Rate limits are off on
both sides (the client gets ``UnlimitedRateLimiter``): this measures throughput, not
Zoho's 20 pages a minute.
"""

from __future__ import annotations

import asyncio
import functools
import operator
import os
import time
import tracemalloc
from pathlib import Path
from typing import cast

from cliq_channels_client import AuthenticatedClient, UnlimitedRateLimiter, create_client
from cliq_channels_client.custom.pagination import ChannelPager
from cliq_channels_client.custom.testing import CliqEmulator, ServerURL

from .common import BenchResult, Row

NAME = "streaming"
GOAL_MB = 20.0
PAGE_SIZE = 100
MB = 1024 * 1024
_Timed = tuple[int, int, float, int]  # channels, id digest, seconds, peak RSS growth (bytes)
_Traced = tuple[int, float, float]  # channels, peak growth after 10 %, at the end (bytes)


def _rss() -> int:
    """Resident set size of this process in bytes (Linux ``/proc``; 0 where unavailable)."""
    try:
        resident = Path("/proc/self/statm").read_text(encoding="ascii").split()[1]
    except (OSError, IndexError):
        return 0
    return int(resident) * os.sysconf("SC_PAGE_SIZE")


def _fingerprint(channel_ids: list[str]) -> int:
    """Order-free digest of a set of ids (XOR of hashes): checks the stream without holding it."""
    return functools.reduce(operator.xor, map(hash, channel_ids), 0)


def _client(emulator: CliqEmulator, url: ServerURL) -> AuthenticatedClient:
    return cast(
        AuthenticatedClient,
        create_client(access_token=emulator.issue_access_token(), base_url=url, rate_limiter=UnlimitedRateLimiter()),
    )


async def _timed_pass(client: AuthenticatedClient) -> _Timed:
    """Stream everything; (channels, id digest, seconds, peak RSS growth in bytes sampled every page)."""
    count = digest = 0
    baseline = peak = _rss()
    started = time.perf_counter()
    async for channel in ChannelPager(client, limit=PAGE_SIZE):
        count += 1
        digest ^= hash(channel.channel_id)
        if count % PAGE_SIZE == 0:
            peak = max(peak, _rss())
    elapsed = time.perf_counter() - started
    return count, digest, elapsed, max(peak, _rss()) - baseline


async def _traced_pass(client: AuthenticatedClient, total: int) -> _Traced:
    """Stream everything under tracemalloc; (channels, peak growth after 10 %, peak growth at the end) in bytes."""
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        count = 0
        early = 0.0
        async for _channel in ChannelPager(client, limit=PAGE_SIZE):
            count += 1
            if count == total // 10:
                early = tracemalloc.get_traced_memory()[1] - baseline
        final = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    return count, early, final


async def _both(emulator: CliqEmulator, url: ServerURL, total: int) -> tuple[_Timed, _Traced]:
    async with _client(emulator, url) as client:
        async for _ in ChannelPager(client, limit=PAGE_SIZE, max_pages=2):  # warm up: token, imports, pools
            pass
        timed = await _timed_pass(client)
        traced = await _traced_pass(client, total)
    return timed, traced


def run(smoke: bool) -> BenchResult:
    total = 500 if smoke else 50_000
    emulator = CliqEmulator(rate_limits=False)
    expected = _fingerprint(emulator.seed_channels(total))
    with emulator.serve() as url:
        (count, digest, elapsed, rss_growth), (traced_count, early, final) = asyncio.run(_both(emulator, url, total))
    if count != total or traced_count != total or digest != expected:
        raise AssertionError(f"streamed {count} / {traced_count} channels of {total} (or other ids than seeded)")
    rate = count / elapsed
    growth_mb = final / MB
    result = BenchResult(NAME, f"stream {total:,} channels with ChannelPager (pages of {PAGE_SIZE}) on loopback")
    result.ratio = f"peak growth {growth_mb:.1f} MB / {GOAL_MB:.0f} MB budget, {rate:,.0f} channels/s"
    result.rows += [
        Row(
            f"peak memory growth over {total:,} channels (tracemalloc)",
            f"{growth_mb:.1f} MB",
            f"< {GOAL_MB:.0f} MB",
            growth_mb < GOAL_MB,
        ),
        Row("peak RSS growth (sampled every page)", f"{rss_growth / MB:.1f} MB"),
        Row("channels per second (client + in-process server)", f"{rate:,.0f}"),
    ]
    result.details += [
        f"timed pass: {count:,} channels in {elapsed:.2f} s = {rate:,.0f} channels/s "
        f"({count // PAGE_SIZE} pages, {elapsed / (count / PAGE_SIZE) * 1e3:.1f} ms per page)",
        f"tracemalloc peak growth: {early / MB:.2f} MB after {total // 10:,} channels, {final / MB:.2f} MB after "
        f"{total:,} (flat: the pager holds one page)",
        f"RSS growth (peak, sampled every page): {rss_growth / MB:.2f} MB",
        "every seeded channel arrived exactly once (order-free digest of the ids)",
        "both figures include the in-process emulator's allocations per request: upper bounds for the client",
        "rate limits off on both sides (client: UnlimitedRateLimiter)",
    ]
    return result
