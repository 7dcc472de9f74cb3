"""The headline: client CPU per call, full SDK vs raw httpx + ``json.loads``, against a fast loopback server.

The server (:mod:`.fast_server`) runs in its own process and replays bytes
recorded from the emulator, so ``time.process_time()`` here is the client's
own CPU: the SDK (static access token, pacing off, validation, retries, typed
errors, models) against ``httpx`` with a fixed header and ``json.loads``.
Sync and async clients, ``get_channel`` and ``list_channels`` pages of 1, 10
and 100 channels.

How, and why so: calls are timed in batches, one batch per contender per
round, in a shuffled order each round (a seeded shuffle), so a drift of the
machine's speed hits all contenders alike.  Each contender is
:data:`INSTANCES` clients (each its own connection), used in turn round by
round: on a small VM two *identical* raw clients differ by up to 3-5% for as
long as they live (where their objects landed in memory), which would
otherwise pass for the SDK's cost.  The rounds are split over
:data:`PROCESSES` fresh interpreters, run one after another: one process's
memory layout moves a ratio too (the same code measured 1.02-1.08x in nine
processes whose A/A rows were all within 1%), and the A/A row cannot see it,
since it compares raw with raw.  The ratio is of the median CPU per call
over all batches; its 95% confidence interval is a bootstrap over rounds; the
spread is the 25th-75th percentile of the per-round ratios.  For
``get_channel``, whose goal is tight, a second set of raw clients is timed as
a third contender: its ratio to raw (an A/A test) is the noise floor of the
run, printed beside the SDK's.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AsyncExitStack, ExitStack
from typing import TypeVar, cast

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
BATCH = {"get_channel": 10, "list_channels x1": 10, "list_channels x10": 10, "list_channels x100": 2}
#: rounds per payload (full run): most where the goal is tightest
ROUNDS = {"get_channel": 300, "list_channels x1": 60, "list_channels x10": 60, "list_channels x100": 120}
#: clients per contender, used in turn: one client's memory layout alone moves a ratio by a few percent
INSTANCES = 3
#: fresh interpreters the rounds are split over (one at a time): a process's own layout moves a ratio too
PROCESSES = 3
#: payloads timed with a second set of raw clients too (A/A: the run's noise floor)
CALIBRATED = frozenset({"get_channel"})
FULL, RAW, RAW_AGAIN = "full", "raw", "raw again"
BOOTSTRAP = 1000
SEED = 20261128

_C = TypeVar("_C")
_Call = Callable[[], object]
_ACall = Callable[[], Awaitable[object]]
_Times = dict[str, dict[str, list[float]]]  # payload -> contender -> CPU per call, one per round


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


def _raw_headers() -> dict[str, str]:
    return {"Authorization": f"Zoho-oauthtoken {TOKEN}"}


def _check_page(page: object, size: int) -> None:
    if not isinstance(page, ChannelList) or not isinstance(page.channels, list) or len(page.channels) != size:
        raise AssertionError(f"list_channels returned {page!r:.80}")


def _check_channel(channel: object, channel_id: str) -> None:
    if not isinstance(channel, Channel) or channel.channel_id != channel_id:
        raise AssertionError(f"get_channel returned {channel!r:.80}")


def _raw_check(payload: str, channel_id: str) -> Callable[[bytes], None]:
    """What the raw contender checks of a body, decided once per payload (not on every call)."""
    if payload == "get_channel":

        def check_channel(body: bytes) -> None:
            if json.loads(body)["channel_id"] != channel_id:
                raise AssertionError("raw get_channel")

        return check_channel
    size = _size(payload)

    def check_page(body: bytes) -> None:
        if len(json.loads(body)["channels"]) != size:
            raise AssertionError(f"raw list_channels x{size}")

    return check_page


def _target(payload: str, channel_id: str) -> tuple[str, dict[str, int] | None]:
    if payload == "get_channel":
        return f"/channels/{channel_id}", None
    return "/channels", {"limit": _size(payload)}


def _size(payload: str) -> int:
    """The page size of a ``list_channels xN`` payload."""
    return int(payload.rsplit("x", 1)[1])


def _payloads() -> list[str]:
    return ["get_channel", *(f"list_channels x{size}" for size in PAGES)]


def _sync_full(sdk: AuthenticatedClient, payload: str, channel_id: str) -> _Call:
    if payload == "get_channel":
        return lambda: _check_channel(get_channel.sync(channel_id, client=sdk), channel_id)
    size = _size(payload)
    return lambda: _check_page(list_channels.sync(client=sdk, limit=size), size)


def _sync_raw(raw: httpx.Client, payload: str, channel_id: str) -> _Call:
    url, params = _target(payload, channel_id)
    check = _raw_check(payload, channel_id)
    return lambda: check(raw.get(url, params=params).content)


def _async_full(sdk: AuthenticatedClient, payload: str, channel_id: str) -> _ACall:
    if payload == "get_channel":

        async def get() -> None:
            _check_channel(await get_channel.asyncio(channel_id, client=sdk), channel_id)

        return get
    size = _size(payload)

    async def page() -> None:
        _check_page(await list_channels.asyncio(client=sdk, limit=size), size)

    return page


def _async_raw(raw: httpx.AsyncClient, payload: str, channel_id: str) -> _ACall:
    url, params = _target(payload, channel_id)
    check = _raw_check(payload, channel_id)

    async def call() -> None:
        check((await raw.get(url, params=params)).content)

    return call


def _contenders(payload: str, full: Sequence[_C], raw: Sequence[_C]) -> dict[str, Sequence[_C]]:
    """Each contender's call on each of its clients: full, raw, and for a calibrated payload raw again."""
    contenders = {FULL: full, RAW: raw[:INSTANCES]}
    if payload in CALIBRATED:
        contenders[RAW_AGAIN] = raw[INSTANCES:]
    return contenders


def _plan(contenders: dict[str, Sequence[_C]], rounds: int, seed: int) -> Iterator[tuple[str | None, _C]]:
    """The batches to time, in order: one warm-up per client (name ``None``), then the rounds.

    Each round times every contender once, on its next client, in an order
    shuffled by a seeded generator: the same in every run.
    """
    for calls in contenders.values():
        for call in calls:
            yield None, call
    shuffler = random.Random(seed)
    names = list(contenders)
    for index in range(rounds):
        shuffler.shuffle(names)
        for name in names:
            yield name, contenders[name][index % INSTANCES]


def _batch_cpu(call: _Call, n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - started) / n


async def _abatch_cpu(call: _ACall, n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        await call()
    return (time.process_time() - started) / n


def _measure_sync(base_url: str, channel_id: str, rounds: dict[str, int], seed: int) -> _Times:
    times: _Times = {}
    with ExitStack() as stack:
        sdks = [stack.enter_context(_sdk(base_url)) for _ in range(INSTANCES)]
        raws = [
            stack.enter_context(httpx.Client(base_url=base_url, headers=_raw_headers())) for _ in range(2 * INSTANCES)
        ]
        for payload in _payloads():
            contenders = _contenders(
                payload,
                [_sync_full(sdk, payload, channel_id) for sdk in sdks],
                [_sync_raw(raw, payload, channel_id) for raw in raws],
            )
            into = times[payload] = {name: [] for name in contenders}
            for name, call in _plan(contenders, rounds[payload], seed):
                cpu = _batch_cpu(call, BATCH[payload])
                if name is not None:
                    into[name].append(cpu)
    return times


async def _measure_async(base_url: str, channel_id: str, rounds: dict[str, int], seed: int) -> _Times:
    times: _Times = {}
    async with AsyncExitStack() as stack:
        sdks = [await stack.enter_async_context(_sdk(base_url)) for _ in range(INSTANCES)]
        raws = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, headers=_raw_headers()))
            for _ in range(2 * INSTANCES)
        ]
        for payload in _payloads():
            contenders = _contenders(
                payload,
                [_async_full(sdk, payload, channel_id) for sdk in sdks],
                [_async_raw(raw, payload, channel_id) for raw in raws],
            )
            into = times[payload] = {name: [] for name in contenders}
            for name, call in _plan(contenders, rounds[payload], seed):
                cpu = await _abatch_cpu(call, BATCH[payload])
                if name is not None:
                    into[name].append(cpu)
    return times


def _measure_in_this_process(
    base_url: str, channel_id: str, rounds: dict[str, int], seed: int
) -> tuple[_Times, _Times]:
    """Sync then async, with clients of this process: run in a fresh interpreter by :func:`run`."""
    sync_times = _measure_sync(base_url, channel_id, rounds, seed)
    return sync_times, asyncio.run(_measure_async(base_url, channel_id, rounds, seed))


def _pool(into: _Times, times: _Times) -> None:
    """Append one process's batches to ``into`` (each contender's list in round order, so rounds stay paired)."""
    for payload, contenders in times.items():
        for name, batches in contenders.items():
            into.setdefault(payload, {}).setdefault(name, []).extend(batches)


def _ratio_ci(numerator: list[float], denominator: list[float]) -> tuple[float, float]:
    """95% bootstrap interval of median(numerator) / median(denominator), resampling whole rounds."""
    shuffler = random.Random(SEED)
    rounds = range(len(numerator))
    ratios = []
    for _ in range(BOOTSTRAP):
        picked = shuffler.choices(rounds, k=len(numerator))
        top = statistics.median([numerator[i] for i in picked])
        bottom = statistics.median([denominator[i] for i in picked])
        ratios.append(top / bottom)
    return percentile(ratios, 0.025), percentile(ratios, 0.975)


def _compare(numerator: list[float], denominator: list[float]) -> tuple[float, str, str]:
    """The ratio of medians, its 95% interval and the per-round interquartile spread, as printed."""
    ratio = statistics.median(numerator) / statistics.median(denominator)
    low, high = _ratio_ci(numerator, denominator)
    per_round = [top / bottom for top, bottom in zip(numerator, denominator, strict=True) if bottom > 0]
    return ratio, f"{low:.2f}-{high:.2f}", f"{percentile(per_round, 0.25):.2f}-{percentile(per_round, 0.75):.2f}"


def _rows(result: BenchResult, flavour: str, payload: str, times: dict[str, list[float]]) -> None:
    ratio, interval, spread = _compare(times[FULL], times[RAW])
    goal = GOALS.get(payload)
    result.rows.append(
        Row(
            f"{payload} {flavour}, client CPU full / raw (fast server)",
            f"{ratio:.3f}x (95% CI {interval})",
            f"<= {goal}x" if goal else "report",
            None if goal is None else ratio <= goal,
        )
    )
    full_us, raw_us = statistics.median(times[FULL]) * 1e6, statistics.median(times[RAW]) * 1e6
    result.details.append(
        f"{flavour:5s} {payload:18s} full {full_us:8.1f} us  raw {raw_us:8.1f} us  CPU per call (medians of"
        f" {len(times[FULL])} batches of {BATCH[payload]})  ratio {ratio:.3f}, 95% CI {interval},"
        f" per-round IQR {spread}"
    )
    if RAW_AGAIN in times:
        floor, floor_interval, floor_spread = _compare(times[RAW_AGAIN], times[RAW])
        result.rows.append(
            Row(
                f"{payload} {flavour}, raw / raw (A/A: the run's noise floor)",
                f"{floor:.3f}x (95% CI {floor_interval})",
            )
        )
        result.details.append(
            f"{flavour:5s} {payload:18s} A/A: raw again / raw {floor:.3f}, 95% CI {floor_interval},"
            f" per-round IQR {floor_spread}"
        )


def run(smoke: bool) -> BenchResult:
    processes = 1 if smoke else PROCESSES
    rounds = {payload: 3 if smoke else count // processes for payload, count in ROUNDS.items()}
    channel_id, routes = _record()
    sync_times: _Times = {}
    async_times: _Times = {}
    fresh = multiprocessing.get_context("spawn")
    with (
        fast_server(routes) as origin,
        ProcessPoolExecutor(max_workers=1, mp_context=fresh, max_tasks_per_child=1) as one_at_a_time,
    ):
        for index in range(processes):
            measured = one_at_a_time.submit(
                _measure_in_this_process, f"{origin}/api/v2", channel_id, rounds, SEED + index
            ).result()
            _pool(sync_times, measured[0])
            _pool(async_times, measured[1])
    result = BenchResult(NAME, "client CPU per call: SDK vs raw httpx + json.loads, fast loopback server (own process)")
    for flavour, times in (("async", async_times), ("sync", sync_times)):
        for payload, contenders in times.items():
            _rows(result, flavour, payload, contenders)
    headline = [row for row in result.rows if row.met is not None]
    result.ratio = ", ".join(f"{row.metric.split(',')[0]} {row.measured.split(' ')[0]}" for row in headline)
    result.details += [
        "full: create_client(access_token=..., rate_limiter=UnlimitedRateLimiter()) -- StaticTokenAuth, CliqTransport",
        "  (validation, retries, typed errors) and the generated models; raw: httpx with a fixed Authorization header",
        "  and json.loads(response.content).  Server: benchmarks/fast_server.py, in a child process, replaying the",
        "  emulator's bytes; time.process_time() in this process is the client's CPU only.",
        f"  Each contender is {INSTANCES} clients used in turn; batches in a seeded shuffled order every round;",
        f"  the rounds are split over {processes} fresh interpreter process(es), run one after another;",
        "  95% CI: bootstrap over rounds; A/A: a second set of raw clients against the first (the noise floor).",
    ]
    return result
