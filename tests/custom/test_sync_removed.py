"""``SyncResult.removed_channel_ids``: deletions, when the server lists them (the emulator does; the reference not)."""

from __future__ import annotations

import httpx
import pytest

from cliq_channels_client import ChannelSync, Client
from cliq_channels_client.api.channels import create_channel, delete_channel
from cliq_channels_client.models import ChannelLevel, CreateChannelRequest
from tests.bodies import channel_json


def _create(client: Client, name: str) -> str:
    return create_channel.sync(
        client=client, body=CreateChannelRequest(name=name, level=ChannelLevel.PRIVATE)
    ).channel_id


def test_a_run_of_changes_names_the_deleted_channels(cliq_client: Client) -> None:
    kept, gone = _create(cliq_client, "kept"), _create(cliq_client, "gone")
    sync = ChannelSync(cliq_client)
    first = sync.run()
    assert {ch.channel_id for ch in first} == {kept, gone}
    assert first.removed_channel_ids == ()  # a full listing: what is missing is gone
    delete_channel.sync(gone, client=cliq_client)
    changes = sync.run()
    assert not changes.full_resync
    assert changes.removed_channel_ids == (gone,)
    assert "removed=1" in repr(changes)
    assert list(changes) == []


@pytest.mark.anyio
async def test_a_run_of_changes_names_the_deleted_channels_async(cliq_async_client: Client) -> None:
    gone = (
        await create_channel.asyncio(
            client=cliq_async_client, body=CreateChannelRequest(name="gone", level=ChannelLevel.PRIVATE)
        )
    ).channel_id
    sync = ChannelSync(cliq_async_client)
    _ = [ch async for ch in await sync.arun()]
    await delete_channel.asyncio(gone, client=cliq_async_client)
    assert (await sync.arun()).removed_channel_ids == (gone,)


def test_without_the_extension_nothing_is_reported_and_odd_values_are_ignored() -> None:
    bodies = iter(
        [
            {"channels": [channel_json("T1")], "has_more": False, "sync_token": "s1"},
            {"channels": [], "has_more": False, "sync_token": "s2", "removed_channel_ids": ["T1", 7, None]},
            {"channels": [], "has_more": False, "sync_token": "s3"},
        ]
    )
    client = Client(
        base_url="https://cliq.zoho.com/api/v2",
        httpx_args={"transport": httpx.MockTransport(lambda request: httpx.Response(200, json=next(bodies)))},
    )
    sync = ChannelSync(client)
    list(sync.run())
    second = sync.run()
    assert second.removed_channel_ids == ("T1",)
    list(second)
    assert sync.run().removed_channel_ids == ()
