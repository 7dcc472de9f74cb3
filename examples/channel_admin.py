"""Channel administration for a Zoho Cliq organization: the example application.

Every function takes a client made by ``cliq_channels_client.create_client``
and awaits the SDK's generated endpoint functions, so the same code runs
against real Zoho (``real_zoho.py``) and against the embedded emulator
(``demo.py``), under asyncio or trio.  Only the SDK's public API is used:
top-level names of ``cliq_channels_client`` plus its ``api.channels`` and
``models`` modules.  Rate limits, token refresh, retries and request
validation are the client's job, so none of that appears here; errors arrive
as the typed exceptions of ``cliq_channels_client`` and are handled where the
application has something sensible to do about them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TypeAlias, cast

import anyio
import attrs

from cliq_channels_client import (
    AuthenticatedClient,
    ChannelPager,
    ChannelSync,
    Client,
    CliqAPIError,
    CliqError,
    NotFoundError,
    RateLimitError,
)
from cliq_channels_client.api.channels import (
    add_bot_to_channel,
    add_channel_members,
    approve_channel,
    archive_channel,
    create_channel,
    delete_channel,
    get_channel,
    get_channel_members,
    reject_channel,
    unarchive_channel,
    update_channel,
    update_channel_member_role,
)
from cliq_channels_client.models import (
    AddBotToChannelRequest,
    AddChannelMembersRequest,
    Channel,
    ChannelLevel,
    ChannelMemberList,
    ChannelRole,
    ChannelStatus,
    CreateChannelRequest,
    Error,
    UpdateChannelMemberRoleRequest,
    UpdateChannelRequest,
)
from cliq_channels_client.types import UNSET

__all__ = [
    "BulkResult",
    "ChannelMirror",
    "CliqClient",
    "Inventory",
    "SyncReport",
    "UnexpectedAnswerError",
    "add_bot",
    "add_members",
    "approve",
    "archive",
    "bulk_set_description",
    "create_org_channel",
    "create_project_channel",
    "delete",
    "find_channel",
    "get",
    "inventory",
    "member_roles",
    "reject",
    "set_description",
    "set_member_role",
    "unarchive",
]

#: What ``create_client`` returns; the helpers also accept the generated ``AuthenticatedClient``.
CliqClient: TypeAlias = Client | AuthenticatedClient


class UnexpectedAnswerError(RuntimeError):
    """A success status whose body is not the documented one: better to stop than to guess."""


def _api(client: CliqClient) -> AuthenticatedClient:
    """The generated endpoints are annotated ``AuthenticatedClient`` but accept either client class."""
    return cast(AuthenticatedClient, client)


def _channel(answer: Channel | Error | None, what: str) -> Channel:
    """Narrow a ``Channel | Error | None`` answer (error statuses were already raised by the client)."""
    if not isinstance(answer, Channel):
        raise UnexpectedAnswerError(f"{what}: expected a channel, got {type(answer).__name__}")
    return answer


def _text(value: object) -> str:
    """A generated model field that may be ``UNSET``, as text (``""`` when absent)."""
    return "" if value is UNSET or value is None else str(value)


# --- single operations ----------------------------------------------------------------------------


async def create_project_channel(
    client: CliqClient,
    name: str,
    *,
    description: str = "",
    member_ids: Sequence[str] = (),
    moderator_ids: Sequence[str] = (),
) -> Channel:
    """A private (invite-only) channel for a project team; it is usable at once, no approval needed."""
    body = CreateChannelRequest(
        name=name,
        level=ChannelLevel.PRIVATE,
        description=description or UNSET,
        user_ids=list(member_ids) or UNSET,
        moderator_ids=list(moderator_ids) or UNSET,
    )
    return _channel(await create_channel.asyncio(client=_api(client), body=body), "create_channel")


async def create_org_channel(client: CliqClient, name: str, *, description: str = "") -> Channel:
    """An organization-wide channel; Cliq keeps it ``pending`` until an organization admin approves it."""
    body = CreateChannelRequest(name=name, level=ChannelLevel.ORGANIZATION, description=description or UNSET)
    return _channel(await create_channel.asyncio(client=_api(client), body=body), "create_channel")


async def approve(client: CliqClient, channel_id: str) -> Channel:
    """Approve a pending organization channel (organization admins only); returns it as it is now."""
    await approve_channel.asyncio(channel_id, client=_api(client))
    return await get(client, channel_id)


async def reject(client: CliqClient, channel_id: str) -> None:
    """Reject a pending organization channel: Cliq removes it."""
    await reject_channel.asyncio(channel_id, client=_api(client))


async def get(client: CliqClient, channel_id: str) -> Channel:
    """One channel's details."""
    return _channel(await get_channel.asyncio(channel_id, client=_api(client)), "get_channel")


async def find_channel(client: CliqClient, channel_id: str) -> Channel | None:
    """The channel, or ``None`` if it no longer exists: a stale id is normal for a cached list."""
    try:
        return await get(client, channel_id)
    except NotFoundError:
        return None


async def add_members(client: CliqClient, channel_id: str, user_ids: Sequence[str]) -> None:
    """Add users to a channel, 50 per request (the API's maximum per call)."""
    for start in range(0, len(user_ids), 50):
        body = AddChannelMembersRequest(user_ids=list(user_ids[start : start + 50]))
        await add_channel_members.asyncio(channel_id, client=_api(client), body=body)


async def member_roles(client: CliqClient, channel_id: str) -> dict[str, str]:
    """``{user_id: role}`` of a channel's members, for audits and for checking a role change."""
    answer = await get_channel_members.asyncio(channel_id, client=_api(client))
    if not isinstance(answer, ChannelMemberList):
        raise UnexpectedAnswerError(f"get_channel_members: expected a member list, got {type(answer).__name__}")
    members = answer.members if isinstance(answer.members, list) else []
    return {_text(m.user_id): _text(m.user_role) for m in members if isinstance(m.user_id, str)}


async def set_member_role(client: CliqClient, channel_id: str, user_id: str, role: ChannelRole) -> None:
    """Give a member another role (``admin``, ``moderator``, ``member``; ``super_admin`` needs one)."""
    body = UpdateChannelMemberRoleRequest(role=role)
    await update_channel_member_role.asyncio(channel_id, user_id, client=_api(client), body=body)


async def add_bot(client: CliqClient, bot_unique_name: str, channel: Channel) -> None:
    """Add a bot to a channel; Cliq addresses both by unique name, not by id."""
    unique_name = _text(channel.unique_name)
    if not unique_name:
        raise UnexpectedAnswerError("the channel has no unique_name to add a bot to")
    body = AddBotToChannelRequest(channel_unique_name=unique_name)
    await add_bot_to_channel.asyncio(bot_unique_name, client=_api(client), body=body)


async def set_description(client: CliqClient, channel_id: str, description: str) -> Channel:
    """Replace a channel's description; returns the updated channel."""
    body = UpdateChannelRequest(description=description)
    return _channel(await update_channel.asyncio(channel_id, client=_api(client), body=body), "update_channel")


async def archive(client: CliqClient, channel_id: str) -> None:
    """Archive a channel (read-only for its members until unarchived)."""
    await archive_channel.asyncio(channel_id, client=_api(client))


async def unarchive(client: CliqClient, channel_id: str) -> None:
    """Bring an archived channel back."""
    await unarchive_channel.asyncio(channel_id, client=_api(client))


async def delete(client: CliqClient, channel_id: str) -> None:
    """Delete a channel for good."""
    await delete_channel.asyncio(channel_id, client=_api(client))


# --- bulk work ------------------------------------------------------------------------------------


@attrs.define
class BulkResult:
    """Outcome of a bulk job: what succeeded, what failed and why, and what was never tried."""

    done: list[str] = attrs.field(factory=list)
    failed: dict[str, CliqError] = attrs.field(factory=dict)
    skipped: list[str] = attrs.field(factory=list)


async def bulk_set_description(
    client: CliqClient, channel_ids: Iterable[str], description: str, *, concurrency: int = 8
) -> BulkResult:
    """Update many channels with ``concurrency`` workers; the client paces them inside the rate limit.

    A failure of one channel (not found, not allowed...) is recorded and the
    job goes on.  A rate-limit error means the client could not stay inside
    the limit within its ``max_wait`` (or the server locked the operation), so
    the job stops and reports the rest as skipped instead of hammering a lock.
    """
    result = BulkResult()
    queue = list(channel_ids)
    queue.reverse()  # pop() from the end keeps the original order
    stop = anyio.Event()

    async def worker() -> None:
        while queue and not stop.is_set():
            channel_id = queue.pop()
            try:
                await set_description(client, channel_id, description)
            except RateLimitError as exc:
                result.failed[channel_id] = exc
                stop.set()
            except CliqAPIError as exc:
                result.failed[channel_id] = exc
            else:
                result.done.append(channel_id)

    async with anyio.create_task_group() as tasks:
        for _ in range(max(1, concurrency)):
            tasks.start_soon(worker)
    result.skipped = list(reversed(queue))
    return result


# --- listing and sync -----------------------------------------------------------------------------


@attrs.frozen
class Inventory:
    """What a full listing saw: how many channels, how many pages, and whether any came twice."""

    count: int
    unique: int
    pages: int
    by_status: dict[str, int]
    duplicates: tuple[str, ...]


async def inventory(client: CliqClient, *, page_size: int = 100, status: ChannelStatus | None = None) -> Inventory:
    """Walk every channel once (one page in memory at a time) and tally them by status."""
    pager = ChannelPager(client, limit=page_size, status=status)
    seen: set[str] = set()
    duplicates: list[str] = []
    statuses: Counter[str] = Counter()
    count = 0
    async for channel in pager:
        count += 1
        channel_id = _text(channel.channel_id)
        if channel_id in seen:
            duplicates.append(channel_id)
        seen.add(channel_id)
        statuses[_text(channel.status)] += 1
    return Inventory(
        count=count,
        unique=len(seen),
        pages=pager.pages_fetched,
        by_status=dict(statuses),
        duplicates=tuple(duplicates),
    )


@attrs.frozen
class SyncReport:
    """One sync run: full or incremental (and why), which channels changed or went away."""

    full: bool
    reason: str | None
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    pages: int


@attrs.define
class ChannelMirror:
    """A local copy of the organization's channels, kept current by incremental sync.

    ``state`` is the opaque sync state to persist between runs (a database
    column, a file); with it the next :meth:`refresh` asks only for what
    changed.  Channels are upserted by id, so a channel delivered twice across
    runs is harmless.
    """

    channels: dict[str, Channel] = attrs.field(factory=dict)
    state: str | None = None

    async def refresh(self, client: CliqClient, *, page_size: int = 100) -> SyncReport:
        """Apply one sync run; the state moves only once the whole run was applied."""
        sync = ChannelSync(client, state=self.state, limit=page_size)
        result = await sync.arun()
        changed: list[str] = []
        removed: list[str] = []
        fresh: dict[str, Channel] = {}
        pages = 0
        async for page in result.apages():
            pages += 1
            for channel in page:
                channel_id = _text(channel.channel_id)
                fresh[channel_id] = channel
                changed.append(channel_id)
            gone = page.raw.additional_properties.get("removed_channel_ids")
            if isinstance(gone, list):
                removed.extend(str(channel_id) for channel_id in gone)
        if result.full_resync:
            self.channels = fresh  # a full listing is the whole truth: anything missing is gone
        else:
            self.channels.update(fresh)
            for channel_id in removed:
                self.channels.pop(channel_id, None)
        self.state = result.state
        reason = None if result.reason is None else str(result.reason)
        return SyncReport(
            full=result.full_resync, reason=reason, changed=tuple(changed), removed=tuple(removed), pages=pages
        )
