"""The main demo (``make demo``): the example application against the Cliq emulator on loopback.

No Zoho account is needed: the SDK's embedded emulator serves the Channels
API and the Zoho accounts token endpoint on 127.0.0.1, and the client talks
to it over real HTTP, exactly as it would to Zoho.  Client and emulator share
one ``FakeClock``, so the client's rate-limit waits take simulated minutes and
no real time; access tokens live only 5 simulated minutes, so they expire and
are refreshed during the run.

It runs ``channel_admin`` (the application) step by step, prints what
happens, checks the promises the SDK makes (tokens refreshed, never
throttled, every channel listed once, sync returns only what changed) and
exits 1 if any check fails.  ``--backend trio`` runs the same code on trio.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import anyio
import channel_admin as app

from cliq_channels_client import (
    BadRequestError,
    ClientHooks,
    CliqValidationError,
    FakeClock,
    PermissionDeniedError,
    RateLimitWaitEvent,
    ResponseEvent,
    ThrottleEvent,
    create_client,
)
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.models import ChannelRole
from cliq_channels_client.testing import CliqEmulator

TOKEN_TTL = 300.0  # seconds of simulated time an access token lives (Zoho: 3600)


def rate_limit(operation_id: str) -> int:
    """Calls per user in any rolling minute for one operation: the document's limit, from the operation table."""
    rule = OPERATIONS_BY_ID[operation_id].rate_limit
    return int(rule.threshold * 60 // rule.window)


# More updates than three minutes of the document's allowance, so the client must pace them.
BULK_SIZE = 3 * rate_limit("update_channel") + 4
BULK_WORKERS = 8
PEOPLE = ("Scott Fisher", "Amelia Burrows", "Noah Patel", "Liam Carter", "Olivia Palmer")


# --- narration and measurements -------------------------------------------------------------------


class Narrator:
    """Prints numbered steps with simulated and real elapsed time, and keeps the score of checks."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.sim_start = clock.now()
        self.real_start = time.perf_counter()
        self.number = 0
        self.passed: list[str] = []
        self.failed: list[str] = []

    def elapsed(self) -> str:
        sim = int(self.clock.now() - self.sim_start)
        real = time.perf_counter() - self.real_start
        return f"T+{sim // 60:02d}:{sim % 60:02d} simulated, {real:.1f} s real"

    def step(self, title: str) -> None:
        self.number += 1
        print(f"\n[{self.number}] {title}   ({self.elapsed()})")

    def say(self, text: str) -> None:
        print(f"    {text}")

    def check(self, ok: bool, claim: str) -> bool:
        """Record and print one invariant; a failed one makes the demo exit 1."""
        (self.passed if ok else self.failed).append(claim)
        print(f"    {'ok  ' if ok else 'FAIL'} {claim}")
        return ok


class AuthLog(logging.Handler):
    """Remembers why the client last asked for a token, from its ``cliq_channels_client.auth`` log records."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.last_reason = "?"

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith("token refresh started"):
            self.last_reason = str(getattr(record, "reason", "?"))


#: The auth log's refresh reasons, in words.
REFRESH_REASONS = {
    "missing": "its first token",
    "expiring": "the old one was about to expire",
    "rejected": "the server rejected the old one",
}


class ClientWatch:
    """What one client reports about itself through ``ClientHooks``.

    A response without ``operation_id`` is the token endpoint's (the hooks'
    documented convention), i.e. a token refresh; its reason comes from the auth log.
    """

    def __init__(self, narrator: Narrator, who: str, auth_log: AuthLog) -> None:
        self.narrator = narrator
        self.who = who
        self.auth_log = auth_log
        self.refresh_reasons: list[str] = []
        self.waits: dict[str, list[float]] = defaultdict(list)
        self.throttles: list[ThrottleEvent] = []

    def hooks(self) -> Any:
        """The ``ClientHooks`` for ``create_client(hooks=...)``."""
        return ClientHooks(
            on_response=self._on_response, on_rate_limit_wait=self._on_wait, on_throttle=self.throttles.append
        )

    def _on_response(self, event: ResponseEvent) -> None:
        if event.operation_id is None and event.status_code == 200:
            reason = self.auth_log.last_reason
            self.refresh_reasons.append(reason)
            why = REFRESH_REASONS.get(reason, reason)
            self.narrator.say(f"~ token refreshed for {self.who}: {why}   [{self.narrator.elapsed()}]")

    def _on_wait(self, event: RateLimitWaitEvent) -> None:
        self.waits[event.operation_id].append(event.waited)


def max_in_window(times: Sequence[float], window: float = 60.0) -> int:
    """The most requests that arrived within any rolling ``window`` seconds."""
    ordered = sorted(times)
    best = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def sustained_rate(times: Sequence[float], limit: int) -> float:
    """Calls per minute over the tightest stretch of ``limit + 1`` consecutive calls (0 if there are fewer)."""
    ordered = sorted(times)
    spans = [ordered[i + limit] - ordered[i] for i in range(len(ordered) - limit)]
    return 60.0 * limit / min(spans) if spans and min(spans) > 0 else 0.0


def waits_line(waits: Sequence[float]) -> str:
    """How the client paced one operation, in simulated seconds."""
    paced = [w for w in waits if w > 0]
    if not paced:
        return "no call had to wait"
    return f"{len(paced)} call(s) waited for a slot, the longest {max(paced):.1f} s (simulated)"


def status_of(record: Any) -> int:
    """A recorded request's HTTP status (0 for a dropped connection)."""
    return int(record.status or 0)


# --- the story ------------------------------------------------------------------------------------


class Demo:
    """The application's work, in the order an administrator would do it, narrated and checked."""

    def __init__(self, n: Narrator, emu: Any, seeded: list[str], ids: dict[str, str], auth_log: AuthLog) -> None:
        self.n = n
        self.emu = emu
        self.seeded = seeded
        self.ids = ids
        self.watch = ClientWatch(n, "Patricia (org admin)", auth_log)
        self.liam_watch = ClientWatch(n, "Liam (member)", auth_log)

    def client_for(self, credentials: Any, url: Any, watch: ClientWatch) -> app.CliqClient:
        """``create_client`` exactly as for Zoho, but pointed at the emulator and on its clock."""
        client: app.CliqClient = create_client(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            refresh_token=credentials.refresh_token,
            base_url=url,
            accounts_url=url.accounts_url,
            clock=self.emu.clock,
            hooks=watch.hooks(),
        )
        return client

    async def run(self, url: Any) -> None:
        self.client = self.client_for(self.emu.credentials, url, self.watch)
        liam_credentials = self.emu.create_refresh_token(self.ids["Liam Carter"])
        self.liam = self.client_for(liam_credentials, url, self.liam_watch)
        async with self.client, self.liam:
            await self.build_project_channel()
            await self.org_channel()
            await self.inventory()
            await self.sync_and_changes()
            await self.errors()
            await self.unarchive()
            await self.bulk_job()
            await self.sync_after_bulk()
            await self.revoked_tokens()
            self.token_report()

    async def build_project_channel(self) -> None:
        n, ids = self.n, self.ids
        n.step("Create a private project channel with two members")
        falcon = await app.create_project_channel(
            self.client,
            "Project Falcon",
            description="Launch planning",
            member_ids=[ids["Scott Fisher"], ids["Amelia Burrows"]],
        )
        self.falcon = falcon
        self.falcon_id = str(falcon.channel_id)
        n.say(f"created {falcon.name} id={self.falcon_id} unique_name={falcon.unique_name} status={falcon.status}")
        n.check(str(falcon.status) == "created", "a private channel is usable at once (status created)")

        n.step("Add two members, then make Amelia a channel admin")
        await app.add_members(self.client, self.falcon_id, [ids["Noah Patel"], ids["Liam Carter"]])
        await app.set_member_role(self.client, self.falcon_id, ids["Amelia Burrows"], ChannelRole.ADMIN)
        roles = await app.member_roles(self.client, self.falcon_id)
        names = {uid: name for name, uid in ids.items()}
        for uid, role in roles.items():
            n.say(f"{names.get(uid, 'Patricia James (you)'):22} {role}")
        n.check(len(roles) == 5, "the channel has 5 members (you, 2 at creation, 2 added)")
        n.check(roles.get(ids["Amelia Burrows"]) == "admin", "Amelia's role changed to admin")

        n.step("Add the stand-up bot (bots and channels are addressed by unique name)")
        await app.add_bot(self.client, "standupbot", falcon)
        bots = self.emu.channel_bots(self.falcon_id)
        n.check("standupbot" in bots, f"the emulator lists standupbot in {falcon.name}")

    async def org_channel(self) -> None:
        n = self.n
        n.step("Create an organization-wide channel: pending until an org admin approves it")
        hands = await app.create_org_channel(self.client, "All Hands", description="Company-wide announcements")
        n.say(f"created {hands.name} id={hands.channel_id}: status {hands.status}")
        approved = await app.approve(self.client, str(hands.channel_id))
        n.say(f"approved: status {approved.status}")
        n.check(str(hands.status) == "pending" and str(approved.status) == "created", "pending -> approved -> created")

    async def inventory(self) -> None:
        n = self.n
        self.expected = self.emu.channel_count()
        n.step(f"Inventory: page through all {self.expected} channels with ChannelPager (async for)")
        inventory = await app.inventory(self.client, page_size=100)
        n.say(f"{inventory.count} channels in {inventory.pages} pages of up to 100; by status {inventory.by_status}")
        n.say(f"list_channels pacing: {waits_line(self.watch.waits['list_channels'])}")
        n.check(
            inventory.count == inventory.unique == self.expected and not inventory.duplicates,
            f"every channel seen exactly once ({inventory.unique} unique of {self.expected})",
        )

    async def sync_and_changes(self) -> None:
        n, ids = self.n, self.ids
        n.step("Incremental sync, first run: no saved state, so a full listing")
        self.mirror = app.ChannelMirror()
        first = await self.mirror.refresh(self.client)
        n.say(f"full={first.full} reason={first.reason}: {len(first.changed)} channels in {first.pages} pages")
        n.say(f"mirror holds {len(self.mirror.channels)} channels; the saved state is an opaque string")
        n.check(first.full and len(self.mirror.channels) == self.expected, "the first run loads every channel")

        n.step("Make a few changes: archive, describe, add a member, create, delete")
        self.archived_id, described_id, self.deleted_id = self.seeded[1], self.seeded[2], self.seeded[3]
        await app.archive(self.client, self.archived_id)
        await app.set_description(self.client, described_id, "Moved to the new office")
        await app.add_members(self.client, self.falcon_id, [ids["Olivia Palmer"]])
        osprey = await app.create_project_channel(self.client, "Project Osprey", member_ids=[ids["Noah Patel"]])
        await app.delete(self.client, self.deleted_id)
        changed = {self.archived_id, described_id, self.falcon_id, str(osprey.channel_id)}
        n.say(f"archived {self.archived_id}, described {described_id}, added a member to {self.falcon_id}")
        n.say(f"created {osprey.channel_id} ({osprey.name}), deleted {self.deleted_id}")

        n.step("Incremental sync, second run: only what changed")
        second = await self.mirror.refresh(self.client)
        for channel_id in second.changed:
            channel = self.mirror.channels[channel_id]
            n.say(f"changed  {channel_id}  {channel.name} ({channel.status})")
        for channel_id in second.removed:
            n.say(f"removed  {channel_id}")
        n.check(not second.full and second.pages == 1, "incremental: one request, no full listing")
        n.check(
            set(second.changed) == changed and set(second.removed) == {self.deleted_id},
            f"exactly the {len(changed)} changed channels and the 1 deleted one",
        )
        n.check(len(self.mirror.channels) == self.expected, f"the mirror matches the server ({self.expected})")

    async def errors(self) -> None:
        n, emu = self.n, self.emu
        n.step("Errors arrive as typed exceptions")
        gone = await app.find_channel(self.client, self.deleted_id)
        n.check(gone is None, "NotFoundError: find_channel() on the deleted channel returns None")

        sent_before = emu.count(operation_id="create_channel")
        try:
            await app.create_project_channel(self.client, "x" * 51)
            n.check(False, "CliqValidationError for a 51-character name")
        except CliqValidationError as exc:
            n.say(f"CliqValidationError: {exc}")
            n.check(emu.count(operation_id="create_channel") == sent_before, "refused before sending: server saw none")

        pending = await app.create_org_channel(self.client, "Watercooler")
        try:
            await app.approve(self.liam, str(pending.channel_id))
            n.check(False, "PermissionDeniedError when a member approves")
        except PermissionDeniedError as exc:
            n.say(f"PermissionDeniedError: HTTP {exc.status_code} code={exc.code}")
            n.check(exc.status_code == 403, "Liam (not an org admin) may not approve a channel (HTTP 403)")
        await app.reject(self.client, str(pending.channel_id))

        try:
            await app.add_members(self.client, self.archived_id, [self.ids["Noah Patel"]])
            n.check(False, "BadRequestError when adding members to an archived channel")
        except BadRequestError as exc:
            n.say(f"BadRequestError: HTTP {exc.status_code} code={exc.code}")
            n.check(exc.status_code == 400, "an archived channel takes no new members (HTTP 400)")

    async def unarchive(self) -> None:
        self.n.step("Unarchive the archived channel")
        await app.unarchive(self.client, self.archived_id)
        status = (await app.get(self.client, self.archived_id)).status
        self.n.check(str(status) == "created", f"{self.archived_id} is back (status {status})")

    async def bulk_job(self) -> None:
        n, emu = self.n, self.emu
        n.step(f"Bulk job: {BULK_SIZE} description updates with {BULK_WORKERS} concurrent workers")
        allowed, lock = rate_limit("update_channel"), OPERATIONS_BY_ID["update_channel"].rate_limit.lock
        n.say(f"Zoho allows {allowed} update_channel calls a minute per user; one more locks it for {lock / 60:g} min")
        self.bulk_ids = self.seeded[100 : 100 + BULK_SIZE]
        seen_before = len(emu.requests)
        start = emu.clock.now()
        bulk = await app.bulk_set_description(
            self.client, self.bulk_ids, "Retention: 2 years", concurrency=BULK_WORKERS
        )
        took = emu.clock.now() - start
        arrivals = [r.time for r in emu.requests[seen_before:] if r.operation_id == "update_channel"]
        per_minute = Counter(int((t - start) // 60) + 1 for t in arrivals)
        busiest = max_in_window(arrivals)
        n.say(f"done {len(bulk.done)}, failed {len(bulk.failed)}, skipped {len(bulk.skipped)}; {took:.0f} s simulated")
        pauses = [later - earlier for earlier, later in itertools.pairwise(sorted(arrivals)) if later - earlier >= 1]
        pause_text = ", ".join(f"{p:.0f} s" for p in pauses) or "none"
        n.say(f"the client paused the job {len(pauses)} time(s): {pause_text} (simulated)")
        n.say(f"client pacing: {waits_line(self.watch.waits['update_channel'])}")
        n.say("arrivals at the server per minute: " + ", ".join(f"min {m}: {c}" for m, c in sorted(per_minute.items())))
        n.say(
            f"achieved {sustained_rate(arrivals, allowed):.1f} calls/min sustained, "
            f"{busiest} in the busiest rolling 60 s (allowed {allowed}/min)"
        )
        n.check(len(bulk.done) == BULK_SIZE, f"all {BULK_SIZE} updates done")
        n.check(busiest <= allowed, f"never more than {allowed} calls in any 60 s")
        throttles = emu.count(status=429)
        n.check(throttles == 0 and not self.watch.throttles, f"throttle responses from the emulator: {throttles}")

    async def sync_after_bulk(self) -> None:
        n = self.n
        n.step("Sync after the bulk job: more than 50 changes, so the SDK falls back to a full listing")
        third = await self.mirror.refresh(self.client)
        n.say(f"full={third.full} reason={third.reason}: {len(third.changed)} channels in {third.pages} pages")
        fresh = sum(1 for cid in self.bulk_ids if self.mirror.channels[cid].description == "Retention: 2 years")
        n.check(third.reason == "sync_limit_exceeded", "the server refused to list >50 changes; the SDK listed all")
        n.check(fresh == BULK_SIZE, f"the mirror has all {BULK_SIZE} new descriptions")

    async def revoked_tokens(self) -> None:
        n = self.n
        n.step("The server revokes every access token (say, a security reset)")
        revoked = self.emu.expire_access_tokens()
        n.say(f"the emulator expired {revoked} access tokens; the next call gets HTTP 401")
        channel = await app.get(self.client, self.falcon_id)
        n.say(f"get_channel still answered: {channel.name} with {channel.participant_count} participants")
        n.check(self.watch.refresh_reasons[-1:] == ["rejected"], "the client refreshed once and replayed the call")

    def token_report(self) -> None:
        n = self.n
        n.step("Token refreshes seen")
        for watch in (self.watch, self.liam_watch):
            reasons = ", ".join(watch.refresh_reasons)
            n.say(f"{watch.who}: {len(watch.refresh_reasons)} token request(s): {reasons}")
        n.say(f"the emulator's token endpoint answered {self.emu.count(operation_id='oauth_token')} requests")
        n.check("expiring" in self.watch.refresh_reasons, "a token expired during the run and was refreshed in time")
        n.check(self.emu.count(status=401) == 1, "only the revoked token was ever rejected (1 HTTP 401 in all)")

    def summary(self) -> None:
        """Per-operation table from the emulator's request log, and the verdict."""
        n = self.n
        records: Sequence[Any] = self.emu.requests
        by_op: dict[str, list[Any]] = defaultdict(list)
        for record in records:
            by_op[str(record.operation_id)].append(record)
        print(f"\nWhat the emulator received ({len(records)} requests, {n.elapsed()}):")
        header = f"  {'operation':28} {'requests':>8} {'2xx':>5} {'4xx':>5} {'throttled':>9} {'max/60s':>8}"
        print(header)
        print("  " + "-" * (len(header) - 2))
        over = []
        for op, rows in sorted(by_op.items(), key=lambda item: (item[0] == "oauth_token", item[0])):
            ok = sum(1 for r in rows if 200 <= status_of(r) < 300)
            refused = sum(1 for r in rows if 400 <= status_of(r) < 500)
            throttled = sum(1 for r in rows if status_of(r) == 429)
            peak = max_in_window([r.time for r in rows])
            if op != "oauth_token" and peak > rate_limit(op):
                over.append(op)
            name = "token requests (oauth_token)" if op == "oauth_token" else op
            print(f"  {name:28} {len(rows):8} {ok:5} {refused:5} {throttled:9} {peak:8}")
        throttles = sum(1 for r in records if status_of(r) == 429)
        print(f"  throttle responses: {throttles}; token requests: {len(by_op.get('oauth_token', []))}")
        n.check(throttles == 0 and not self.watch.throttles and not self.liam_watch.throttles, "no call was throttled")
        n.check(not over, f"every operation stayed within its limit per rolling minute (over: {over or 'none'})")
        if n.failed:
            print(f"\n{len(n.failed)} of {len(n.passed) + len(n.failed)} checks FAILED:")
            for claim in n.failed:
                print(f"  - {claim}")
        else:
            print(f"\nAll {len(n.passed)} checks passed.")


async def run(seed: int) -> int:
    """Start the emulator on loopback, run the story, print the summary; 0 if every check passed."""
    clock = FakeClock()
    emu = CliqEmulator(clock=clock, token_ttl=TOKEN_TTL)
    seeded: list[str] = emu.seed_channels(seed, name_prefix="team")
    ids = {name: emu.create_user(name).user_id for name in PEOPLE}
    emu.create_bot("standupbot", "Stand-up Bot")
    auth_log = AuthLog()
    auth_logger = logging.getLogger("cliq_channels_client.auth")
    previous_level = auth_logger.level
    auth_logger.setLevel(logging.INFO)
    auth_logger.addHandler(auth_log)
    try:
        with emu.serve() as url:
            print("Cliq Channels SDK demo: the example application against the Cliq emulator")
            print(f"  emulator on {url} (accounts: {url.accounts_url}); {seed} channels seeded")
            print(f"  client and emulator share a fake clock; access tokens live {TOKEN_TTL:.0f} s (simulated)")
            demo = Demo(Narrator(clock), emu, seeded, ids, auth_log)
            await demo.run(url)
    finally:
        auth_logger.removeHandler(auth_log)
        auth_logger.setLevel(previous_level)
        emu.close()
    demo.summary()
    return 1 if demo.n.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The example application against the Cliq emulator on loopback.")
    parser.add_argument("--channels", type=int, default=3000, help="channels to seed (default 3000)")
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio", help="async library to run on")
    args = parser.parse_args(argv)
    result: int = anyio.run(run, args.channels, backend=args.backend)
    return result


if __name__ == "__main__":
    sys.exit(main())
