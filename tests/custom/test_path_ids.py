"""A path parameter never changes the route: empty ones are refused before sending, dot segments go encoded.

Found by the contract tests.  Before: ``get_channel("")`` sent ``GET /channels/``
(no operation matched, so nothing was validated and the 404 came back untyped);
``get_channel(".")`` sent ``GET /channels`` (httpx removes dot segments), a
listing parsed as a ``Channel``; ``remove_channel_members(channel_id=".")`` sent
``DELETE /channels/members``, which is ``delete_channel`` of a channel "members".

Two layers: the generated code percent-encodes ``.``/``..`` as ``%2E``/``%2E%2E``
(template ``codegen/templates/endpoint_module.py.jinja``), and the transport
refuses an empty parameter, recognized by a lenient second match that runs only
when no operation matched (``match_empty_path_parameter``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest

from cliq_channels_client import Client
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import CliqValidationError, NotFoundError
from cliq_channels_client.custom.factory import create_client
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID, match_empty_path_parameter, match_operation
from cliq_channels_client.custom.testing import CliqEmulator
from cliq_channels_client.models import (
    AddBotToChannelRequest,
    AddChannelMembersRequest,
    ChannelRole,
    RemoveChannelMembersRequest,
    UpdateChannelMemberRoleRequest,
    UpdateChannelRequest,
)

BASE_URL = "https://cliq.zoho.com/api/v2"
WITH_PATH_PARAMETERS = sorted(op for op, operation in OPERATIONS_BY_ID.items() if operation.path_parameters)
BODIES: dict[str, Callable[[], Any]] = {
    "update_channel": lambda: UpdateChannelRequest(name="renamed"),
    "add_channel_members": lambda: AddChannelMembersRequest(user_ids=["1"]),
    "remove_channel_members": lambda: RemoveChannelMembersRequest(user_ids=["1"]),
    "update_channel_member_role": lambda: UpdateChannelMemberRoleRequest(role=ChannelRole.ADMIN),
    "add_bot_to_channel": lambda: AddBotToChannelRequest(channel_unique_name="general"),
}


def endpoint(operation_id: str) -> ModuleType:
    return importlib.import_module(f"cliq_channels_client.api.channels.{operation_id}")


def arguments(operation_id: str, params: dict[str, str]) -> dict[str, Any]:
    """The generated function's keyword arguments: path parameters (snake case) and a valid body if it takes one."""
    kwargs: dict[str, Any] = {name.lower(): value for name, value in params.items()}
    if operation_id in BODIES:
        kwargs["body"] = BODIES[operation_id]()
    return kwargs


def with_one(operation_id: str, name: str, value: str) -> dict[str, str]:
    """Every path parameter "x", except ``name``."""
    return {other: "x" for other in OPERATIONS_BY_ID[operation_id].path_parameters} | {name: value}


def cases() -> Iterator[tuple[str, str]]:
    for operation_id in WITH_PATH_PARAMETERS:
        for name in OPERATIONS_BY_ID[operation_id].path_parameters:
            yield operation_id, name


CASES = list(cases())


class Sent:
    """A MockTransport handler: remembers each request, answers 404 with an error body."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(404, json={"code": "resource_not_found", "message": "no such channel"})


def test_bodies_cover_every_operation_that_takes_one() -> None:
    assert set(BODIES) == {op for op in WITH_PATH_PARAMETERS if OPERATIONS_BY_ID[op].request_body is not None}


# --- the generated code: any value stays one segment of the operation's route ----------------


@pytest.mark.parametrize(("operation_id", "name"), CASES)
@pytest.mark.parametrize("value", [".", "..", "...", "%2E", "%2e%2E", "a/b", "./..", "..%2F", "?x=1", "#", " "])
def test_the_generated_url_keeps_the_route(operation_id: str, name: str, value: str) -> None:
    """Through the generated client alone (no CliqTransport): nothing but the route's own code is involved."""
    sent = Sent()
    operation = OPERATIONS_BY_ID[operation_id]
    with Client(base_url=BASE_URL, httpx_args={"transport": httpx.MockTransport(sent)}) as client:
        kwargs = arguments(operation_id, with_one(operation_id, name, value))
        endpoint(operation_id).sync_detailed(client=client, **kwargs)
    [request] = sent.requests
    raw_path = request.url.raw_path.decode("ascii")
    assert request.url.query == b""
    assert match_operation(request.method, raw_path) is operation
    match = operation.pattern.match(raw_path)
    assert match is not None
    assert unquote(match[name]) == value


@pytest.mark.parametrize("value", ["T4000000040011", "abcXYZ019", "a-b_c~d", "é1", "\u0661\u0662\u0663", "x" * 8000])
def test_a_segment_is_sent_as_percent_encoding_gives_it(value: str) -> None:
    """Letters and digits skip the encoder (every Zoho id); the rest, non-ASCII digits included, is encoded."""
    sent = Sent()
    with Client(base_url=BASE_URL, httpx_args={"transport": httpx.MockTransport(sent)}) as client:
        endpoint("get_channel").sync_detailed(value, client=client)
    [request] = sent.requests
    assert request.url.raw_path == f"/api/v2/channels/{quote(value, safe='')}".encode("ascii")


def test_dot_segments_are_sent_percent_encoded() -> None:
    sent = Sent()
    with Client(base_url=BASE_URL, httpx_args={"transport": httpx.MockTransport(sent)}) as client:
        for channel_id in (".", ".."):
            endpoint("get_channel").sync_detailed(channel_id, client=client)
            endpoint("remove_channel_members").sync_detailed(
                channel_id, client=client, body=RemoveChannelMembersRequest(user_ids=["1"])
            )
    assert [(r.method, r.url.raw_path) for r in sent.requests] == [
        ("GET", b"/api/v2/channels/%2E"),
        ("DELETE", b"/api/v2/channels/%2E/members"),
        ("GET", b"/api/v2/channels/%2E%2E"),
        ("DELETE", b"/api/v2/channels/%2E%2E/members"),
    ]


# --- the transport: an empty parameter is refused before anything is sent ----------------------


def sdk_client(sent: Sent, *, validate: bool = True) -> Client:
    mock = httpx.MockTransport(sent)
    return create_client(
        access_token="test-token",
        base_url=BASE_URL,
        transport=mock,
        async_transport=mock,
        clock=FakeClock(),
        validate=validate,
    )


@pytest.mark.parametrize(("operation_id", "name"), CASES)
def test_an_empty_path_parameter_is_refused_before_sending(operation_id: str, name: str) -> None:
    sent = Sent()
    with sdk_client(sent) as client, pytest.raises(CliqValidationError) as refusal:
        endpoint(operation_id).sync_detailed(client=client, **arguments(operation_id, with_one(operation_id, name, "")))
    error = refusal.value
    assert (error.operation_id, error.field, error.rule) == (operation_id, f"path.{name}", "minLength")
    assert "empty" in error.detail
    assert sent.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize("operation_id", ["get_channel", "approve_channel", "remove_channel_members"])
async def test_an_empty_path_parameter_is_refused_before_sending_async(operation_id: str) -> None:
    sent = Sent()
    async with sdk_client(sent) as client:
        with pytest.raises(CliqValidationError) as refusal:
            await endpoint(operation_id).asyncio_detailed(
                client=client, **arguments(operation_id, with_one(operation_id, "CHANNEL_ID", ""))
            )
    assert (refusal.value.operation_id, refusal.value.field) == (operation_id, "path.CHANNEL_ID")
    assert sent.requests == []


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("PUT", "/api/v2/channels//members/", ("update_channel_member_role", "CHANNEL_ID")),
        ("PUT", "/network/n1/api/v2/channels/C1/members/", ("update_channel_member_role", "USER_ID")),
        ("PUT", "/api/v2/channels//members/U1", ("update_channel_member_role", "CHANNEL_ID")),
        ("post", "/channels//approve", ("approve_channel", "CHANNEL_ID")),
        ("GET", "/api/v2/channels//members", ("get_channel_members", "CHANNEL_ID")),
        ("POST", "/api/v2/bots//associate", ("add_bot_to_channel", "BOT_UNIQUE_NAME")),
    ],
)
def test_the_empty_parameter_and_its_operation_are_found(method: str, path: str, expected: tuple[str, str]) -> None:
    found = match_empty_path_parameter(method, path)
    assert found is not None
    assert (found[0].operation_id, found[1]) == expected


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v2/channels"),  # list_channels: matched by match_operation, and has no parameter
        ("GET", "/api/v2/channels/C1"),  # nothing empty
        ("POST", "/oauth/v2/token"),
        ("GET", "/api/v2/channels/C1/"),
        ("PATCH", "/api/v2/channels/"),  # no operation of that method
        ("GET", "/api/v2/somewhere/else/"),
    ],
)
def test_other_paths_have_no_empty_parameter(method: str, path: str) -> None:
    assert match_empty_path_parameter(method, path) is None


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/channels//members", ("get_channel_members", "path.CHANNEL_ID")),
        ("POST", "/channels//approve", ("approve_channel", "path.CHANNEL_ID")),
        ("GET", "/channels/", ("get_channel", "path.CHANNEL_ID")),
    ],
)
def test_a_hand_built_request_with_an_empty_parameter_is_refused_unsent(
    method: str, path: str, expected: tuple[str, str]
) -> None:
    """No operation extension: the transport's lenient second match recognizes it, as the generated code would."""
    sent = Sent()
    with sdk_client(sent) as client, pytest.raises(CliqValidationError) as refusal:
        client.get_httpx_client().request(method, path)
    assert (refusal.value.operation_id, refusal.value.field, refusal.value.rule) == (*expected, "minLength")
    assert sent.requests == []


def test_a_generated_request_is_never_matched_from_its_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """The operation is read once, from the extension the generated code sets: no URL matching, no lenient pass."""
    from cliq_channels_client.custom import auth, call_flow, operations

    matched: list[str] = []

    def counting(method: str, path: str) -> None:
        matched.append(path)

    monkeypatch.setattr(operations, "match_operation", counting)
    monkeypatch.setattr(call_flow, "refuse_empty_path_parameter", counting)
    monkeypatch.setattr(auth, "refuse_empty_path_parameter", counting)
    sent = Sent()
    with sdk_client(sent) as client:
        with pytest.raises(NotFoundError):
            endpoint("get_channel").sync("C1", client=client)
        client.get_httpx_client().get("/channels/C1/")  # built by hand: matched (and found to be nothing)
    assert len(sent.requests) == 2
    assert matched == ["/api/v2/channels/C1/", "/api/v2/channels/C1/"]  # match_operation, then the lenient pass


def test_requests_that_match_no_operation_are_still_sent() -> None:
    sent = Sent()
    with sdk_client(sent) as client:
        http = client.get_httpx_client()
        http.get("/somewhere/else/")
        http.get("/channels/C1/")
    assert [r.url.raw_path for r in sent.requests] == [b"/api/v2/somewhere/else/", b"/api/v2/channels/C1/"]


def test_without_validation_an_empty_parameter_is_still_refused_by_the_generated_code() -> None:
    """An empty segment is structural (no route matches it), so the generated function refuses it itself."""
    sent = Sent()
    with sdk_client(sent, validate=False) as client, pytest.raises(CliqValidationError) as raised:
        endpoint("get_channel").sync_detailed("", client=client)
    assert (raised.value.field, raised.value.rule, raised.value.operation_id) == (
        "path.CHANNEL_ID",
        "minLength",
        "get_channel",
    )
    assert sent.requests == []


@pytest.mark.parametrize("value", [None, b"T1", 42, 4.2, ["T1"]])
def test_a_path_argument_that_is_not_a_string_is_refused_unsent(value: object) -> None:
    """Not sent as ``/channels/None`` or ``/channels/b'T1'``: a typed error naming the parameter and the rule."""
    sent = Sent()
    with sdk_client(sent) as client:
        with pytest.raises(CliqValidationError) as raised:
            endpoint("get_channel").sync(value, client=client)
        assert (raised.value.field, raised.value.rule) == ("path.CHANNEL_ID", "type")
        assert type(value).__name__ in str(raised.value)
        with pytest.raises(CliqValidationError):
            endpoint("update_channel_member_role").sync_detailed(
                "C1", value, client=client, body=UpdateChannelMemberRoleRequest(role=ChannelRole.ADMIN)
            )
    assert sent.requests == []


@pytest.mark.anyio
async def test_a_path_argument_that_is_not_a_string_is_refused_unsent_async() -> None:
    sent = Sent()
    async with sdk_client(sent) as client:
        with pytest.raises(CliqValidationError) as raised:
            await endpoint("get_channel").asyncio(None, client=client)
    assert (raised.value.field, raised.value.rule) == ("path.CHANNEL_ID", "type")
    assert sent.requests == []


# --- end to end, on the emulator (the contract tests' findings) ---------------------------------


@pytest.fixture
def emulator() -> Iterator[tuple[CliqEmulator, Client]]:
    clock = FakeClock()
    with CliqEmulator(clock=clock) as emu:
        client = create_client(
            access_token=emu.issue_access_token(),
            base_url=emu.api_base_url,
            transport=emu.transport(),
            async_transport=emu.async_transport(),
            clock=clock,
        )
        with client:
            yield emu, client


ON_THE_EMULATOR = ["get_channel", "approve_channel", "delete_channel", "get_channel_members", "remove_channel_members"]


@pytest.mark.parametrize("operation_id", ON_THE_EMULATOR)
def test_an_empty_id_never_reaches_the_emulator(emulator: tuple[CliqEmulator, Client], operation_id: str) -> None:
    emu, client = emulator
    with pytest.raises(CliqValidationError) as refusal:
        endpoint(operation_id).sync_detailed(client=client, **arguments(operation_id, {"CHANNEL_ID": ""}))
    assert refusal.value.field == "path.CHANNEL_ID"
    assert emu.requests == ()


@pytest.mark.parametrize("operation_id", ON_THE_EMULATOR)
@pytest.mark.parametrize("channel_id", [".", ".."])
def test_a_dot_id_is_an_unknown_channel_of_the_same_operation(
    emulator: tuple[CliqEmulator, Client], operation_id: str, channel_id: str
) -> None:
    """Not a listing parsed as a Channel, not ``delete_channel`` of a channel "members": a 404 for that id."""
    emu, client = emulator
    emu.seed_channels(2)
    before = emu.channel_count()
    with pytest.raises(NotFoundError) as answer:
        endpoint(operation_id).sync_detailed(client=client, **arguments(operation_id, {"CHANNEL_ID": channel_id}))
    assert answer.value.operation_id == operation_id
    assert answer.value.code == "resource_not_found"
    [record] = emu.requests
    assert (record.operation_id, record.status) == (operation_id, 404)
    assert f"/api/v2/channels/{channel_id}" in record.path
    assert emu.channel_count() == before
