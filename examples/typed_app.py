"""A small application written from the README alone, type-checked as users check theirs.

CI runs ``mypy --strict`` and ``basedpyright`` (pyright) on this file against the
installed package: it must pass with no ``cast``, no ``assert isinstance`` and
no ``# type: ignore``.  It runs on the embedded emulator (``python
examples/typed_app.py``, or ``tests/test_examples.py``): create a channel, add
members, list with filters, page, sync twice, and handle the typed errors.
"""

from __future__ import annotations

import datetime

import anyio

from cliq_channels_client import (
    ChannelPager,
    ChannelSync,
    Client,
    CliqValidationError,
    FakeClock,
    NotFoundError,
    RateLimitError,
    __version__,
)
from cliq_channels_client.api.channels import add_channel_members, create_channel, get_channel, get_channel_members
from cliq_channels_client.models import AddChannelMembersRequest, ChannelLevel, ChannelStatus, CreateChannelRequest
from cliq_channels_client.testing import CliqEmulator


async def project_report(client: Client, member_ids: list[str]) -> list[str]:
    """Everything the README's quick start shows, as lines of a report."""
    lines = [f"cliq-channels-client {__version__}"]
    started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)

    channel = await create_channel.asyncio(
        client=client, body=CreateChannelRequest(name="Project Falcon", level=ChannelLevel.PRIVATE)
    )
    lines.append(f"created {channel.channel_id} {channel.name} ({channel.level.value}, {channel.status.value})")

    await add_channel_members.asyncio(
        channel.channel_id, client=client, body=AddChannelMembersRequest(user_ids=member_ids)
    )
    members = await get_channel_members.asyncio(channel.channel_id, client=client)
    lines.extend(f"member {member.user_id} {member.name} {member.user_role.value}" for member in members.members)

    recent = ChannelPager(client, status=ChannelStatus.CREATED, created_after=started, limit=10)
    lines.extend([f"recent {ch.channel_id} {ch.name}" async for ch in recent])

    sync = ChannelSync(client)
    first = await sync.arun()
    lines.append(f"sync 1: {len([ch async for ch in first])} channels, full={first.full_resync}")
    second = await sync.arun()
    lines.append(f"sync 2: {len([ch async for ch in second])} changed, removed={list(second.removed_channel_ids)}")

    try:
        await get_channel.asyncio("T4000000099999", client=client)
    except NotFoundError as exc:
        lines.append(f"not found: HTTP {exc.status_code} {exc.operation_id}")
    except RateLimitError as exc:
        lines.append(f"rate limited until {exc.retry_at}")
    try:
        await get_channel.asyncio("", client=client)
    except CliqValidationError as exc:
        lines.append(f"refused: {exc.field} ({exc.rule})")
    return lines


def main() -> None:
    with CliqEmulator(clock=FakeClock()) as emulator:
        member_ids = [emulator.create_user(name).user_id for name in ("Olivia Palmer", "Li Jung")]
        client = emulator.client()
        for line in anyio.run(project_report, client, member_ids):
            print(line)


if __name__ == "__main__":
    main()
