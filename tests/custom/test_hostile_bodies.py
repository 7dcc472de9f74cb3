"""Hostile server bodies, table-driven, each row sync, asyncio and trio: every failure is a typed CliqError.

Rows are (name, what the server answers); the test says what the client
must raise and how many requests may reach the server (a POST that may have
been applied: exactly one).  Servers are ``httpx.MockTransport`` handlers in
this process; nothing leaves 127.0.0.1.

* success bodies that are not a JSON object (too deep, NaN, a list, not JSON...)
  -> :class:`MalformedResponseError` from the transport;
* error statuses with hostile bodies -> the typed error of the status, with a
  bounded message;
* token-endpoint bodies of the wrong shape -> :class:`TokenRefreshError`;
* pagination cycles and mistyped paging fields -> :class:`PaginationError` /
  :class:`MalformedResponseError`, no channel handed out twice;
* last, in their own test function: 2xx bodies that are JSON objects but not
  the documented shape (wrong types, bad date-time...) -> MalformedResponseError.
  The generated models decode those; ``custom/responses.py`` types their failures.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from cliq_channels_client import (
    AuthenticationError,
    BadRequestError,
    ChannelPager,
    ChannelSync,
    Client,
    CliqAPIError,
    CliqError,
    InternalServerError,
    MalformedResponseError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    ServerError,
    ThrottledError,
    TokenRefreshError,
    create_client,
)
from cliq_channels_client.api.channels import create_channel, get_channel, list_channels
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import MAX_ERROR_MESSAGE_LENGTH
from cliq_channels_client.models import ChannelLevel, CreateChannelRequest
from tests.bodies import channel_json
from tests.custom.emulator_support import assert_no_secret

BASE_URL = "https://cliq.zoho.com/api/v2"
ACCOUNTS_URL = "https://accounts.zoho.com"
ACCESS_TOKEN = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
CLIENT_SECRET = "0123456789abcdef0123456789abcdef01234567ab"
REFRESH_TOKEN = "1000.aaaabbbbccccdddd0000111122223333.4444555566667777888899990000aaaa"
MODES = ["sync", "asyncio", "trio"]
DEEP = 100_000  # nesting levels: far past the interpreter's recursion limit, 200 KB of body


def raw(content: bytes, status: int = 200, content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(status, content=content, headers={"Content-Type": content_type})


def run(mode: str, module: Any, *args: Any, **kwargs: Any) -> Any:
    """``module.sync_detailed(...)``, or ``asyncio_detailed`` under the named anyio backend."""
    if mode == "sync":
        return module.sync_detailed(*args, **kwargs)
    return anyio.run(functools.partial(module.asyncio_detailed, *args, **kwargs), backend=mode)


class Server:
    """Answers every API request with ``answer()``, counting them; the token endpoint with ``token_answer()``."""

    def __init__(
        self, answer: Callable[[], httpx.Response], token_answer: Callable[[], httpx.Response] | None = None
    ) -> None:
        self.answer = answer
        self.token_answer = token_answer
        self.api_requests = 0
        self.token_requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            self.token_requests += 1
            assert self.token_answer is not None
            return self.token_answer()
        self.api_requests += 1
        return self.answer()

    def client(self, *, oauth: bool = False) -> Client:
        mock = httpx.MockTransport(self)
        credentials: dict[str, Any] = (
            {"client_id": "1000.CLIENTID", "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}
            if oauth
            else {"access_token": ACCESS_TOKEN}
        )
        return create_client(
            **credentials,
            base_url=BASE_URL,
            accounts_url=ACCOUNTS_URL,
            transport=mock,
            async_transport=mock,
            clock=FakeClock(),
        )


def create_request() -> CreateChannelRequest:
    return CreateChannelRequest(name="Zylker Support", level=ChannelLevel.ORGANIZATION)


#: The fields every channel carries (``Channel.required``), as JSON text for raw bodies.
CHANNEL_FIELDS = json.dumps(channel_json("T1")).encode()[1:-1]

# --- success bodies that are not a JSON object: the transport ----------------------------------

NOT_A_JSON_OBJECT: list[tuple[str, bytes]] = [
    ("nested arrays past the recursion limit", b"[" * DEEP + b"]" * DEEP),
    ("nested objects past the recursion limit", b'{"a":' * DEEP + b"1" + b"}" * DEEP),
    ("nested inside a valid channel", b"{" + CHANNEL_FIELDS + b', "teams": ' + b"[" * DEEP + b"]" * DEEP + b"}"),
    ("a top-level list", b'[{"channel_id": "T1"}]'),
    ("null", b"null"),
    ("a string", b'"T1"'),
    ("a number", b"42"),
    ("true", b"true"),
    ("NaN", b"NaN"),
    ("a NaN field", b"{" + CHANNEL_FIELDS + b', "participant_count": NaN}'),
    ("an Infinity field", b"{" + CHANNEL_FIELDS + b', "participant_count": -Infinity}'),
    ("a number too large for a float", b"{" + CHANNEL_FIELDS + b', "participant_count": 1e999}'),
    ("an integer past the digit limit", b"{" + CHANNEL_FIELDS + b', "participant_count": ' + b"9" * 5000 + b"}"),
    ("invalid UTF-8", b'{"channel_id": "\xff\xfe"}'),
    ("cut short", b'{"channel_id": "T1", "na'),
    ("empty", b""),
    ("HTML", b"<html>502 Bad Gateway</html>"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "body"), NOT_A_JSON_OBJECT, ids=[row[0] for row in NOT_A_JSON_OBJECT])
def test_a_get_whose_success_body_is_not_a_json_object_is_malformed_after_retries(
    mode: str, name: str, body: bytes
) -> None:
    server = Server(lambda: raw(body))
    with pytest.raises(MalformedResponseError) as caught:
        run(mode, get_channel, "T1", client=server.client())
    error = caught.value
    assert isinstance(error, CliqError)
    assert error.operation_id == "get_channel"
    assert error.may_have_been_sent is True
    assert error.status_code == 200
    assert server.api_requests == error.attempts > 1  # idempotent: retried like a transport failure
    assert "malformed HTTP 200 body" in str(error)
    assert len(str(error)) < 400  # the body's size and type, never its contents
    assert_no_secret(error)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "body"), NOT_A_JSON_OBJECT, ids=[row[0] for row in NOT_A_JSON_OBJECT])
def test_a_post_whose_success_body_is_not_a_json_object_is_malformed_and_never_replayed(
    mode: str, name: str, body: bytes
) -> None:
    server = Server(lambda: raw(body))
    with pytest.raises(MalformedResponseError) as caught:
        run(mode, create_channel, client=server.client(), body=create_request())
    error = caught.value
    assert server.api_requests == 1
    assert error.attempts == 1
    assert error.may_have_been_sent is True
    assert "may have been applied" in str(error)
    assert "not replayed" in str(error)
    assert_no_secret(error)


@pytest.mark.parametrize("mode", MODES)
def test_a_json_object_still_decodes(mode: str) -> None:
    """The strict parse refuses nothing valid: the control row of the table above."""
    server = Server(lambda: raw(b"{" + CHANNEL_FIELDS + b', "participant_count": 3, "score": 1.5, "x": [[[{}]]]}'))
    response = run(mode, get_channel, "T1", client=server.client())
    assert response.parsed.channel_id == "T1"
    assert response.parsed.additional_properties == {"score": 1.5, "x": [[[{}]]]}
    assert server.api_requests == 1


# --- error statuses with hostile bodies: the typed error of the status -------------------------

HOSTILE_ERROR_BODIES: list[tuple[str, bytes, str]] = [
    ("nested past the recursion limit", b"[" * DEEP + b"]" * DEEP, "application/json"),
    ("a code and message of the wrong types", b'{"code": {"a": [1]}, "message": ["no"]}', "application/json"),
    ("null", b"null", "application/json"),
    ("a top-level list", b'[{"code": "x"}]', "application/json"),
    ("NaN", b'{"code": NaN, "message": Infinity}', "application/json"),
    ("a huge code and message", json.dumps({"code": "c" * 10_000, "message": "m" * 100_000}).encode(), "text/json"),
    ("invalid UTF-8 with a bogus charset", b"\xff\xfe\xfa<html>", "text/html; charset=no-such-charset"),
    ("empty", b"", "application/json"),
]
STATUS_ERRORS: list[tuple[int, type[CliqAPIError]]] = [
    (400, BadRequestError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (429, ThrottledError),
    (500, InternalServerError),
    (502, ServerError),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "error_type"), STATUS_ERRORS)
@pytest.mark.parametrize(
    ("name", "body", "content_type"), HOSTILE_ERROR_BODIES, ids=[row[0] for row in HOSTILE_ERROR_BODIES]
)
def test_an_error_status_with_a_hostile_body_is_the_typed_error_of_the_status(
    mode: str, status: int, error_type: type[CliqAPIError], name: str, body: bytes, content_type: str
) -> None:
    server = Server(lambda: raw(body, status, content_type))
    with pytest.raises(error_type) as caught:
        run(mode, create_channel, client=server.client(), body=create_request())
    error = caught.value
    assert type(error) is error_type
    assert error.status_code == status
    assert error.operation_id == "create_channel"
    assert error.code is None or len(error.code) <= 100
    assert len(error.message) <= MAX_ERROR_MESSAGE_LENGTH + 3
    assert len(str(error)) < MAX_ERROR_MESSAGE_LENGTH + 200
    assert server.api_requests == 1  # a POST answered with an error is not replayed
    assert_no_secret(error)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("name", "body", "content_type"), HOSTILE_ERROR_BODIES, ids=[row[0] for row in HOSTILE_ERROR_BODIES]
)
def test_a_401_with_a_hostile_body_is_an_authentication_error(
    mode: str, name: str, body: bytes, content_type: str
) -> None:
    server = Server(lambda: raw(body, 401, content_type))
    with pytest.raises(AuthenticationError) as caught:
        run(mode, get_channel, "T1", client=server.client())
    assert caught.value.status_code == 401
    assert server.api_requests == 1  # a body that does not blame the token: no refresh, no replay
    assert_no_secret(caught.value)


# --- the token endpoint -------------------------------------------------------------------------
# Decision: every token-endpoint body that is not the documented shape is a TokenRefreshError,
# not a MalformedResponseError: the caller's question is "did I get a token?", which one
# exception type answers (with retry_at when Zoho's limit is the cause); the token POST is
# never replayed either way, and a MalformedResponseError would carry the response, whose body
# may hold a token.

TOKEN_BODIES: list[tuple[str, int, bytes]] = [
    ("nested past the recursion limit", 200, b"[" * DEEP + b"]" * DEEP),
    ("nested objects past the recursion limit", 200, b'{"a":' * DEEP + b"1" + b"}" * DEEP),
    ("a top-level list", 200, b'[{"access_token": "1000.x.y"}]'),
    ("null", 200, b"null"),
    ("a string", 200, b'"1000.x.y"'),
    ("NaN", 200, b"NaN"),
    # ("expires_in": NaN is no wrong shape: the token is kept with the documented 3600 s, test_hostile_server.py)
    ("a null access_token", 200, b'{"access_token": null, "expires_in": 3600}'),
    ("a list access_token", 200, b'{"access_token": ["1000.x.y"], "expires_in": 3600}'),
    ("an object access_token", 200, b'{"access_token": {"token": "1000.x.y"}}'),
    ("an empty access_token", 200, b'{"access_token": ""}'),
    ("a nested error", 200, b'{"error": {"code": [' + b"[" * 500 + b"]" * 500 + b"]}}"),
    ("a huge error", 200, json.dumps({"error": "e" * 100_000}).encode()),
    ("invalid UTF-8", 200, b'{"access_token": "\xff"}'),
    ("a 400 nested past the recursion limit", 400, b"[" * DEEP + b"]" * DEEP),
    ("a 500 list", 500, b"[1, 2]"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "status", "body"), TOKEN_BODIES, ids=[row[0] for row in TOKEN_BODIES])
def test_a_token_endpoint_body_of_the_wrong_shape_is_a_token_refresh_error(
    mode: str, name: str, status: int, body: bytes
) -> None:
    server = Server(lambda: raw(b"{" + CHANNEL_FIELDS + b"}"), token_answer=lambda: raw(body, status))
    with pytest.raises(TokenRefreshError) as caught:
        run(mode, get_channel, "T1", client=server.client(oauth=True))
    error = caught.value
    assert server.token_requests == 1  # the token POST is never replayed
    assert server.api_requests == 0  # without a token nothing is sent
    assert error.error_code is None or len(error.error_code) <= 100
    assert len(str(error)) < 500
    assert_no_secret(error)
    for secret in (CLIENT_SECRET, REFRESH_TOKEN, "1000.x.y"):
        assert all(secret not in text for text in (str(error), repr(error)))


# --- pagination: cycles and mistyped paging fields --------------------------------------------


def page(ids: list[str], **fields: Any) -> httpx.Response:
    return httpx.Response(200, json={"channels": [channel_json(i) for i in ids], **fields})


class PagingServer:
    """Pages keyed by the next_token asked for (``None``: the first page)."""

    def __init__(self, pages: dict[str | None, httpx.Response]) -> None:
        self.pages = pages
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests > 50:
            raise AssertionError("the pager kept fetching: a loop")
        token = request.url.params.get("next_token")
        answer = self.pages[token]
        return httpx.Response(answer.status_code, content=answer.content, headers=answer.headers)

    def client(self) -> Client:
        mock = httpx.MockTransport(self)
        return create_client(
            access_token=ACCESS_TOKEN, base_url=BASE_URL, transport=mock, async_transport=mock, clock=FakeClock()
        )


CYCLES: list[tuple[str, dict[str | None, httpx.Response], int]] = [
    ("A->A", {None: page(["1"], has_more=True, next_token="A"), "A": page(["2"], has_more=True, next_token="A")}, 2),
    (
        "A->B->A",
        {
            None: page(["1"], has_more=True, next_token="A"),
            "A": page(["2"], has_more=True, next_token="B"),
            "B": page(["3"], has_more=True, next_token="A"),
        },
        3,
    ),
    (
        "A->B->C->B",
        {
            None: page(["1"], has_more=True, next_token="A"),
            "A": page(["2"], has_more=True, next_token="B"),
            "B": page(["3"], has_more=True, next_token="C"),
            "C": page(["4"], has_more=True, next_token="B"),
        },
        4,
    ),
    ("has_more without next_token", {None: page(["1"], has_more=True)}, 1),
    ("has_more with an empty next_token", {None: page(["1"], has_more=True, next_token="")}, 1),
]


async def _drain(pager: ChannelPager, seen: list[str]) -> None:
    async for channel in pager:
        seen.append(str(channel.channel_id))


def drain(mode: str, pager: ChannelPager) -> list[str]:
    """Every channel the pager hands out until it ends or raises (the ids are kept either way)."""
    seen: list[str] = []
    try:
        if mode == "sync":
            seen.extend(str(channel.channel_id) for channel in pager)
        else:
            anyio.run(_drain, pager, seen, backend=mode)
    except CliqError as exc:
        seen.append(f"raised {type(exc).__name__}")
    return seen


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "pages", "fetches"), CYCLES, ids=[row[0] for row in CYCLES])
def test_a_next_token_seen_before_in_the_run_is_a_pagination_error(
    mode: str, name: str, pages: dict[str | None, httpx.Response], fetches: int
) -> None:
    server = PagingServer(pages)
    pager = ChannelPager(server.client())
    seen = drain(mode, pager)
    assert seen[-1] == "raised PaginationError"
    handed_out = seen[:-1]
    assert len(handed_out) == len(set(handed_out))  # nothing handed out twice
    assert server.requests == fetches  # stopped at the page that closed the cycle
    assert not pager.done
    again = drain(mode, pager)  # iterating again: the same error, no channel repeated, no loop
    assert again == ["raised PaginationError"]


MISTYPED_PAGING: list[tuple[str, dict[str, Any]]] = [
    ('has_more "true"', {"has_more": "true", "next_token": "A"}),
    ('has_more "false"', {"has_more": "false"}),
    ("has_more 1", {"has_more": 1, "next_token": "A"}),
    ("has_more null", {"has_more": None, "next_token": "A"}),
    ("has_more a list", {"has_more": [True], "next_token": "A"}),
    ("next_token a number", {"has_more": True, "next_token": 7}),
    ("next_token an object", {"has_more": True, "next_token": {"t": "A"}}),
    ("sync_token a number", {"has_more": False, "sync_token": 1732700000}),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "fields"), MISTYPED_PAGING, ids=[row[0] for row in MISTYPED_PAGING])
def test_a_mistyped_paging_field_is_malformed_never_a_silent_end(mode: str, name: str, fields: dict[str, Any]) -> None:
    server = PagingServer({None: page(["1", "2"], **fields), "A": page(["3"], has_more=False)})
    pager = ChannelPager(server.client())
    seen = drain(mode, pager)
    assert seen == ["raised MalformedResponseError"]
    assert server.requests == 1
    assert not pager.done  # never reported as a finished listing
    with pytest.raises(MalformedResponseError) as caught:
        pager.next_page()
    field = name.split()[0]
    assert f"whose {field} is a" in str(caught.value)
    assert caught.value.operation_id == "list_channels"


@pytest.mark.parametrize("mode", MODES)
def test_a_long_listing_with_distinct_tokens_is_not_a_cycle(mode: str) -> None:
    """The control row: 30 pages, each token new, everything handed out once."""
    pages: dict[str | None, httpx.Response] = {}
    for number in range(30):
        token = None if number == 0 else f"T{number}"
        more = number < 29
        pages[token] = page([str(number)], has_more=more, **({"next_token": f"T{number + 1}"} if more else {}))
    server = PagingServer(pages)
    pager = ChannelPager(server.client())
    assert drain(mode, pager) == [str(number) for number in range(30)]
    assert pager.done


# --- 2xx JSON objects that are not the documented shape: the generated decoding ---------------
# custom/responses.py (decode_success, called by the generated functions) turns the models'
# TypeError/ValueError/KeyError into MalformedResponseError naming the field.

MISSHAPEN_CHANNELS: list[tuple[str, dict[str, Any]]] = [
    ("a bad date-time", channel_json("T1", creation_time="not a date")),
    ("a date-time of the wrong type", channel_json("T1", creation_time=12)),
    ("an enum of the wrong type", channel_json("T1", level=5)),
    ("a nested model that is a string", channel_json("T1", last_message_info="x")),
    ("a list that is a string", channel_json("T1", teams=5)),
    # decoded on first read when a dict (custom/lazy_models.py), so anything else must fail now
    ("a lazily decoded model that is a list", channel_json("T1", admin_permission=[1, 2])),
    ("a lazily decoded model that is a string", channel_json("T1", member_permission="all")),
    ("a lazily decoded model that is null", channel_json("T1", moderator_permission=None)),
]
MISSHAPEN_LISTS: list[tuple[str, dict[str, Any]]] = [
    ("channels is a string", {"channels": "T1", "has_more": False}),
    ("channels holds numbers", {"channels": [1, 2], "has_more": False}),
    ("channels holds null", {"channels": [None], "has_more": False}),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "body"), MISSHAPEN_CHANNELS, ids=[row[0] for row in MISSHAPEN_CHANNELS])
def test_a_misshapen_success_body_is_malformed(mode: str, name: str, body: dict[str, Any]) -> None:
    server = Server(lambda: httpx.Response(200, json=body))
    with pytest.raises(MalformedResponseError) as caught:
        run(mode, get_channel, "T1", client=server.client())
    assert caught.value.operation_id == "get_channel"
    post = Server(lambda: httpx.Response(200, json=body))
    with pytest.raises(MalformedResponseError) as posted:
        run(mode, create_channel, client=post.client(), body=create_request())
    assert post.api_requests == 1  # a POST the server may have applied is never replayed
    assert posted.value.may_have_been_sent is True
    assert_no_secret(caught.value, posted.value)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "body"), MISSHAPEN_LISTS, ids=[row[0] for row in MISSHAPEN_LISTS])
def test_a_misshapen_list_body_is_malformed(mode: str, name: str, body: dict[str, Any]) -> None:
    server = Server(lambda: httpx.Response(200, json=body))
    with pytest.raises(MalformedResponseError):
        run(mode, list_channels, client=server.client())


async def _sync_run(client: Client, seen: list[str]) -> None:
    result = await ChannelSync(client).arun()
    async for channel in result:
        seen.append(str(channel.channel_id))


@pytest.mark.parametrize("mode", MODES)
def test_a_sync_run_over_a_token_cycle_is_a_pagination_error_and_keeps_its_state(mode: str) -> None:
    """ChannelSync walks pages with ChannelPager: the cycle guard holds there too, and the state stays put."""
    pages = {
        None: page(["1"], has_more=True, next_token="A", sync_token="S1"),
        "A": page(["2"], has_more=True, next_token="B"),
        "B": page(["3"], has_more=True, next_token="A"),
    }
    server = PagingServer(pages)
    seen: list[str] = []

    def sync_run() -> None:
        if mode == "sync":
            seen.extend(str(channel.channel_id) for channel in ChannelSync(server.client()).run())
        else:
            anyio.run(_sync_run, server.client(), seen, backend=mode)

    with pytest.raises(PaginationError):
        sync_run()
    assert seen == ["1", "2"]  # the page that closes the cycle may repeat an earlier one: not handed out
    assert server.requests == 3
