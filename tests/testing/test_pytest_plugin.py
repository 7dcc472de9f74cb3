"""The pytest plugin (entry point ``pytest11``): its fixtures are what an application's tests get."""

from __future__ import annotations

import datetime
import importlib.metadata
import time

import pytest

from cliq_channels_client import ChannelPager, Client, FakeClock, NotFoundError
from cliq_channels_client.api.channels import create_channel, get_channel
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.models import ChannelLevel, CreateChannelRequest
from cliq_channels_client.testing import CliqEmulator


def test_the_plugin_is_registered_for_pytest() -> None:
    plugins = {entry.name: entry.value for entry in importlib.metadata.entry_points(group="pytest11")}
    assert plugins["cliq_channels_client"] == "cliq_channels_client.custom.pytest_plugin"


def test_cliq_client_behaves_as_in_production(cliq_client: Client, cliq_emulator: CliqEmulator) -> None:
    body = CreateChannelRequest(name="falcon", level=ChannelLevel.PRIVATE)
    channel = create_channel.sync(client=cliq_client, body=body)
    assert get_channel.sync(channel.channel_id, client=cliq_client).name == "#falcon"
    with pytest.raises(NotFoundError) as raised:  # raised, as create_client's client does: not returned
        get_channel.sync("T4000000099999", client=cliq_client)
    assert raised.value.operation_id == "get_channel"
    assert [ch.channel_id for ch in ChannelPager(cliq_client)] == [channel.channel_id]
    assert cliq_emulator.count(operation_id="create_channel", status=200) == 1


@pytest.mark.anyio
async def test_cliq_async_client_behaves_as_in_production(cliq_async_client: Client) -> None:
    body = CreateChannelRequest(name="falcon", level=ChannelLevel.PRIVATE)
    channel = await create_channel.asyncio(client=cliq_async_client, body=body)
    assert (await get_channel.asyncio(channel.channel_id, client=cliq_async_client)).name == "#falcon"
    with pytest.raises(NotFoundError):
        await get_channel.asyncio("T4000000099999", client=cliq_async_client)


def test_emulator_and_clients_share_a_clock_at_the_real_time(
    cliq_clock: FakeClock, cliq_emulator: CliqEmulator
) -> None:
    assert cliq_emulator.clock is cliq_clock
    assert abs(cliq_clock.now() - time.time()) < 60
    client = cliq_emulator.client()
    channel = create_channel.sync(client=client, body=CreateChannelRequest(name="now", level=ChannelLevel.PRIVATE))
    # an application filtering relative to the real "now" finds what it just created
    recent = ChannelPager(client, created_after=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5))
    assert [ch.channel_id for ch in recent] == [channel.channel_id]


def test_emulator_client_paces_instead_of_tripping_the_lock(cliq_emulator: CliqEmulator) -> None:
    """Five calls past the limit: a bare client would be throttled; this one waits its turn on the fake clock."""
    rule = OPERATIONS_BY_ID["get_channel"].rate_limit  # the document's, from the operation table
    client = cliq_emulator.client()
    started = cliq_emulator.clock.now()
    for _ in range(rule.threshold + 5):
        with pytest.raises(NotFoundError):
            get_channel.sync("T4000000099999", client=client)
    assert cliq_emulator.count(operation_id="get_channel", status=429) == 0
    assert cliq_emulator.clock.now() - started >= rule.window  # the call past the limit waited for the window
