"""The fault matrix: every fault x every kind of operation, each row's expected outcome written down as data.

Kinds (the operation a fault strikes):

=========  ===================================================================
read       ``get_channel`` (GET)
put        ``update_channel`` (PUT, idempotent write)
post       ``create_channel`` (POST: never replayed once it may have been applied)
list       ``ChannelPager`` over 300 channels, 100 a page; the fault hits page 2
sync       ``ChannelSync``: a full run over the same 300 (fault on page 2), then
           an incremental run that must deliver exactly the 5 channels changed since
=========  ===================================================================

Each row runs on a fresh in-process emulator with OAuth credentials
(``create_client(client_id=..., ...)``), one :class:`StallingClock` shared by
the client and the emulator, through the sync and the async client.  The row
states (:class:`Expect`): the outcome, the error the faulted call raises (or
none), how many extra requests of the faulted operation the client sends
compared with a fault-free run, how many token requests it makes, how the
caller goes on after an error (call again / after the lock / after the token
budget reopens / not at all) and, for ``post``, how many channels exist at the
end.  The test asserts all of it, and that nothing is lost or duplicated:
every listed channel exactly once, a POST that may have been applied never
replayed (one request at the emulator), one that was not applied created
exactly once by the caller's own retry.

A timeout needs real time (httpx's read timeout is real): the shared fake
clock also *really* sleeps for a sleep of at least :data:`STALL` fake seconds,
which only the ``Delay(STALL)`` fault asks for, so that fault outlasts the
client's 0.25 s read timeout.  The table of outcomes is printed in the
terminal summary.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

import anyio
import attrs
import httpx
import pytest

from cliq_channels_client import Client
from cliq_channels_client.api.channels import create_channel, get_channel, update_channel
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import (
    CliqTransportError,
    InternalServerError,
    MalformedResponseError,
    OperationLockedError,
    ServerError,
    ThrottledError,
    TokenRefreshError,
)
from cliq_channels_client.custom.factory import create_client
from cliq_channels_client.custom.operations import match_operation
from cliq_channels_client.custom.pagination import ChannelPager
from cliq_channels_client.custom.sync import ChannelSync
from cliq_channels_client.custom.testing import (
    TOKEN_ENDPOINT,
    CliqEmulator,
    Delay,
    DropConnection,
    ErrorStatus,
    ExpireToken,
    Fault,
    NonJsonBody,
    ThrottleNow,
    TruncatedBody,
)
from cliq_channels_client.models import Channel, ChannelLevel, CreateChannelRequest, UpdateChannelRequest
from tests.contract.reporting import report_for

#: A sleep of at least this many fake seconds also takes REAL_STALL real seconds (only Delay(STALL) asks for one).
STALL = 10_000.0
REAL_STALL = 3.0
READ_TIMEOUT = 0.25
CHANNELS = 300
PAGE = 100
TOKEN_TTL = 3600.0

Kind = Literal["read", "put", "post", "list", "sync"]
KINDS: tuple[Kind, ...] = ("read", "put", "post", "list", "sync")
OPERATION_OF: Mapping[Kind, str] = {
    "read": "get_channel",
    "put": "update_channel",
    "post": "create_channel",
    "list": "list_channels",
    "sync": "list_channels",
}
#: Requests of the faulted operation a fault-free run sends once the fault is armed (list: pages 2 and 3).
BASE_SENDS: Mapping[Kind, int] = {"read": 1, "put": 1, "post": 1, "list": 2, "sync": 2}


class StallingClock(FakeClock):
    """The FakeClock shared by client and emulator; a sleep of ``STALL`` fake seconds or more also waits for real."""

    async def asleep(self, seconds: float) -> None:
        if seconds >= STALL:
            await anyio.sleep(REAL_STALL)  # the client's read timeout cancels this first
        await super().asleep(seconds)


class CountingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The emulator's transport, counting every attempt the client makes per operation (token endpoint included)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent: Counter[str] = Counter()

    def _count(self, request: httpx.Request) -> None:
        path = request.url.raw_path.partition(b"?")[0].decode("latin-1")
        operation = match_operation(request.method, path)
        self.sent[operation.operation_id if operation else TOKEN_ENDPOINT if path.endswith("/token") else path] += 1

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._count(request)
        response: httpx.Response = self.inner.handle_request(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._count(request)
        response: httpx.Response = await self.inner.handle_async_request(request)
        return response


# --- the expected outcomes, as data ----------------------------------------------------------------

Recovery = Literal["again", "after-lock", "after-token-budget"]


@attrs.frozen
class Expect:
    """What a row must show."""

    outcome: str
    #: The exact type the faulted call raises, or None when it succeeds.
    error: type[BaseException] | None = None
    #: Requests of the faulted operation beyond BASE_SENDS (a retry or a replay counts one).
    extra_sends: int = 0
    #: Token requests the client makes during the row (after its first token).
    token_requests: int = 0
    #: How the caller goes on after the error (None: it does not, the request may have been applied).
    recover: Recovery | None = None
    #: For a CliqTransportError: its may_have_been_sent.
    maybe_sent: bool | None = None
    #: post only: channels created by the row (the faulted request, plus the caller's retry if any).
    created: int | None = None


RETRIED = Expect("retried -> ok", extra_sends=1)
REFRESHED = Expect("token refreshed, replayed -> ok", extra_sends=1, token_requests=1)
LOCKED = Expect(
    "ThrottledError; OperationLockedError (not sent) until the lock ends; resumed", ThrottledError, 1, 0, "after-lock"
)
TOKEN_DOWN = Expect("TokenRefreshError, nothing sent; resumed", TokenRefreshError, 0, 2, "again")
TOKEN_DROPPED = Expect(
    "CliqTransportError (token POST not replayed), nothing sent; resumed", CliqTransportError, 0, 2, "again", True
)
TOKEN_RETRIED = Expect("token request retried -> ok", token_requests=2)
TOKEN_LIMIT = Expect(
    "TokenRefreshError(retry_at); no token request until then; resumed",
    TokenRefreshError,
    0,
    2,
    "after-token-budget",
)


def _not_replayed(error: type[BaseException], applied: bool, maybe_sent: bool | None = True) -> Expect:
    name = error.__name__
    return Expect(
        f"{name}, not replayed ({'applied' if applied else 'not applied'})", error, 0, 0, None, maybe_sent, int(applied)
    )


def _for_post(expect: Expect) -> Expect:
    """The same outcome for a POST, which creates its channel once (by itself or by the caller's retry)."""
    return attrs.evolve(expect, created=1)


def _row(idempotent: Expect, post: Expect) -> dict[Kind, Expect]:
    return {"read": idempotent, "put": idempotent, "post": post, "list": idempotent, "sync": idempotent}


@attrs.frozen
class FaultSpec:
    """A fault, where it strikes (an API operation of the row, or the token endpoint during a refresh)."""

    fault: Fault
    token_endpoint: bool = False


FAULTS: Mapping[str, FaultSpec] = {
    "reset before apply": FaultSpec(DropConnection(error="reset")),
    "reset after apply": FaultSpec(DropConnection(error="reset", after_apply=True)),
    "refused before sending": FaultSpec(DropConnection(error="refuse")),
    "timeout before apply": FaultSpec(Delay(STALL)),
    "timeout after apply": FaultSpec(Delay(STALL, after_apply=True)),
    "500": FaultSpec(ErrorStatus(500)),
    "500 after apply": FaultSpec(ErrorStatus(500, after_apply=True)),
    "502": FaultSpec(ErrorStatus(502)),
    "503 Retry-After": FaultSpec(ErrorStatus(503, retry_after=2)),
    "truncated, connection closed": FaultSpec(TruncatedBody()),
    "truncated 2xx body": FaultSpec(TruncatedBody(keep=0.4, close_connection=False)),
    "non-JSON 2xx body": FaultSpec(NonJsonBody()),
    "non-JSON 502 (proxy)": FaultSpec(NonJsonBody(after_apply=False)),
    "401 token expired": FaultSpec(ExpireToken()),
    "throttle (429)": FaultSpec(ThrottleNow()),
    "token endpoint 503": FaultSpec(ErrorStatus(503), token_endpoint=True),
    "token endpoint dropped": FaultSpec(DropConnection(), token_endpoint=True),
    "token endpoint refused conn": FaultSpec(DropConnection(error="refuse"), token_endpoint=True),
    "token issuance limit": FaultSpec(ThrottleNow(), token_endpoint=True),
}

MATRIX: Mapping[str, dict[Kind, Expect]] = {
    "reset before apply": _row(RETRIED, _not_replayed(CliqTransportError, applied=False)),
    "reset after apply": _row(RETRIED, _not_replayed(CliqTransportError, applied=True)),
    "refused before sending": _row(RETRIED, _for_post(RETRIED)),
    "timeout before apply": _row(RETRIED, _not_replayed(CliqTransportError, applied=False)),
    "timeout after apply": _row(RETRIED, _not_replayed(CliqTransportError, applied=True)),
    "500": _row(RETRIED, _not_replayed(InternalServerError, applied=False, maybe_sent=None)),
    "500 after apply": _row(RETRIED, _not_replayed(InternalServerError, applied=True, maybe_sent=None)),
    "502": _row(RETRIED, _not_replayed(ServerError, applied=False, maybe_sent=None)),
    "503 Retry-After": _row(RETRIED, _not_replayed(ServerError, applied=False, maybe_sent=None)),
    "truncated, connection closed": _row(RETRIED, _not_replayed(CliqTransportError, applied=True)),
    "truncated 2xx body": _row(RETRIED, _not_replayed(MalformedResponseError, applied=True)),
    "non-JSON 2xx body": _row(RETRIED, _not_replayed(MalformedResponseError, applied=True)),
    "non-JSON 502 (proxy)": _row(RETRIED, _not_replayed(ServerError, applied=False, maybe_sent=None)),
    "401 token expired": _row(REFRESHED, _for_post(REFRESHED)),
    "throttle (429)": _row(LOCKED, _for_post(LOCKED)),
    "token endpoint 503": _row(TOKEN_DOWN, _for_post(TOKEN_DOWN)),
    "token endpoint dropped": _row(TOKEN_DROPPED, _for_post(TOKEN_DROPPED)),
    "token endpoint refused conn": _row(TOKEN_RETRIED, _for_post(TOKEN_RETRIED)),
    "token issuance limit": _row(TOKEN_LIMIT, _for_post(TOKEN_LIMIT)),
}
MODES = ("sync", "async")
ROWS = [
    pytest.param(fault, kind, mode, id=f"{re.sub(r'[^0-9A-Za-z]+', '_', fault).strip('_')}-{kind}-{mode}")
    for fault in MATRIX
    for kind in KINDS
    for mode in MODES
]


def test_the_matrix_covers_every_fault_and_kind() -> None:
    assert set(MATRIX) == set(FAULTS)
    assert all(set(row) == set(KINDS) for row in MATRIX.values())
    for row in MATRIX.values():
        post = row["post"]
        assert post.created is not None
        # The replay rule, as data: a POST that may have been applied is never sent twice.
        if post.error is not None and post.recover is None:
            assert post.extra_sends == 0


# --- running one row -------------------------------------------------------------------------------


class Driver:
    """The same steps through the sync or the async client."""

    def __init__(self, mode: str, client: Client) -> None:
        self.mode = mode
        self.client = client

    async def call(self, endpoint: Any, **kwargs: Any) -> Any:
        if self.mode == "sync":
            return endpoint.sync(client=self.client, **kwargs)
        return await endpoint.asyncio(client=self.client, **kwargs)

    async def take(self, iterator: Any, into: list[str], limit: int | None = None) -> list[str]:
        """Append channel ids from ``iterator`` (a pager or a sync result) to ``into`` until exhausted or ``limit``.

        What was taken before an exception stays in ``into``: the caller handed it out.
        """
        out = into
        taken = 0
        while limit is None or taken < limit:
            if self.mode == "sync":
                try:
                    channel = next(iter(iterator))
                except StopIteration:
                    break
            else:
                try:
                    channel = await aiter(iterator).__anext__()
                except StopAsyncIteration:
                    break
            assert isinstance(channel, Channel)
            out.append(str(channel.channel_id))
            taken += 1
        return out

    async def sync_run(self, sync: ChannelSync) -> Any:
        return sync.run() if self.mode == "sync" else await sync.arun()


class Row:
    """One emulator, client and counters for one (fault, kind, mode)."""

    def __init__(self, fault: str, kind: Kind, mode: str) -> None:
        self.spec = FAULTS[fault]
        self.expect = MATRIX[fault][kind]
        self.kind = kind
        self.clock = StallingClock()
        self.emu = CliqEmulator(clock=self.clock)
        self.ids = self.emu.seed_channels(CHANNELS)
        self.counter = CountingTransport(self.emu.transport())
        credentials = self.emu.credentials
        self.client = create_client(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            refresh_token=credentials.refresh_token,
            base_url=self.emu.api_base_url,
            accounts_url=self.emu.accounts_url,
            transport=self.counter,
            async_transport=self.counter,
            clock=self.clock,
            timeout=READ_TIMEOUT,
        )
        self.driver = Driver(mode, self.client)
        self.operation_id = OPERATION_OF[kind]

    def arm(self) -> None:
        fault = self.spec.fault
        if self.spec.token_endpoint:
            self.clock.advance(TOKEN_TTL)  # the token has expired: the next call must refresh it
            self.emu.inject(fault, operation_id=TOKEN_ENDPOINT)
        else:
            self.emu.inject(fault, operation_id=self.operation_id)

    def sends(self) -> int:
        return self.counter.sent[self.operation_id]

    def records(self) -> int:
        return self.emu.count(operation_id=self.operation_id)

    def snapshot(self) -> tuple[int, int, int]:
        return self.sends(), self.token_requests(), self.records()

    def check_counts(self, before: tuple[int, int, int]) -> None:
        """Sends of the faulted operation and token requests as the row says; the emulator saw every send.

        (Except a timed-out one: the client cancelled it, so the emulator never finished recording it.)
        """
        sent, tokens, records = before
        expect = self.expect
        sends = self.sends() - sent
        assert sends == BASE_SENDS[self.kind] + expect.extra_sends, f"{sends} requests of {self.operation_id}"
        assert self.token_requests() - tokens == expect.token_requests
        timed_out = 1 if isinstance(self.spec.fault, Delay) else 0
        assert self.records() - records == sends - timed_out

    def token_requests(self) -> int:
        return self.counter.sent[TOKEN_ENDPOINT]

    async def recover(self, error: BaseException, retry: Callable[[], Awaitable[Any]]) -> Any:
        """Go on after the expected error as the row says; returns what the successful retry returned."""
        how = self.expect.recover
        if how == "after-lock":
            assert isinstance(error, ThrottledError)
            sent = self.sends()
            with pytest.raises(OperationLockedError):
                await retry()
            assert self.sends() == sent, "a call during the lock was sent"
            self.clock.set(error.retry_at + 1)
        elif how == "after-token-budget":
            assert isinstance(error, TokenRefreshError)
            assert error.retry_at is not None
            tokens = self.token_requests()
            with pytest.raises(TokenRefreshError):
                await retry()
            assert self.token_requests() == tokens, "a token request was sent within the issuance limit"
            self.clock.set(error.retry_at + 1)
        return await retry()

    def check_error(self, error: BaseException | None) -> None:
        expect = self.expect
        if expect.error is None:
            assert error is None, f"expected success, got {error!r}"
            return
        assert type(error) is expect.error, f"expected {expect.error.__name__}, got {error!r}"
        if expect.maybe_sent is not None:
            assert isinstance(error, CliqTransportError)
            assert error.may_have_been_sent is expect.maybe_sent


async def _single(row: Row) -> None:
    """read / put / post: one call, the fault on it."""
    driver, kind = row.driver, row.kind
    target = row.ids[7]
    name = "Fault-Matrix"

    async def once() -> Any:
        if kind == "read":
            return await driver.call(get_channel, channel_id=target)
        if kind == "put":
            body = UpdateChannelRequest(name="renamed", description="after the fault")
            return await driver.call(update_channel, channel_id=target, body=body)
        return await driver.call(create_channel, body=CreateChannelRequest(name=name, level=ChannelLevel.PRIVATE))

    await driver.call(get_channel, channel_id=row.ids[0])  # the first token; not counted below
    before, channels = row.snapshot(), row.emu.channel_count()
    row.arm()
    result: Any = None
    error: BaseException | None = None
    try:
        result = await once()
    except Exception as caught:  # the row says which
        error = caught
    row.check_error(error)
    if error is not None and row.expect.recover is not None:
        result = await row.recover(error, once)
    row.check_counts(before)
    if kind == "post":
        # A POST that may have been applied went out once; one that was not, the caller sent again.
        created = row.emu.channel_count() - channels
        assert created == row.expect.created, f"{created} channels created"
        if result is not None:
            assert isinstance(result, Channel)
            assert result.name == f"#{name}"
        else:
            assert row.sends() - before[0] == 1, "a POST that may have been applied was replayed"
        return
    assert isinstance(result, Channel)
    assert result.channel_id == target
    if kind == "put":
        assert (row.emu.get_channel(target) or {})["name"] == "#renamed"
        assert result.name == "#renamed"


async def _drain(row: Row, iterator: Any, got: list[str], resume: Callable[[], Any]) -> None:
    """The rest of a listing after the fault, into ``got``, going on after an error as the row says."""
    try:
        await row.driver.take(iterator, got)
        error: BaseException | None = None
    except Exception as caught:  # the row says which
        error = caught
    row.check_error(error)
    if error is not None:
        await row.recover(error, lambda: row.driver.take(resume(), got))


def _assert_once(got: list[str], expected: list[str]) -> None:
    counts = Counter(got)
    duplicated = sorted(cid for cid, n in counts.items() if n > 1)
    missing = sorted(set(expected) - set(counts))
    assert not duplicated, f"{len(duplicated)} channels delivered twice: {duplicated[:5]}"
    assert not missing, f"{len(missing)} channels lost: {missing[:5]}"
    assert set(counts) == set(expected)


async def _list(row: Row) -> None:
    """A pager over every channel; the fault strikes page 2."""
    driver = row.driver
    await driver.call(get_channel, channel_id=row.ids[0])
    pager = ChannelPager(row.client, limit=PAGE)
    got = await driver.take(pager, [], PAGE)  # page 1, all of it
    before = row.snapshot()
    row.arm()
    # After an error the caller resumes: the throttled pager from its saved cursor, the others in place.
    saved = str(pager.cursor)

    def resume() -> ChannelPager:
        if row.expect.recover == "after-lock":
            return ChannelPager(row.client, limit=PAGE, cursor=saved)
        return pager

    await _drain(row, pager, got, resume)
    _assert_once(got, row.ids)
    row.check_counts(before)


async def _sync(row: Row) -> None:
    """A full sync run (fault on page 2), then an incremental run that sees exactly what changed."""
    driver = row.driver
    await driver.call(get_channel, channel_id=row.ids[0])
    sync = ChannelSync(row.client, limit=PAGE)
    result = await driver.sync_run(sync)
    assert result.full_resync
    got = await driver.take(result, [], PAGE)
    before = row.snapshot()
    row.arm()
    await _drain(row, result, got, lambda: result)
    _assert_once(got, row.ids)
    assert result.complete
    row.check_counts(before)
    state = sync.state
    assert state is not None
    assert state == result.state

    changed = list(row.ids[10:13])
    for channel_id in changed:
        row.emu.post_message(channel_id, text="moved on")
    changed += [row.emu.create_channel(f"late-{i}")["channel_id"] for i in range(2)]
    row.clock.advance(1)
    incremental = await driver.sync_run(sync)
    assert not incremental.full_resync
    _assert_once(await driver.take(incremental, []), changed)
    assert incremental.complete
    assert sync.state not in (None, state)


SCENARIOS: Mapping[Kind, Callable[[Row], Awaitable[None]]] = {
    "read": _single,
    "put": _single,
    "post": _single,
    "list": _list,
    "sync": _sync,
}


@pytest.mark.parametrize(("fault", "kind", "mode"), ROWS)
def test_fault_matrix(fault: str, kind: Kind, mode: str, pytestconfig: pytest.Config) -> None:
    row = Row(fault, kind, mode)
    try:
        anyio.run(functools.partial(SCENARIOS[kind], row), backend="asyncio")
    finally:
        row.emu.close()
    # Nothing else happened: throttles only where the row injects one, and every fault struck.
    assert row.emu.count(status=429) == (1 if fault == "throttle (429)" else 0)
    assert not row.emu.faults.active, "the injected fault never struck"
    report = report_for(pytestconfig, "fault matrix: expected outcome per kind, asserted [s]ync/[a]sync client")
    report.header = ("fault", *KINDS)
    key = (fault, kind)
    marks = report.cells.get(key, "").rpartition(" [")[2].rstrip("]") if key in report.cells else ""
    marks = "".join(sorted(set(marks) | {mode[0]}))
    report.cell(fault, kind, f"{_short(MATRIX[fault][kind])} [{marks}]")
    report.count("rows passed")


def _short(expect: Expect) -> str:
    """The table cell of an expectation."""
    if expect.error is None:
        return {RETRIED.outcome: "retried, ok", REFRESHED.outcome: "refreshed+replayed, ok"}.get(
            expect.outcome, "token retried, ok"
        )
    name = expect.error.__name__
    if expect.recover is None:
        return f"{name}, {expect.created} created"
    via = {"after-lock": " -> lock ->", "after-token-budget": " -> retry_at ->", "again": " ->"}[expect.recover]
    return f"{name}{via} resumed"
