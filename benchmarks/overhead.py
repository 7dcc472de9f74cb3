"""Second set, against the emulator: full client vs raw httpx for ``get_channel`` and a 100-channel page.

The headline client-CPU ratios come from :mod:`.client_cpu` (a fast server in
its own process); the emulator spends 2-6 ms per request, which hides most of
the client's cost in these wall-time ratios, so they are kept as a labelled
second set, not as the goal.

Full client: ``create_client`` with a refresh token (``ZohoOAuth``) +
``CliqTransport`` (validation, retries, typed errors) + generated models,
called as ``await get_channel.asyncio(...)``.  Raw: ``httpx.AsyncClient`` with
a static ``Authorization`` header and ``json.loads`` of the body.  Both hit the
same loopback emulator endpoint, interleaved call by call, so the server's
cost is the same on both sides.  Zoho's 20/minute limit would pace the full
client, so it gets a rate limiter that admits everything (``UnlimitedRateLimiter``);
the real limiter's own cost is timed separately, in-process.  The same pair
is also timed in-process (``httpx.MockTransport`` serving the same bytes), which
leaves only the client's own CPU cost.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import httpx

from cliq_channels_client import AuthenticatedClient, UnlimitedRateLimiter, create_client
from cliq_channels_client.api.channels import get_channel, list_channels
from cliq_channels_client.custom.operations import RateLimitRule
from cliq_channels_client.custom.ratelimit import LocalRateLimiter
from cliq_channels_client.custom.testing import CliqEmulator, ServerURL
from cliq_channels_client.models import Channel, ChannelList

from .common import BenchResult, Row, Samples, interleave, micros

NAME = "overhead"
PAGE_SIZE = 100

_Call = Callable[[], Awaitable[object]]


def _contenders(full: AuthenticatedClient, raw: httpx.AsyncClient, channel_id: str) -> dict[str, dict[str, _Call]]:
    """The two pairs: get_channel and a 100-channel list page; each call checks what it got."""

    async def full_get() -> None:
        channel = await get_channel.asyncio(channel_id, client=full)
        if not isinstance(channel, Channel) or channel.channel_id != channel_id:
            raise AssertionError(f"get_channel returned {channel!r:.80}")

    async def raw_get() -> None:
        body = json.loads((await raw.get(f"/channels/{channel_id}")).content)
        if body["channel_id"] != channel_id:
            raise AssertionError(f"raw get returned {body!r:.80}")

    async def full_list() -> None:
        page = await list_channels.asyncio(client=full, limit=PAGE_SIZE)
        if not isinstance(page, ChannelList) or not isinstance(page.channels, list) or len(page.channels) != PAGE_SIZE:
            raise AssertionError(f"list_channels returned {page!r:.80}")

    async def raw_list() -> None:
        body = json.loads((await raw.get("/channels", params={"limit": PAGE_SIZE})).content)
        if len(body["channels"]) != PAGE_SIZE:
            raise AssertionError("raw list returned a short page")

    return {
        "get_channel": {"full client": full_get, "raw httpx": raw_get},
        "list_channels": {"full client": full_list, "raw httpx": raw_list},
    }


def _full_client(url: ServerURL, emulator: CliqEmulator, **transports: Any) -> AuthenticatedClient:
    credentials = emulator.credentials
    client = create_client(
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        refresh_token=credentials.refresh_token,
        base_url=url,
        accounts_url=url.accounts_url,
        rate_limiter=UnlimitedRateLimiter(),
        **transports,
    )
    return cast(AuthenticatedClient, client)  # the generated functions take either client class


async def _loopback_pairs(
    emulator: CliqEmulator, url: ServerURL, channel_id: str, rounds: dict[str, int]
) -> dict[str, dict[str, Samples]]:
    token = emulator.issue_access_token()
    full = _full_client(url, emulator)
    async with full, httpx.AsyncClient(base_url=url, headers={"Authorization": f"Zoho-oauthtoken {token}"}) as raw:
        pairs = _contenders(full, raw, channel_id)
        return {
            name: await interleave(pair, rounds=rounds[name], warmup=max(2, rounds[name] // 20))
            for name, pair in pairs.items()
        }


async def _in_process_pairs(
    emulator: CliqEmulator, url: ServerURL, channel_id: str, rounds: dict[str, int]
) -> dict[str, dict[str, Samples]]:
    """The same pairs over ``httpx.MockTransport`` serving bytes recorded from the emulator: client cost only."""
    token = emulator.issue_access_token()
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    credentials = emulator.credentials
    refresh = {
        "grant_type": "refresh_token",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "refresh_token": credentials.refresh_token,
    }
    async with httpx.AsyncClient(base_url=url, headers=headers) as http:
        one = (await http.get(f"/channels/{channel_id}")).content
        page = (await http.get("/channels", params={"limit": PAGE_SIZE})).content
        token_body = (await http.post(url.token_url, data=refresh)).content

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = token_body if path.endswith("/token") else page if path.endswith("/channels") else one
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    mock = httpx.MockTransport(answer)
    full = _full_client(url, emulator, async_transport=mock)
    async with full, httpx.AsyncClient(base_url=url, headers=headers, transport=mock) as raw:
        pairs = _contenders(full, raw, channel_id)
        return {
            name: await interleave(pair, rounds=rounds[name] * 4, warmup=max(2, rounds[name] // 5))
            for name, pair in pairs.items()
        }


def _limiter_cost(pairs: int, samples: int) -> tuple[float, float]:
    """Median seconds per acquire+release of a real :class:`LocalRateLimiter` (sync, async) that never waits."""
    rule = RateLimitRule(threshold=10**9, window=60.0, lock=600.0)
    limiter = LocalRateLimiter()

    def sync_batch() -> float:
        started = time.perf_counter()
        for _ in range(pairs):
            limiter.acquire("user:get_channel", rule, operation_id="get_channel", max_wait=0.0)
            limiter.release("user:get_channel", rule)
        return (time.perf_counter() - started) / pairs

    async def async_batch() -> float:
        started = time.perf_counter()
        for _ in range(pairs):
            await limiter.aacquire("user:get_channel", rule, operation_id="get_channel", max_wait=0.0)
            await limiter.arelease("user:get_channel", rule)
        return (time.perf_counter() - started) / pairs

    async def both() -> tuple[float, float]:
        sync_times, async_times = [], []
        for _ in range(samples):
            sync_times.append(sync_batch())
            async_times.append(await async_batch())
        return statistics.median(sync_times), statistics.median(async_times)

    return asyncio.run(both())


def _describe(result: BenchResult, where: str, samples: dict[str, dict[str, Samples]]) -> dict[str, float]:
    ratios = {}
    for name, pair in samples.items():
        full, raw = pair["full client"], pair["raw httpx"]
        ratios[name] = full.median / raw.median
        for contender, sample in pair.items():
            result.details.append(
                f"{where:10s} {name:13s} {contender:11s} median {micros(sample.median):>12s}"
                f"  p95 {micros(sample.p95):>12s}  client CPU {micros(sample.cpu_median):>11s}"
            )
        result.details.append(
            f"{where:10s} {name:13s} full/raw {ratios[name]:.3f}x, +{micros(full.median - raw.median)} per call, "
            f"client CPU {full.cpu_median / raw.cpu_median:.2f}x"
        )
    return ratios


def run(smoke: bool) -> BenchResult:
    rounds = {"get_channel": 6, "list_channels": 3} if smoke else {"get_channel": 1500, "list_channels": 150}
    emulator = CliqEmulator(rate_limits=False)
    channel_id = emulator.seed_channels(PAGE_SIZE)[0]
    with emulator.serve() as url:
        over_loopback = asyncio.run(_loopback_pairs(emulator, url, channel_id, rounds))
        in_process = asyncio.run(_in_process_pairs(emulator, url, channel_id, rounds))
    sync_pair, async_pair = _limiter_cost(100 if smoke else 2000, 3 if smoke else 40)

    result = BenchResult(NAME, "emulator set: full client vs raw httpx + json.loads, same loopback emulator")
    loop_ratios = _describe(result, "loopback", over_loopback)
    local_ratios = _describe(result, "in-process", in_process)
    get_ratio = loop_ratios["get_channel"]
    result.ratio = (
        f"get_channel {get_ratio:.3f}x, list_channels page {loop_ratios['list_channels']:.3f}x "
        "(full client / raw httpx, loopback medians)"
    )
    result.rows += [
        Row("get_channel, full client / raw httpx (emulator, wall)", f"{get_ratio:.3f}x"),
        Row("list_channels 100-channel page, full / raw (emulator, wall)", f"{loop_ratios['list_channels']:.3f}x"),
        Row("get_channel, client-only (in-process transport)", f"{local_ratios['get_channel']:.2f}x"),
        Row("list_channels page, client-only (in-process transport)", f"{local_ratios['list_channels']:.2f}x"),
        Row("LocalRateLimiter acquire+release (async / sync)", f"{micros(async_pair)} / {micros(sync_pair)}"),
    ]
    result.details += [
        "full client: create_client(refresh token) + ZohoOAuth + CliqTransport (validation, retries) + models,",
        "  with a rate limiter that admits everything (UnlimitedRateLimiter): Zoho's 20/minute would pace the loop;",
        f"  the real LocalRateLimiter costs {micros(async_pair)} (async) / {micros(sync_pair)} (sync)"
        " per acquire+release when it admits at once (in-process, huge rule)",
        "raw httpx: httpx.AsyncClient, static Authorization header, json.loads(response.content)",
        "in-process: the same calls over httpx.MockTransport replaying the emulator's bytes (no server, no socket)",
    ]
    return result
