"""CliqTransport and success bodies: parsed once, malformed ones typed, retried only when idempotent."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from cliq_channels_client import Client, MalformedResponseError
from cliq_channels_client.api.channels import create_channel, delete_channel, get_channel
from cliq_channels_client.custom.auth import StaticTokenAuth
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import CliqTransportError
from cliq_channels_client.custom.observability import ClientHooks, ErrorEvent
from cliq_channels_client.custom.operations import OPERATION_EXTENSION, OPERATIONS_BY_ID
from cliq_channels_client.custom.retry import RetryPolicy
from cliq_channels_client.custom.transport import CliqTransport
from cliq_channels_client.models import Channel, ChannelLevel, CreateChannelRequest
from tests.bodies import channel_json

BASE_URL = "https://cliq.zoho.com/api/v2"
CHANNEL = channel_json("T1", name="Zylker Support")
HTML = "<html><body>Bad Gateway, with a private detail: 1000.abcdef0123456789.0123456789abcdef</body></html>"


def html_200() -> httpx.Response:
    return httpx.Response(200, text=HTML, headers={"Content-Type": "text/html"})


class Replies:
    """A mock server: scripted answers, then the channel; counts the requests."""

    def __init__(self, *script: httpx.Response) -> None:
        self.script = list(script)
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return self.script.pop(0) if self.script else httpx.Response(200, json=CHANNEL)


def client_for(handler: Callable[[httpx.Request], httpx.Response], clock: FakeClock, **options: Any) -> Client:
    mock = httpx.MockTransport(handler)
    transport = CliqTransport(transport=mock, async_transport=mock, clock=clock, **options)
    return Client(
        base_url=BASE_URL,
        raise_on_unexpected_status=True,
        httpx_args={"transport": transport, "auth": StaticTokenAuth("1000.aaaaaaaaaa.bbbbbbbbbb")},
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_success_body_is_parsed_once_per_call(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[object] = []
    original = json.JSONDecoder.decode  # what json.loads and the transport's strict decoder both call

    def counting(self: json.JSONDecoder, *args: Any, **kwargs: Any) -> Any:
        parses.append(args[0])
        return original(self, *args, **kwargs)

    with client_for(Replies(), clock) as client:
        monkeypatch.setattr(json.JSONDecoder, "decode", counting)
        channel = get_channel.sync("T1", client=client)
        monkeypatch.setattr(json.JSONDecoder, "decode", original)
    assert isinstance(channel, Channel)
    assert channel.channel_id == "T1"
    assert len(parses) == 1


def test_json_with_arguments_parses_again(clock: FakeClock) -> None:
    with client_for(Replies(), clock) as client:
        response = client.get_httpx_client().get("/channels/T1")
    assert response.json() == CHANNEL
    assert response.json(parse_int=str) == CHANNEL  # no ints in it: equal, but parsed by httpx
    assert response.json() is response.json()  # the cached parse


def test_a_malformed_get_is_retried_then_succeeds(clock: FakeClock) -> None:
    replies = Replies(html_200(), httpx.Response(200, content=b'{"channel_id": "T1", "na'))
    errors: list[ErrorEvent] = []
    with client_for(replies, clock, hooks=ClientHooks(on_error=errors.append)) as client:
        channel = get_channel.sync("T1", client=client)
    assert isinstance(channel, Channel)
    assert channel.channel_id == "T1"
    assert replies.calls == 3
    assert [(e.operation_id, e.attempt, e.error) for e in errors] == [
        ("get_channel", 1, "MalformedResponseError"),
        ("get_channel", 2, "MalformedResponseError"),
    ]


def test_a_malformed_get_gives_up_after_the_policy_with_a_typed_error(clock: FakeClock) -> None:
    replies = Replies(*(html_200() for _ in range(3)))
    with (
        client_for(replies, clock, retry=RetryPolicy(max_attempts=3)) as client,
        pytest.raises(MalformedResponseError) as caught,
    ):
        get_channel.sync("T1", client=client)
    error = caught.value
    assert replies.calls == 3
    assert (error.status_code, error.operation_id, error.attempts, error.may_have_been_sent) == (
        200,
        "get_channel",
        3,
        True,
    )
    assert error.response is not None
    assert error.response.status_code == 200
    assert isinstance(error, CliqTransportError)
    assert f"{len(HTML)} bytes" in str(error)
    assert "text/html" in str(error)
    for text in (str(error), repr(error)):
        assert "Bad Gateway" not in text
        assert "1000." not in text
        assert "<html>" not in text


def test_a_malformed_post_is_never_replayed(clock: FakeClock) -> None:
    replies = Replies(html_200())
    body = CreateChannelRequest(name="Zylker Support", level=ChannelLevel.ORGANIZATION)
    with client_for(replies, clock) as client, pytest.raises(MalformedResponseError) as caught:
        create_channel.sync(client=client, body=body)
    assert replies.calls == 1
    assert caught.value.may_have_been_sent is True
    assert caught.value.attempts == 1
    assert "not replayed" in str(caught.value)


def test_a_malformed_body_raises_even_without_raise_on_error(clock: FakeClock) -> None:
    """The raw-response mode returns error answers, but a generated parser cannot read this one."""
    with (
        client_for(Replies(html_200()), clock, raise_on_error=False, retry=RetryPolicy.disabled()) as client,
        pytest.raises(MalformedResponseError),
    ):
        get_channel.sync_detailed("T1", client=client)


def test_a_204_is_not_read_or_parsed_by_the_transport(clock: FakeClock) -> None:
    with client_for(Replies(httpx.Response(204)), clock) as client:
        assert delete_channel.sync_detailed("T1", client=client).status_code == 204


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that breaks after its first bytes, as a connection closed mid-body does."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"channel_id": '
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"channel_id": '
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def cut_short() -> httpx.Response:
    return httpx.Response(200, headers={"Content-Length": "40"}, stream=BrokenStream())


def test_a_body_cut_short_is_a_transport_failure_retried_for_a_get(clock: FakeClock) -> None:
    replies = Replies(cut_short())
    with client_for(replies, clock) as client:
        channel = get_channel.sync("T1", client=client)
    assert isinstance(channel, Channel)
    assert replies.calls == 2


def test_a_body_cut_short_of_a_post_is_not_replayed(clock: FakeClock) -> None:
    replies = Replies(cut_short())
    body = CreateChannelRequest(name="Zylker Support", level=ChannelLevel.ORGANIZATION)
    with client_for(replies, clock) as client, pytest.raises(CliqTransportError) as caught:
        create_channel.sync(client=client, body=body)
    assert replies.calls == 1
    assert caught.value.may_have_been_sent is True
    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)


@pytest.mark.anyio
async def test_async_malformed_and_cut_short_bodies(clock: FakeClock) -> None:
    replies = Replies(html_200(), cut_short())
    body = CreateChannelRequest(name="Zylker Support", level=ChannelLevel.ORGANIZATION)
    async with client_for(replies, clock) as client:
        channel = await get_channel.asyncio("T1", client=client)
        assert isinstance(channel, Channel)
        assert replies.calls == 3
        replies.script = [html_200()]
        with pytest.raises(MalformedResponseError):
            await create_channel.asyncio(client=client, body=body)
        replies.script = [cut_short()]
        with pytest.raises(CliqTransportError) as caught:
            await create_channel.asyncio(client=client, body=body)
    assert replies.calls == 5
    assert caught.value.may_have_been_sent is True


_BODILESS = [
    (operation.operation_id, status)
    for operation in OPERATIONS_BY_ID.values()
    for status in operation.success_statuses
    if status not in operation.json_success_statuses
]


@pytest.mark.parametrize(("operation_id", "status"), _BODILESS)
def test_a_success_the_document_gives_no_json_body_is_returned_as_is(
    operation_id: str, status: int, clock: FakeClock
) -> None:
    """Only the statuses the document gives a JSON body (``json_success_statuses``) must carry one.

    E.g. a 204, or the 200 that Zoho's download documents where the reference shows a 204:
    an empty answer is the operation's success, not a ``MalformedResponseError``.
    """
    operation = OPERATIONS_BY_ID[operation_id]
    replies = Replies(*[httpx.Response(status) for _ in range(4)])
    mock = httpx.MockTransport(replies)
    transport = CliqTransport(transport=mock, clock=clock, validate=False)
    path = re.sub(r"\{\w+\}", "X1", operation.path)
    request = httpx.Request(operation.method, f"{BASE_URL}{path}", extensions={OPERATION_EXTENSION: operation_id})
    response = transport.handle_request(request)
    assert (response.status_code, replies.calls) == (status, 1)


def test_every_json_success_status_is_a_success_status() -> None:
    for operation in OPERATIONS_BY_ID.values():
        assert operation.json_success_statuses <= set(operation.success_statuses), operation.operation_id
        assert 204 not in operation.json_success_statuses
