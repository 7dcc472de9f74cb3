"""The example application against real Zoho Cliq, with credentials from environment variables.

Read-only by default: it lists every channel (``ChannelPager``) and runs an
incremental sync twice (``ChannelSync``: a full run, then only what changed).
With ``--write`` it also creates a private channel named
``sdk-example-<time>``, describes it, adds the ``--member`` users and changes
a role, adds a ``--bot``, archives and unarchives it, syncs to see those
changes, and deletes the channel again (also when a step fails).
``--org-channel`` adds an organization channel that waits for approval.

Environment (see examples/README.md for creating the OAuth client):

    ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN   required
    ZOHO_DC             required: com, eu, in, com.au, jp, ca, ... (where the account lives)
    CLIQ_NETWORK        optional: a Cliq network's unique name
    ZOHO_TOKEN_FILE     optional: share access tokens between runs and processes (FileTokenStore)

Exit status: 0 done, 1 the API refused or failed, 2 missing or bad configuration.
Secrets are never printed: not the client secret, the refresh token or any access token.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import anyio
import attrs
import channel_admin as app

from cliq_channels_client import (
    CliqError,
    CliqValidationError,
    FileTokenStore,
    PermissionDeniedError,
    create_client,
    data_centre,
)
from cliq_channels_client.models import ChannelRole

#: Environment variables without which nothing can start, in the order they are reported.
REQUIRED = ("ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN", "ZOHO_DC")
EXIT_CONFIG = 2


class ConfigError(Exception):
    """The environment does not describe a usable Zoho account; the message says what to set."""


@attrs.frozen
class Settings:
    """What the environment configures; secrets are kept out of ``repr`` so they cannot be logged by accident."""

    client_id: str = attrs.field(repr=False)
    client_secret: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)
    data_centre: str
    network: str | None
    token_file: Path | None


def settings_from_env(env: Mapping[str, str]) -> Settings:
    """Read and check the environment; a missing or unknown value is a :class:`ConfigError` naming it."""
    missing = [name for name in REQUIRED if not env.get(name, "").strip()]
    if missing:
        others = f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else ""
        raise ConfigError(
            f"missing environment variable {missing[0]}{others}. Set {', '.join(REQUIRED)} "
            "for a Zoho OAuth client of your account (see examples/README.md); or run examples/demo.py, "
            "which needs no account."
        )
    dc = env["ZOHO_DC"].strip()
    try:
        data_centre(dc)
    except CliqValidationError as exc:
        raise ConfigError(f"ZOHO_DC: {exc.detail}") from None
    token_file = env.get("ZOHO_TOKEN_FILE", "").strip()
    return Settings(
        client_id=env["ZOHO_CLIENT_ID"].strip(),
        client_secret=env["ZOHO_CLIENT_SECRET"].strip(),
        refresh_token=env["ZOHO_REFRESH_TOKEN"].strip(),
        data_centre=dc,
        network=env.get("CLIQ_NETWORK", "").strip() or None,
        token_file=Path(token_file).expanduser() if token_file else None,
    )


def build_client(settings: Settings) -> app.CliqClient:
    """The production client: Zoho OAuth for the data centre, optional network and shared token file."""
    client: app.CliqClient = create_client(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        refresh_token=settings.refresh_token,
        data_centre=settings.data_centre,
        network=settings.network,
        token_store=FileTokenStore(settings.token_file) if settings.token_file else None,
    )
    return client


async def read_only(client: app.CliqClient, page_size: int) -> app.ChannelMirror:
    """List every channel once, then sync twice: a full run and an incremental one."""
    print("[1] Listing every channel (one page in memory at a time)")
    inventory = await app.inventory(client, page_size=page_size)
    print(f"    {inventory.count} channels in {inventory.pages} page(s); by status {inventory.by_status}")
    if inventory.duplicates:
        print(f"    warning: {len(inventory.duplicates)} channel(s) came twice: {inventory.duplicates[:5]}")

    print("[2] Sync, first run (no saved state: a full listing)")
    mirror = app.ChannelMirror()
    first = await mirror.refresh(client, page_size=page_size)
    print(f"    full={first.full} reason={first.reason}: {len(first.changed)} channels in {first.pages} page(s)")

    print("[3] Sync, second run (only what changed since the first)")
    second = await mirror.refresh(client, page_size=page_size)
    print(f"    full={second.full}: {len(second.changed)} changed, {len(second.removed)} removed")
    return mirror


async def write_steps(
    client: app.CliqClient, mirror: app.ChannelMirror, members: Sequence[str], bot: str | None, org_channel: bool
) -> None:
    """Mutating steps, only on channels created here, which are deleted again whatever happens."""
    created: list[str] = []
    stamp = time.strftime("%Y%m%d-%H%M%S")
    try:
        print(f"[4] Creating private channel sdk-example-{stamp}")
        channel = await app.create_project_channel(
            client, f"sdk-example-{stamp}", description="Created by cliq-channels-client's real_zoho.py example"
        )
        channel_id = str(channel.channel_id)
        created.append(channel_id)
        print(f"    {channel.name} id={channel_id} status={channel.status}")
        await app.set_description(client, channel_id, "Temporary channel: deleted at the end of the example")
        if members:
            await app.add_members(client, channel_id, members)
            await app.set_member_role(client, channel_id, members[0], ChannelRole.MODERATOR)
            roles = await app.member_roles(client, channel_id)
            print(f"    members and roles: {roles}")
        if bot:
            await app.add_bot(client, bot, channel)
            print(f"    added bot {bot}")
        await app.archive(client, channel_id)
        print(f"    archived: status {(await app.get(client, channel_id)).status}")
        await app.unarchive(client, channel_id)
        print(f"    unarchived: status {(await app.get(client, channel_id)).status}")

        if org_channel:
            print(f"[5] Creating organization channel sdk-example-org-{stamp}")
            org = await app.create_org_channel(client, f"sdk-example-org-{stamp}")
            created.append(str(org.channel_id))
            print(f"    status {org.status}")
            if str(org.status) == "pending":
                try:
                    approved = await app.approve(client, str(org.channel_id))
                    print(f"    approved: status {approved.status}")
                except PermissionDeniedError as exc:
                    print(f"    not approved, this user is not an organization admin: {exc.message}")

        print("[6] Sync: the changes just made")
        report = await mirror.refresh(client)
        print(f"    full={report.full}: changed {list(report.changed)[:10]}, removed {list(report.removed)[:10]}")
    finally:
        for channel_id in reversed(created):
            try:
                await app.delete(client, channel_id)
                print(f"    cleaned up: deleted {channel_id}")
            except CliqError as exc:
                print(f"    could not delete {channel_id}, delete it by hand: {exc}", file=sys.stderr)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    where = f"data centre {settings.data_centre}" + (f", network {settings.network}" if settings.network else "")
    print(f"cliq-channels-client against real Zoho Cliq ({where}); {'read-write' if args.write else 'read-only'}")
    try:
        async with build_client(settings) as client:
            mirror = await read_only(client, args.page_size)
            if args.write:
                await write_steps(client, mirror, args.member, args.bot, args.org_channel)
    except CliqError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The example application against real Zoho Cliq.")
    parser.add_argument("--write", action="store_true", help="also run the mutating steps (on a channel it creates)")
    parser.add_argument("--member", action="append", default=[], metavar="USER_ID", help="user to add (--write)")
    parser.add_argument("--bot", metavar="BOT_UNIQUE_NAME", help="bot to add to the channel (--write)")
    parser.add_argument("--org-channel", action="store_true", help="also create an organization channel (--write)")
    parser.add_argument("--page-size", type=int, default=100, help="channels per list request (1-100)")
    args = parser.parse_args(argv)
    try:
        settings = settings_from_env(os.environ if env is None else env)
    except ConfigError as exc:
        print(f"real_zoho.py: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    result: int = anyio.run(run, settings, args)
    return result


if __name__ == "__main__":
    sys.exit(main())
