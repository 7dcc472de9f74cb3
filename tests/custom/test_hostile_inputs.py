"""Hostile inputs, table-driven, each row sync, asyncio and trio: refused with CliqValidationError, nothing sent.

Each row is a call a caller might make by mistake (an id read from an
untrusted file, a filter from a query string) and the field and rule the
error must name.  The server counts every request, the token endpoint's
included: a refused call sends none.

Bounds (``custom/url_limits.py``): a request target (percent-encoded path and
query) of more than 8000 octets -- RFC 9110's minimum -- is refused, by the
generated functions for a single value (before httpx, which raises
``InvalidURL`` from 64 KiB on, builds the URL) and by the transport's
validation for the whole URL.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from cliq_channels_client import ChannelPager, Client, CliqValidationError, create_client
from cliq_channels_client.api.channels import get_channel, get_channel_members, list_channels
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.url_limits import MAX_URL_OCTETS
from cliq_channels_client.models import ChannelLevel, ChannelStatus
from tests.bodies import channel_json
from tests.custom.emulator_support import assert_no_secret

BASE_URL = "https://cliq.zoho.com/api/v2"
ACCESS_TOKEN = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
MODES = ["sync", "asyncio", "trio"]
PREFIX = len("/api/v2/channels/")


class Server:
    """Counts every request (API and token); answers an empty listing or a channel."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/oauth/v2/token":
            return httpx.Response(200, json={"access_token": ACCESS_TOKEN, "expires_in": 3600})
        if request.url.path.endswith("/channels"):
            return httpx.Response(200, json={"channels": [channel_json("T1")], "has_more": False})
        return httpx.Response(200, json={**channel_json("T1"), "members": []})

    def client(self, *, oauth: bool) -> Client:
        mock = httpx.MockTransport(self)
        credentials: dict[str, Any] = (
            {"client_id": "1000.CLIENTID", "client_secret": "s" * 42, "refresh_token": "1000.r.r"}
            if oauth
            else {"access_token": ACCESS_TOKEN}
        )
        return create_client(
            **credentials,
            base_url=BASE_URL,
            accounts_url="https://accounts.zoho.com",
            transport=mock,
            async_transport=mock,
            clock=FakeClock(),
        )


def generated(module: Any, *args: Any, **kwargs: Any) -> Callable[[Client, str], Any]:
    """A call of a generated endpoint function, sync or under an anyio backend."""

    def call(client: Client, mode: str) -> Any:
        if mode == "sync":
            return module.sync_detailed(*args, client=client, **kwargs)
        return anyio.run(functools.partial(module.asyncio_detailed, *args, client=client, **kwargs), backend=mode)

    return call


async def _alist(pager: ChannelPager) -> list[str]:
    return [str(channel.channel_id) async for channel in pager]


def paged(**filters: Any) -> Callable[[Client, str], Any]:
    """Build a :class:`ChannelPager` and iterate it, sync or under an anyio backend."""

    def call(client: Client, mode: str) -> Any:
        pager = ChannelPager(client, **filters)
        if mode == "sync":
            return [str(channel.channel_id) for channel in pager]
        return anyio.run(_alist, pager, backend=mode)

    return call


#: (name, call, field, rule, whether the generated code refuses it: then not even a token request is sent)
REFUSED: list[tuple[str, Callable[[Client, str], Any], str, str, bool]] = [
    ("a 100,000-character id", generated(get_channel, "x" * 100_000), "path.CHANNEL_ID", "maxLength", True),
    ("an id past the bound", generated(get_channel, "x" * (MAX_URL_OCTETS + 1)), "path.CHANNEL_ID", "maxLength", True),
    ("a non-ASCII id past it encoded", generated(get_channel, "é" * 1500), "path.CHANNEL_ID", "maxLength", True),
    (
        "an id that takes the URL past the bound",
        generated(get_channel_members, "x" * (MAX_URL_OCTETS - PREFIX)),
        "path.CHANNEL_ID",
        "maxLength",
        False,
    ),
    ("a 100,000-character name", generated(list_channels, name="n" * 100_000), "query.name", "maxLength", True),
    (
        "two values together past the bound",
        generated(list_channels, name="n" * 5000, created_by="c" * 4000),
        "query.name",
        "maxLength",
        False,
    ),
    ("a pager's 100,000-character name", paged(name="n" * 100_000), "query.name", "maxLength", True),
    ("a pager's 100,000-character sync_token", paged(sync_token="s" * 100_000), "query.sync_token", "maxLength", True),
    ("a plain string not in the enum", generated(list_channels, status="bogus"), "query.status", "enum", False),
    ("a pager's status not in the enum", paged(status="bogus"), "query.status", "enum", True),
    ("a pager's level not in the enum", paged(level="everyone"), "query.level", "enum", True),
    ("a pager's status of another type", paged(status=5), "query.status", "enum", True),
    ("an id list item with the separator", paged(channel_ids=["a,b", "c"]), "query.channel_ids", "pattern", True),
    ("a chat id list item with the separator", paged(chat_ids=["c1", "c2,c3"]), "query.chat_ids", "pattern", True),
    ("a team id list item with the separator", paged(team_ids=("t1,",)), "query.team_ids", "pattern", True),
    ("an empty id list item", paged(channel_ids=["a", ""]), "query.channel_ids", "minLength", True),
    ("an id list item not a string", paged(channel_ids=["a", 5]), "query.channel_ids", "type", True),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "call", "field", "rule", "early"), REFUSED, ids=[row[0] for row in REFUSED])
def test_a_hostile_input_is_refused_before_anything_is_sent(
    mode: str, name: str, call: Callable[[Client, str], Any], field: str, rule: str, early: bool
) -> None:
    server = Server()
    with pytest.raises(CliqValidationError) as caught:
        call(server.client(oauth=False), mode)
    error = caught.value
    assert (error.field, error.rule) == (field, rule)
    assert error.operation_id in ("get_channel", "get_channel_members", "list_channels")
    assert len(str(error)) < 400  # the value itself is never echoed whole
    assert server.requests == []
    assert_no_secret(error)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("name", "call", "field", "rule"), [row[:4] for row in REFUSED if row[4]], ids=[row[0] for row in REFUSED if row[4]]
)
def test_an_input_refused_before_the_url_is_built_costs_no_token_request(
    mode: str, name: str, call: Callable[[Client, str], Any], field: str, rule: str
) -> None:
    server = Server()
    with pytest.raises(CliqValidationError):
        call(server.client(oauth=True), mode)
    assert server.requests == []  # not even the token request


#: (name, call, what the server must receive in the query or path): the control rows, sent as given.
ACCEPTED: list[tuple[str, Callable[[Client, str], Any], str]] = [
    ("a plain string in the enum", generated(list_channels, status="archived"), "status=archived"),
    ("an enum member", generated(list_channels, status=ChannelStatus.ARCHIVED), "status=archived"),
    ("a pager's plain string level", paged(level="organization"), "level=organization"),
    ("a pager's level member", paged(level=ChannelLevel.TEAM), "level=team"),
    ("an id list", paged(channel_ids=["a", "b", "c"]), "channel_ids=a%2Cb%2Cc"),
    ("a comma-separated string, as given", paged(channel_ids="a,b"), "channel_ids=a%2Cb"),
    ("a 2,000-character id", generated(get_channel, "i" * 2000), "/channels/" + "i" * 2000),
    (
        "an id just under the bound",
        generated(get_channel_members, "x" * (MAX_URL_OCTETS - PREFIX - len("/members"))),
        "/members",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "call", "expected"), ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_a_valid_input_near_a_rule_is_sent_as_given(
    mode: str, name: str, call: Callable[[Client, str], Any], expected: str
) -> None:
    server = Server()
    call(server.client(oauth=False), mode)
    assert len(server.requests) == 1
    target = server.requests[0].url.raw_path.decode("ascii")
    assert expected in target
    assert len(target) <= MAX_URL_OCTETS
