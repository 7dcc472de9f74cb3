"""The headline: client CPU per call, full SDK vs raw httpx + ``json.loads``, against a fast loopback server.

The server (:mod:`.fast_server`) runs in its own process and replays bytes
recorded from the emulator, so ``time.process_time()`` here is the client's
own CPU: the SDK (static access token, pacing off, validation, retries, typed
errors, models) against ``httpx`` with a fixed header and ``json.loads``.
Calls are timed in batches, the contenders alternating batch by batch; the
ratio is of the median CPU per call, and the spread is the 25th-75th
percentile of the per-round ratios.  Sync and async clients, ``get_channel``
and ``list_channels`` pages of 1, 10 and 100 channels.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import cast

import httpx

from cliq_channels_client import AuthenticatedClient, UnlimitedRateLimiter, create_client
from cliq_channels_client.api.channels import get_channel, list_channels
from cliq_channels_client.custom.testing import CliqEmulator
from cliq_channels_client.models import Channel, ChannelList

from .common import BenchResult, Row, percentile
from .fast_server import fast_server

NAME = "client_cpu"
TOKEN = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"  # any well-formed token: the server ignores it
GOALS = {"get_channel": 1.05, "list_channels x100": 1.25}
PAGES = (1, 10, 100)
#: calls per timed batch: enough CPU per batch for process_time's resolution
BATCH = {"get_channel": 40, "list_channels x1": 40, "list_channels x10": 20, "list_channels x100": 4}


def _record() -> tuple[str, dict[str, bytes]]:
    """One channel and pages of 1/10/100 channels, as the emulator serves them; keyed by request target."""
    emulator = CliqEmulator(rate_limits=False)
    channel_id = emulator.seed_channels(max(PAGES))[0]
    headers = {"Authorization": f"Zoho-oauthtoken {emulator.issue_access_token()}"}
    routes: dict[str, bytes] = {}
    with emulator.serve() as url, httpx.Client(base_url=url, headers=headers) as http:
        routes[f"/api/v2/channels/{channel_id}"] = http.get(f"/channels/{channel_id}").raise_for_status().content
        for size in PAGES:
            routes[f"/api/v2/channels?limit={size}"] = http.get("/channels", params={"limit": size}).content
    return channel_id, routes


def _sdk(base_url: str) -> AuthenticatedClient:
    client = create_client(access_token=TOKEN, base_url=base_url, rate_limiter=UnlimitedRateLimiter())
    return cast(AuthenticatedClient, client)


def _check_page(page: object, size: int) -> None:
    if not isinstance(page, ChannelList) or not isinstance(page.channels, list) or len(page.channels) != size:
        raise AssertionError(f"list_channels returned {page!r:.80}")


def _check_channel(channel: object, channel_id: str) -> None:
    if not isinstance(channel, Channel) or channel.channel_id != channel_id:
        raise AssertionError(f"get_channel returned {channel!r:.80}")


_Pair = tuple[Callable[[], object], Callable[[], object]]
_APair = tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[object]]]


def _sync_pairs(sdk: AuthenticatedClient, raw: httpx.Client, channel_id: str) -> dict[str, _Pair]:
    def full_get() -> None:
        _check_channel(get_channel.sync(channel_id, client=sdk), channel_id)

    def raw_get() -> None:
        if json.loads(raw.get(f"/channels/{channel_id}").content)["channel_id"] != channel_id:
            raise AssertionError("raw get_channel")

    pairs: dict[str, _Pair] = {"get_channel": (full_get, raw_get)}
    for size in PAGES:

        def full_list(size: int = size) -> None:
            _check_page(list_channels.sync(client=sdk, limit=size), size)

        def raw_list(size: int = size) -> None:
            if len(json.loads(raw.get("/channels", params={"limit": size}).content)["channels"]) != size:
                raise AssertionError("raw list_channels")

        pairs[f"list_channels x{size}"] = (full_list, raw_list)
    return pairs


def _async_pairs(sdk: AuthenticatedClient, raw: httpx.AsyncClient, channel_id: str) -> dict[str, _APair]:
    async def full_get() -> None:
        _check_channel(await get_channel.asyncio(channel_id, client=sdk), channel_id)

    async def raw_get() -> None:
        if json.loads((await raw.get(f"/channels/{channel_id}")).content)["channel_id"] != channel_id:
            raise AssertionError("raw get_channel")

    pairs: dict[str, _APair] = {"get_channel": (full_get, raw_get)}
    for size in PAGES:

        async def full_list(size: int = size) -> None:
            _check_page(await list_channels.asyncio(client=sdk, limit=size), size)

        async def raw_list(size: int = size) -> None:
            if len(json.loads((await raw.get("/channels", params={"limit": size})).content)["channels"]) != size:
                raise AssertionError("raw list_channels")

        pairs[f"list_channels x{size}"] = (full_list, raw_list)
    return pairs


def _batch_cpu(call: Callable[[], object], n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - started) / n


async def _abatch_cpu(call: Callable[[], Awaitable[object]], n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        await call()
    return (time.process_time() - started) / n


_Times = dict[str, tuple[list[float], list[float]]]


def _measure_sync(base_url: str, channel_id: str, rounds: int) -> _Times:
    headers = {"Authorization": f"Zoho-oauthtoken {TOKEN}"}
    times: _Times = {}
    with _sdk(base_url) as sdk, httpx.Client(base_url=base_url, headers=headers) as raw:
        for name, (full, plain) in _sync_pairs(sdk, raw, channel_id).items():
            full_times, raw_times = times.setdefault(name, ([], []))
            _batch_cpu(full, BATCH[name]), _batch_cpu(plain, BATCH[name])  # warm up
            for index in range(rounds):
                order = ((full, full_times), (plain, raw_times))
                for call, into in order if index % 2 else order[::-1]:
                    into.append(_batch_cpu(call, BATCH[name]))
    return times


async def _measure_async(base_url: str, channel_id: str, rounds: int) -> _Times:
    headers = {"Authorization": f"Zoho-oauthtoken {TOKEN}"}
    times: _Times = {}
    async with _sdk(base_url) as sdk, httpx.AsyncClient(base_url=base_url, headers=headers) as raw:
        for name, (full, plain) in _async_pairs(sdk, raw, channel_id).items():
            full_times, raw_times = times.setdefault(name, ([], []))
            await _abatch_cpu(full, BATCH[name])
            await _abatch_cpu(plain, BATCH[name])
            for index in range(rounds):
                order = ((full, full_times), (plain, raw_times))
                for call, into in order if index % 2 else order[::-1]:
                    into.append(await _abatch_cpu(call, BATCH[name]))
    return times


def _row(result: BenchResult, flavour: str, name: str, full: list[float], raw: list[float]) -> None:
    ratio = statistics.median(full) / statistics.median(raw)
    per_round = [f / r for f, r in zip(full, raw, strict=True) if r > 0]
    spread = f"{percentile(per_round, 0.25):.2f}-{percentile(per_round, 0.75):.2f}"
    goal = GOALS.get(name)
    result.rows.append(
        Row(
            f"{name} {flavour}, client CPU full / raw (fast server)",
            f"{ratio:.2f}x (IQR {spread})",
            f"<= {goal}x" if goal else "report",
            None if goal is None else ratio <= goal,
        )
    )
    full_us, raw_us = statistics.median(full) * 1e6, statistics.median(raw) * 1e6
    result.details.append(
        f"{flavour:5s} {name:18s} full {full_us:8.1f} us  raw {raw_us:8.1f} us"
        f"  CPU per call (medians of {len(full)} batches)  ratio {ratio:.3f}  per-round IQR {spread}"
    )


def run(smoke: bool) -> BenchResult:
    rounds = 3 if smoke else 60
    channel_id, routes = _record()
    with fast_server(routes) as origin:
        base_url = f"{origin}/api/v2"
        sync_times = _measure_sync(base_url, channel_id, rounds)
        async_times = asyncio.run(_measure_async(base_url, channel_id, rounds))
    result = BenchResult(NAME, "client CPU per call: SDK vs raw httpx + json.loads, fast loopback server (own process)")
    for flavour, times in (("async", async_times), ("sync", sync_times)):
        for name, (full, raw) in times.items():
            _row(result, flavour, name, full, raw)
    headline = [row for row in result.rows if row.met is not None]
    result.ratio = ", ".join(f"{row.metric.split(',')[0]} {row.measured.split(' ')[0]}" for row in headline)
    result.details += [
        "full: create_client(access_token=..., rate_limiter=UnlimitedRateLimiter()) -- StaticTokenAuth, CliqTransport",
        "  (validation, retries, typed errors) and the generated models; raw: httpx with a fixed Authorization header",
        "  and json.loads(response.content).  Server: benchmarks/fast_server.py, in a child process, replaying the",
        "  emulator's bytes; time.process_time() in this process is the client's CPU only.",
    ]
    return result
