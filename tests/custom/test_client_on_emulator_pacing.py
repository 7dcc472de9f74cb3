"""The configured client on the emulator, in-process and over loopback HTTP: rate limits.

A bulk job stays under Zoho's limit at >= 90 % of the allowed rate; a forced
server throttle (429, or 400 ``request_limit_exceeded``) locks that operation
only, sends nothing more to it until the lock opens, then calls succeed again.
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest

from cliq_channels_client import OperationLockedError, ThrottledError
from cliq_channels_client.api.channels import create_channel, get_channel, list_channels
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.custom.testing import ThrottleNow
from cliq_channels_client.models import Channel, ChannelLevel, ChannelList, CreateChannelRequest
from tests.custom.emulator_support import MODES, Target, make_target_fixture, open_target, raises, rate_ratio

shared_target, target = make_target_fixture()

LOCK = OPERATIONS_BY_ID["get_channel"].rate_limit.lock  # the operation table's lock period
RATES: dict[str, float] = {}  # achieved/allowed per run, printed with -s


def new_channel(name: str) -> CreateChannelRequest:
    return CreateChannelRequest(name=name, level=ChannelLevel.PRIVATE)


def check_bulk(target: Target, label: str) -> None:
    arrivals = target.arrivals("create_channel")
    assert len(arrivals) == 100
    assert target.throttled("create_channel") == 0
    assert target.emu.count(operation_id="create_channel", status=200) == 100
    ratio = rate_ratio(arrivals, "create_channel")
    RATES[f"{label}/{target.mode}"] = ratio
    print(f"bulk {label} {target.mode}: {ratio:.3f} of the allowed rate")
    assert 0.9 <= ratio <= 1.0


# --------------------------------------------------------------------------- a bulk job


@pytest.mark.anyio
async def test_a_bulk_job_of_100_concurrent_async_calls_is_never_throttled_and_fast(target: Target) -> None:
    before = target.channels()
    created: list[object] = []
    async with target.client(max_wait=600) as client:

        async def create(index: int) -> None:
            created.append(await create_channel.asyncio(client=client, body=new_channel(f"bulk-{index}")))

        async with anyio.create_task_group() as tasks:
            for index in range(100):
                tasks.start_soon(create, index)
    assert all(isinstance(channel, Channel) for channel in created)
    assert target.channels() - before == 100
    check_bulk(target, "async")


def test_a_bulk_job_of_100_sync_calls_is_never_throttled_and_fast(target: Target) -> None:
    before = target.channels()
    with target.client() as client:  # the default max_wait: a sequential job waits one window at most
        created = [create_channel.sync(client=client, body=new_channel(f"bulk-{i}")) for i in range(100)]
    assert all(isinstance(channel, Channel) for channel in created)
    assert target.channels() - before == 100
    check_bulk(target, "sync")


# --------------------------------------------------------------------------- a forced server throttle


@pytest.fixture(params=[(mode, style) for mode in MODES for style in (429, 400)], ids=lambda p: f"{p[0]}-{p[1]}")
def throttling(request: pytest.FixtureRequest) -> Iterator[Target]:
    """An emulator whose throttles answer 429 (with Retry-After) or 400 request_limit_exceeded."""
    mode, style = request.param
    with open_target(mode, throttle_status=style) as target:
        yield target


@pytest.mark.anyio
async def test_a_forced_throttle_locks_only_that_operation_until_it_opens(throttling: Target) -> None:
    target = throttling
    emu, clock = target.emu, target.clock
    channel_id = emu.seed_channels(1)[0]
    async with target.client() as client:
        assert isinstance(await get_channel.asyncio(channel_id, client=client), Channel)
        emu.inject(ThrottleNow(), operation_id="get_channel")
        with raises(ThrottledError) as throttled:
            await get_channel.asyncio(channel_id, client=client)
        assert throttled.value.status_code == emu.config.throttle_status
        assert throttled.value.retry_at == pytest.approx(clock.now() + LOCK)
        reached = target.sent("get_channel")
        for wait in (0.0, 1.0, LOCK / 2, LOCK / 2 - 2.0):  # until the lock opens: refused, nothing sent
            clock.advance(wait)
            with raises(OperationLockedError) as locked:
                await get_channel.asyncio(channel_id, client=client)
            assert locked.value.retry_at == throttled.value.retry_at
            assert isinstance(await list_channels.asyncio(client=client), ChannelList)  # others unaffected
        assert target.sent("get_channel") == reached == 2
        assert emu.locked_until("get_channel") is not None
        clock.set(throttled.value.retry_at)
        assert emu.locked_until("get_channel") is None
        channel = await get_channel.asyncio(channel_id, client=client)
    assert isinstance(channel, Channel)
    assert target.sent("get_channel") == 3
    assert target.emu.count(operation_id="list_channels", status=200) == 4


def test_a_forced_throttle_locks_only_that_operation_until_it_opens_sync(throttling: Target) -> None:
    target = throttling
    emu, clock = target.emu, target.clock
    channel_id = emu.seed_channels(1)[0]
    with target.client() as client:
        emu.inject(ThrottleNow(), operation_id="get_channel")
        with raises(ThrottledError) as throttled:
            get_channel.sync(channel_id, client=client)
        assert throttled.value.status_code == emu.config.throttle_status
        clock.advance(LOCK - 1)
        with raises(OperationLockedError) as locked:
            get_channel.sync(channel_id, client=client)
        assert locked.value.retry_after == pytest.approx(1.0)
        assert isinstance(list_channels.sync(client=client), ChannelList)
        assert target.sent("get_channel") == 1
        clock.advance(1)
        assert isinstance(get_channel.sync(channel_id, client=client), Channel)
    assert target.sent("get_channel") == 2
