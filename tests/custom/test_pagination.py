"""ChannelPager against an in-test list server (httpx.MockTransport) behind a generated Client.

The fake server pages by key (channel ids in order) behind opaque, random
next_tokens, issues a sync_token with every answer, lists changes since a
sync_token (HTTP 400 ``sync_limit_exceeded`` above 50), and can fail chosen
requests, either by raising (as the production transport does after its
retries) or by answering an error status (as a plain server does).
``tests/custom/test_sync.py`` reuses it.
"""

from __future__ import annotations

import bisect
import datetime
import gc
import inspect
import logging
import secrets
import tracemalloc
from collections import Counter
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from cliq_channels_client.api.channels import list_channels
from cliq_channels_client.client import Client
from cliq_channels_client.custom.clock import SYSTEM_CLOCK
from cliq_channels_client.custom.errors import (
    BadRequestError,
    CliqError,
    CliqTransportError,
    CliqValidationError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    ThrottledError,
    error_from_response,
    is_throttle_response,
)
from cliq_channels_client.custom.pagination import ChannelPager, ListCursor, ListFilters, Page, PaginationError
from cliq_channels_client.models import Channel, ChannelLevel, ChannelList, ChannelOrder, ChannelStatus
from tests.bodies import channel_json

BASE_URL = "http://test/api/v2"
SYNC_LIMIT = 50

#: What a request may do instead of being answered: raise this, or answer this response.
Fault = BaseException | httpx.Response


def channel_id(i: int) -> str:
    return f"T{i:09d}"


class FakeChannelServer:
    """``GET /channels`` of Zoho Cliq, in memory, with opaque tokens and injectable faults."""

    def __init__(self, n: int) -> None:
        self.ids: list[str] = [channel_id(i) for i in range(n)]  # sorted: the listing order
        self.modified: dict[str, int] = dict.fromkeys(self.ids, 0)  # id -> version of its last change
        self.version = 0
        self._next_tokens: dict[str, tuple[str | None, str, int | None]] = {}  # token -> (after_id, kind, since)
        self._sync_tokens: dict[str, int] = {}  # token -> version it was issued at
        self.requests: list[httpx.QueryParams] = []
        self.faults: dict[int, Fault] = {}  # 1-based request number -> fault
        self.faults_served = 0

    # --- changes ------------------------------------------------------------

    def touch(self, *ids: str) -> None:
        """Modify (or create) channels: one new version, as one server-side event."""
        self.version += 1
        for cid in ids:
            if cid not in self.modified:
                bisect.insort(self.ids, cid)
            self.modified[cid] = self.version

    def sync_tokens_sent(self) -> list[str | None]:
        return [q.get("sync_token") for q in self.requests]

    # --- the endpoint ---------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "GET"
        assert request.url.path == "/api/v2/channels"
        query = request.url.params
        self.requests.append(query)
        fault = self.faults.pop(len(self.requests), None)
        if fault is not None:
            self.faults_served += 1
            if isinstance(fault, httpx.Response):
                return fault
            raise fault
        limit = int(query.get("limit", "10"))
        if "next_token" in query:
            if query["next_token"] not in self._next_tokens:
                return httpx.Response(400, json={"code": "invalid_next_token", "message": "bad next_token"})
            after, kind, since = self._next_tokens[query["next_token"]]
        elif "sync_token" in query:
            if query["sync_token"] not in self._sync_tokens:
                return httpx.Response(400, json={"code": "invalid_sync_token", "message": "bad sync_token"})
            after, kind, since = None, "changes", self._sync_tokens[query["sync_token"]]
        else:
            after, kind, since = None, "all", None
        if kind == "changes":
            assert since is not None
            keys = [cid for cid in self.ids if self.modified[cid] > since]
            if len(keys) > SYNC_LIMIT:
                return httpx.Response(
                    400, json={"code": "sync_limit_exceeded", "message": "More than 50 channels to sync."}
                )
        else:
            keys = self.ids
        start = 0 if after is None else bisect.bisect_right(keys, after)
        chunk = keys[start : start + limit]
        has_more = start + limit < len(keys)
        sync_token = secrets.token_urlsafe(12)
        self._sync_tokens[sync_token] = self.version
        body: dict[str, Any] = {
            "channels": [self._channel(cid) for cid in chunk],
            "has_more": has_more,
            "sync_token": sync_token,
            "x_page_extra": "kept",
        }
        if has_more:
            token = secrets.token_urlsafe(12)
            self._next_tokens[token] = (chunk[-1], kind, since)
            body["next_token"] = token
        return httpx.Response(200, json=body)

    def _channel(self, cid: str) -> dict[str, Any]:
        return {
            "channel_id": cid,
            "name": f"#{cid}",
            "level": "organization",
            "status": "created",
            "x_revision": self.modified[cid],
        }


class RaisingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """What the client factory's transport does: a non-2xx answer becomes a raised typed error."""

    def __init__(self, inner: httpx.MockTransport) -> None:
        self._inner = inner

    def _check(self, response: httpx.Response) -> httpx.Response:
        if response.status_code < 300:
            return response
        if is_throttle_response(response):
            error = error_from_response(response, operation_id="list_channels")
            raise ThrottledError(
                retry_at=SYSTEM_CLOCK.now() + 600,
                retry_after=600,
                status_code=error.status_code,
                message=error.message,
                code=error.code,
                operation_id="list_channels",
                response=response,
            )
        raise error_from_response(response, operation_id="list_channels")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        response.read()
        return self._check(response)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        await response.aread()
        return self._check(response)


def make_client(
    server: FakeChannelServer | Callable[[httpx.Request], httpx.Response], *, raising: bool = False
) -> Client:
    handler = server.handle if isinstance(server, FakeChannelServer) else server
    transport: httpx.BaseTransport = httpx.MockTransport(handler)
    if raising:
        transport = RaisingTransport(httpx.MockTransport(handler))
    return Client(base_url=BASE_URL, httpx_args={"transport": transport})


def all_ids(n: int) -> Counter[object]:
    return Counter(channel_id(i) for i in range(n))


# --- filters ----------------------------------------------------------------------


def test_pager_offers_every_parameter_of_the_generated_endpoint() -> None:
    endpoint = set(inspect.signature(list_channels.sync_detailed).parameters) - {"client"}
    pager = set(inspect.signature(ChannelPager).parameters) - {"client", "cursor", "max_pages"}
    assert pager == endpoint - {"next_token"}  # next_token is the cursor's job
    assert set(ListFilters.__annotations__) == endpoint - {"next_token", "sync_token", "limit"}


def test_every_filter_is_sent_as_its_query_parameter() -> None:
    server = FakeChannelServer(3)
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    pager = ChannelPager(
        make_client(server),
        limit=7,
        name="support",
        status=ChannelStatus.ARCHIVED,
        level="private",
        modified_before=when,
        modified_after=when - datetime.timedelta(days=1),
        created_before=when - datetime.timedelta(days=2),
        created_after=when - datetime.timedelta(days=3),
        channel_ids=["T1", "T2"],
        chat_ids=("CT_1", "CT_2", "CT_3"),
        team_ids="TM1,TM2",
        created_by="a@zylker.com",
        order_by=ChannelOrder.CREATION_TIME_DESCENDING,
        pinned=True,
        joined=False,
    )
    assert len(list(pager)) == 3
    assert dict(server.requests[0]) == {
        "limit": "7",
        "name": "support",
        "status": "archived",
        "level": "private",
        "modified_before": "2024-05-06T07:08:09+00:00",
        "modified_after": "2024-05-05T07:08:09+00:00",
        "created_before": "2024-05-04T07:08:09+00:00",
        "created_after": "2024-05-03T07:08:09+00:00",
        "channel_ids": "T1,T2",
        "chat_ids": "CT_1,CT_2,CT_3",
        "team_ids": "TM1,TM2",
        "created_by": "a@zylker.com",
        "order_by": "-creation_time",
        "pinned": "true",
        "joined": "false",
    }


def test_filters_are_sent_with_every_page_and_unset_ones_not_at_all() -> None:
    server = FakeChannelServer(25)
    assert len(list(ChannelPager(make_client(server), limit=10, name="x", joined=True))) == 25
    assert len(server.requests) == 3
    assert all(q["name"] == "x" and q["joined"] == "true" and q["limit"] == "10" for q in server.requests)
    assert [set(q) for q in server.requests] == [{"name", "joined", "limit"}] + [
        {"name", "joined", "limit", "next_token"}
    ] * 2


def test_an_empty_id_list_is_refused_rather_than_meaning_all_channels() -> None:
    with pytest.raises(ValueError, match="channel_ids"):
        ChannelPager(make_client(FakeChannelServer(1)), channel_ids=[])


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"channel_ids": []}, "channel_ids"),
        ({"team_ids": ()}, "team_ids"),
        ({"channel_ids": ""}, "channel_ids"),
        ({"chat_ids": ""}, "chat_ids"),
        ({"name": ""}, "name"),
        ({"created_by": ""}, "created_by"),
        ({"order_by": "", "name": "x"}, "order_by"),
        ({"sync_token": ""}, "sync_token"),
    ],
)
def test_an_empty_filter_is_refused_like_the_transport_refuses_it(filters: dict[str, Any], field: str) -> None:
    """``?name=`` is refused by the server (allowEmptyValue is false): the pager says so before any request."""
    server = FakeChannelServer(1)
    with pytest.raises(CliqValidationError) as refusal:
        ChannelPager(make_client(server), **filters)
    assert (refusal.value.operation_id, refusal.value.field, refusal.value.rule) == (
        "list_channels",
        f"query.{field}",
        "allowEmptyValue",
    )
    assert server.requests == []


# --- every channel exactly once ------------------------------------------------------


def test_10000_channels_each_exactly_once() -> None:
    server = FakeChannelServer(10_000)
    pager = ChannelPager(make_client(server))
    seen = Counter(channel.channel_id for channel in pager)
    assert seen == all_ids(10_000)
    assert len(server.requests) == 100
    assert pager.done
    assert str(pager.cursor) == "lc1:done"
    assert list(pager) == []  # a finished pager sends nothing more
    assert len(server.requests) == 100


@pytest.mark.anyio
async def test_10000_channels_each_exactly_once_async() -> None:
    server = FakeChannelServer(10_000)
    pager = ChannelPager(make_client(server))
    seen = Counter([channel.channel_id async for channel in pager])
    assert seen == all_ids(10_000)
    assert len(server.requests) == 100
    assert pager.done


def test_channels_are_generated_models_that_keep_unknown_fields() -> None:
    server = FakeChannelServer(3)
    server.touch(channel_id(1))
    channels = list(ChannelPager(make_client(server)))
    assert all(isinstance(c, Channel) for c in channels)
    assert channels[0].level is ChannelLevel.ORGANIZATION
    assert [c.additional_properties["x_revision"] for c in channels] == [0, 1, 0]


# --- page level ---------------------------------------------------------------------


def test_pages_hand_out_every_page_with_its_paging_fields() -> None:
    server = FakeChannelServer(250)
    pages = list(ChannelPager(make_client(server), limit=100).pages())
    assert [len(p) for p in pages] == [100, 100, 50]
    assert [p.number for p in pages] == [1, 2, 3]
    assert [p.has_more for p in pages] == [True, True, False]
    assert pages[0].next_token == server.requests[1]["next_token"]
    assert pages[2].next_token is None
    assert all(p.sync_token for p in pages)
    assert isinstance(pages[0].raw, ChannelList)
    assert pages[0].raw.additional_properties == {"x_page_extra": "kept"}
    assert Counter(c.channel_id for p in pages for c in p) == all_ids(250)


@pytest.mark.anyio
async def test_apages_hand_out_every_page() -> None:
    server = FakeChannelServer(250)
    pages = [page async for page in ChannelPager(make_client(server), limit=100).apages()]
    assert [len(p) for p in pages] == [100, 100, 50]
    assert Counter(c.channel_id for p in pages for c in p.items) == all_ids(250)


def test_pages_after_items_start_with_the_rest_of_the_current_page() -> None:
    server = FakeChannelServer(120)
    pager = ChannelPager(make_client(server), limit=50)
    first = [next(pager).channel_id for _ in range(10)]
    pages = list(pager.pages())
    assert [len(p) for p in pages] == [40, 50, 20]
    assert Counter(first + [c.channel_id for p in pages for c in p]) == all_ids(120)
    assert len(server.requests) == 3  # the current page was not fetched again


def test_peek_page_fetches_without_handing_anything_out() -> None:
    server = FakeChannelServer(30)
    pager = ChannelPager(make_client(server), limit=20)
    peeked = pager.peek_page()
    assert peeked is not None
    assert len(peeked) == 20
    assert pager.cursor == ListCursor()
    assert Counter(c.channel_id for c in pager) == all_ids(30)
    assert pager.peek_page() is None
    assert len(server.requests) == 2


def test_an_empty_listing_is_one_request_and_done() -> None:
    server = FakeChannelServer(0)
    pager = ChannelPager(make_client(server))
    assert list(pager) == []
    assert pager.done
    assert len(server.requests) == 1


# --- resume -------------------------------------------------------------------------


@pytest.mark.parametrize("stop_after", [0, 1, 37, 49, 50, 51, 99, 100, 101, 199, 249, 250])
def test_resume_from_a_saved_cursor_never_drops_or_repeats(stop_after: int) -> None:
    server = FakeChannelServer(250)
    client = make_client(server)
    pager = ChannelPager(client, limit=50)
    first = [next(pager).channel_id for _ in range(stop_after)]
    saved = str(pager.cursor)
    rest = [c.channel_id for c in ChannelPager(client, limit=50, cursor=saved)]
    assert Counter(first + rest) == all_ids(250)
    # a page fully handed out is never fetched again; a page left mid-way is fetched once more
    assert len(server.requests) == 5 + (1 if stop_after % 50 else 0)


def test_cursor_names_the_page_token_plus_the_channels_already_handed_out() -> None:
    server = FakeChannelServer(100)
    pager = ChannelPager(make_client(server), limit=40)
    assert pager.cursor == ListCursor(next_token=None, skip=0)
    for _ in range(3):
        next(pager)
    assert pager.cursor == ListCursor(next_token=None, skip=3)
    for _ in range(37):
        next(pager)
    assert len(server.requests) == 1  # page 1 fully handed out; page 2 not requested before it is needed
    token = pager.cursor.next_token
    assert token is not None
    assert pager.cursor.skip == 0
    next(pager)
    assert server.requests[-1]["next_token"] == token
    assert pager.cursor == ListCursor(next_token=token, skip=1)


def test_iterating_the_same_pager_again_continues_where_it_stopped() -> None:
    server = FakeChannelServer(130)
    pager = ChannelPager(make_client(server), limit=50)
    seen: list[object] = []
    for channel in pager:
        seen.append(channel.channel_id)
        if len(seen) == 70:
            break
    seen += [c.channel_id for c in pager]
    assert Counter(seen) == all_ids(130)


def test_max_pages_bounds_the_requests_and_the_cursor_resumes_the_rest() -> None:
    server = FakeChannelServer(95)
    client = make_client(server)
    batches: list[list[object]] = []
    cursor: str | None = None
    while True:
        pager = ChannelPager(client, limit=10, max_pages=3, cursor=cursor)
        batches.append([c.channel_id for c in pager])
        cursor = str(pager.cursor)
        if pager.done:
            break
    assert [len(b) for b in batches] == [30, 30, 30, 5]
    assert Counter(i for b in batches for i in b) == all_ids(95)
    assert len(server.requests) == 10


def test_list_cursor_round_trips_and_accepts_a_raw_next_token() -> None:
    for cursor in (ListCursor(), ListCursor("a:b:c", 7), ListCursor(done=True), ListCursor("tok", 0)):
        assert ListCursor.parse(str(cursor)) == cursor
    assert ListCursor.parse("opaque-server-token") == ListCursor(next_token="opaque-server-token")
    with pytest.raises(ValueError, match="not a list cursor"):
        ListCursor.parse("lc1:x:tok")
    with pytest.raises(ValueError, match="finished"):
        ListCursor(next_token="t", done=True)
    with pytest.raises(ValueError, match="skip"):
        ListCursor(skip=-1)


def test_a_pager_built_from_a_finished_cursor_sends_nothing() -> None:
    server = FakeChannelServer(10)
    assert list(ChannelPager(make_client(server), cursor="lc1:done")) == []
    assert server.requests == []


# --- faults -------------------------------------------------------------------------


def _faults() -> dict[int, Fault]:
    """Faults at requests 3, 4 (twice in a row), 40 and 99 of a 10,000-channel listing."""
    return {
        3: httpx.ConnectError("connection refused"),
        4: CliqTransportError(
            "timed out after retries", operation_id="list_channels", attempts=3, may_have_been_sent=True
        ),
        40: httpx.Response(500, json={"code": "internal_error", "message": "Internal Server Error"}),
        99: httpx.Response(429, json={"message": "Too many requests within a certain time frame."}),
    }


@pytest.mark.parametrize("raising", [False, True], ids=["plain-client", "raising-transport"])
def test_faults_mid_way_are_survived_by_catching_and_continuing(raising: bool) -> None:
    server = FakeChannelServer(10_000)
    server.faults = _faults()
    pager = ChannelPager(make_client(server, raising=raising))
    seen: Counter[object] = Counter()
    errors: list[type[BaseException]] = []
    while True:
        try:
            for channel in pager:
                seen[channel.channel_id] += 1
            break
        except (CliqError, httpx.TransportError) as exc:
            errors.append(type(exc))
    assert seen == all_ids(10_000)
    assert errors == [httpx.ConnectError, CliqTransportError, InternalServerError, ThrottledError]
    assert server.faults_served == 4
    assert len(server.requests) == 104


@pytest.mark.anyio
async def test_faults_mid_way_async_resume_from_the_cursor_in_a_new_pager() -> None:
    server = FakeChannelServer(10_000)
    server.faults = _faults()
    client = make_client(server, raising=True)
    seen: Counter[object] = Counter()
    cursor: str | None = None
    failures = 0
    while True:
        pager = ChannelPager(client, cursor=cursor)
        try:
            async for channel in pager:
                seen[channel.channel_id] += 1
            break
        except (CliqError, httpx.TransportError):
            failures += 1
            cursor = str(pager.cursor)  # e.g. persisted, then a new process resumes
    assert seen == all_ids(10_000)
    assert failures == 4


def test_a_fault_on_a_page_after_a_mid_page_resume_keeps_the_skip() -> None:
    server = FakeChannelServer(60)
    client = make_client(server)
    pager = ChannelPager(client, limit=20)
    first = [next(pager).channel_id for _ in range(25)]
    server.faults[len(server.requests) + 1] = httpx.ReadTimeout("slow")
    resumed = ChannelPager(client, limit=20, cursor=str(pager.cursor))
    with pytest.raises(httpx.ReadTimeout):
        next(resumed)
    assert resumed.cursor == pager.cursor
    assert Counter(first + [c.channel_id for c in resumed]) == all_ids(60)


# --- a client that does not raise: statuses become typed errors ------------------------


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, {"code": "internal_error", "message": "Internal Server Error"}, InternalServerError),
        (502, {}, ServerError),
        (400, {"code": "invalid_limit", "message": "limit is out of range"}, BadRequestError),
        (
            400,
            {"code": "request_limit_exceeded", "message": "You have exceeded the URL throttle limits."},
            ThrottledError,
        ),
        (429, {"message": "Too many requests within a certain time frame."}, ThrottledError),
        (403, {"code": "no_scope", "message": "Forbidden"}, PermissionDeniedError),
        (404, {"code": "not_found", "message": "Not Found"}, NotFoundError),
    ],
)
@pytest.mark.parametrize("raise_on_unexpected_status", [False, True])
def test_a_non_200_answer_is_a_typed_error_never_an_empty_page(
    status: int, body: dict[str, Any], error: type[CliqError], raise_on_unexpected_status: bool
) -> None:
    answers = iter([httpx.Response(status, json=body), httpx.Response(200, json={"channels": [channel_json("T1")]})])
    client = Client(
        base_url=BASE_URL,
        httpx_args={"transport": httpx.MockTransport(lambda request: next(answers))},
        raise_on_unexpected_status=raise_on_unexpected_status,
    )
    pager = ChannelPager(client)
    with pytest.raises(error) as caught:
        next(pager)
    assert type(caught.value) is error
    assert caught.value.operation_id == "list_channels"
    assert getattr(caught.value, "status_code", None) == status
    assert not pager.done
    assert pager.cursor == ListCursor()
    if isinstance(caught.value, PermissionDeniedError):
        assert caught.value.required_scopes == ("ZohoCliq.Channels.READ",)
    if isinstance(caught.value, ThrottledError):
        assert caught.value.retry_after > 0
    assert [c.channel_id for c in pager] == ["T1"]


@pytest.mark.anyio
async def test_a_non_200_answer_is_a_typed_error_async() -> None:
    server = FakeChannelServer(5)
    server.faults[1] = httpx.Response(500, json={"code": "internal_error", "message": "Internal Server Error"})
    pager = ChannelPager(make_client(server))
    with pytest.raises(InternalServerError) as caught:
        await pager.__anext__()
    assert caught.value.code == "internal_error"
    assert Counter([c.channel_id async for c in pager]) == all_ids(5)


def test_has_more_without_a_new_next_token_is_an_error_not_a_loop() -> None:
    body = {"channels": [channel_json("T1")], "has_more": True, "next_token": "same"}
    client = Client(
        base_url=BASE_URL, httpx_args={"transport": httpx.MockTransport(lambda r: httpx.Response(200, json=body))}
    )
    pager = ChannelPager(client)
    assert next(pager).channel_id == "T1"
    with pytest.raises(PaginationError):
        next(pager)
    no_token = Client(
        base_url=BASE_URL,
        httpx_args={
            "transport": httpx.MockTransport(lambda r: httpx.Response(200, json={"channels": [], "has_more": True}))
        },
    )
    with pytest.raises(PaginationError):
        next(ChannelPager(no_token))


# --- memory and logs ------------------------------------------------------------------


def _generated_server(n: int, limit: int) -> Callable[[httpx.Request], httpx.Response]:
    """A stateless server (channels computed from their index) so only the client's memory is measured."""

    def handle(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("next_token", "0"))
        end = min(start + limit, n)
        body: dict[str, Any] = {"channels": [channel_json(channel_id(i), name="#c") for i in range(start, end)]}
        body["has_more"] = end < n
        if end < n:
            body["next_token"] = str(end)
        return httpx.Response(200, json=body)

    return handle


def _peak_while_listing(n: int) -> int:
    pager = ChannelPager(make_client(_generated_server(n, 100)), limit=100)
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        count = 0
        for channel in pager:
            count += 1
            assert channel.channel_id is not None
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert count == n
    return peak


def test_memory_stays_flat_however_many_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    # pytest keeps every log record it captures: silence page logs so only the pager is measured
    monkeypatch.setattr(logging.getLogger("cliq_channels_client.pagination"), "disabled", True)
    small = _peak_while_listing(5_000)
    large = _peak_while_listing(50_000)
    # ten times the channels: a pager that kept them would need ten times the memory
    assert large < small * 2, (small, large)
    assert large < 4_000_000, large


def test_logs_page_number_and_count_but_no_tokens(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cliq_channels_client.pagination")
    server = FakeChannelServer(25)
    server.faults[2] = httpx.ConnectError("refused")
    pager = ChannelPager(make_client(server), limit=10)
    with pytest.raises(httpx.ConnectError):
        list(pager)
    list(pager)
    pages = [r for r in caplog.records if r.name == "cliq_channels_client.pagination"]
    assert [r.getMessage() for r in pages] == [
        "list_channels page 1: 10 channels, has_more=True",
        "list_channels page 2 failed (ConnectError); the cursor still points at it",
        "list_channels page 2: 10 channels, has_more=True",
        "list_channels page 3: 5 channels, has_more=False",
    ]
    assert [getattr(r, "attempt", None) for r in pages] == [1, 1, 2, 1]
    assert all(getattr(r, "operation_id", None) == "list_channels" for r in pages)
    tokens = {q["next_token"] for q in server.requests if "next_token" in q}
    assert tokens
    rendered = " ".join(f"{r.getMessage()} {vars(r)}" for r in pages)
    assert not any(token in rendered for token in tokens)


def test_page_is_a_frozen_value() -> None:
    page = ChannelPager(make_client(FakeChannelServer(2))).next_page()
    assert isinstance(page, Page)
    with pytest.raises(AttributeError):
        page.has_more = True  # type: ignore[misc]


@pytest.mark.anyio
async def test_two_tasks_cannot_fetch_through_one_pager_at_once() -> None:
    release = anyio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json={"channels": [channel_json("T1")], "has_more": False})

    pager = ChannelPager(Client(base_url=BASE_URL, httpx_args={"transport": httpx.MockTransport(slow)}))
    got: list[object] = []

    async def consume() -> None:
        got.extend([c.channel_id async for c in pager])

    async with anyio.create_task_group() as tg:
        tg.start_soon(consume)
        await anyio.wait_all_tasks_blocked()
        with pytest.raises(RuntimeError, match="already fetching"):
            await pager.__anext__()
        release.set()
    assert got == ["T1"]
    assert pager.done
