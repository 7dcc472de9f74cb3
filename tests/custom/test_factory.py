"""create_client: credentials, data centres, network prefix, httpx options, context managers, every endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cliq_channels_client import Client, errors
from cliq_channels_client.api.channels import get_channel, list_channels
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.data_centres import DATA_CENTRES
from cliq_channels_client.custom.errors import (
    AuthenticationError,
    CliqTransportError,
    CliqValidationError,
    NotFoundError,
    RateLimitWaitExceededError,
    ThrottledError,
)
from cliq_channels_client.custom.factory import create_client, user_fingerprint
from cliq_channels_client.custom.observability import ClientHooks, RequestEvent
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID, RateLimitRule
from cliq_channels_client.custom.ratelimit import LocalRateLimiter
from cliq_channels_client.custom.retry import RetryPolicy
from cliq_channels_client.models import Error
from tests.bodies import channel_json
from tests.generated.support import BASE_PATH, CASES, OperationCase
from tests.secret_audit import register_secret

CLIENT_ID = "1000.CLIENTIDXYZ"
CLIENT_SECRET = "0123456789abcdef0123456789abcdef01234567"
REFRESH_TOKEN = "1000.0a1b2c3d4e5f60718293a4b5c6d7e8f9.aa11bb22cc33dd44ee55ff6677889900"
ACCESS_TOKEN = "1000.ffeeddccbbaa99887766554433221100.00112233445566778899aabbccddeeff"
STATIC_TOKEN = "1000.1234567890abcdef1234567890abcdef.fedcba0987654321fedcba0987654321"
register_secret(CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN, STATIC_TOKEN)

OAUTH: dict[str, Any] = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}
CHANNEL = channel_json("T1", name="#support")


class FakeZoho:
    """Accounts (token endpoint) and Cliq in one MockTransport handler; records every request."""

    def __init__(self, api_domain: str | None = "https://www.zohoapis.com", api: Callable[..., Any] | None = None):
        self.api_domain = api_domain
        self.api = api
        self.requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/v2/token"):
            self.token_requests.append(request)
            body: dict[str, Any] = {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600}
            if self.api_domain:
                body["api_domain"] = self.api_domain
            return httpx.Response(200, json=body)
        self.requests.append(request)
        if self.api is not None:
            response: httpx.Response = self.api(request)
            return response
        return httpx.Response(200, json=CHANNEL)


def oauth_client(zoho: FakeZoho, **options: Any) -> Client:
    mock = httpx.MockTransport(zoho)
    return create_client(**OAUTH, transport=mock, async_transport=mock, clock=FakeClock(), **options)


def static_client(zoho: FakeZoho, **options: Any) -> Client:
    mock = httpx.MockTransport(zoho)
    return create_client(access_token=STATIC_TOKEN, transport=mock, async_transport=mock, clock=FakeClock(), **options)


# --------------------------------------------------------------------------- hosts


@pytest.mark.parametrize("key", sorted(DATA_CENTRES))
def test_the_data_centre_picks_the_cliq_and_the_accounts_hosts(key: str) -> None:
    centre = DATA_CENTRES[key]
    zoho = FakeZoho(api_domain=centre.api_domain)
    with oauth_client(zoho, data_centre=key) as client:
        response = get_channel.sync_detailed("T1", client=client)
    assert response.status_code == 200
    (token_request,) = zoho.token_requests
    assert f"{token_request.url.scheme}://{token_request.url.host}" == centre.accounts_origin
    assert token_request.url.path == "/oauth/v2/token"
    (api_request,) = zoho.requests
    assert f"{api_request.url.scheme}://{api_request.url.host}" == centre.cliq_origin
    assert api_request.url.raw_path == b"/api/v2/channels/T1"
    assert api_request.headers["Authorization"] == f"Zoho-oauthtoken {ACCESS_TOKEN}"


def test_canada_uses_zohocloud() -> None:
    zoho = FakeZoho(api_domain="https://www.zohoapis.ca")
    with oauth_client(zoho, data_centre="ca") as client:
        get_channel.sync("T1", client=client)
    assert zoho.token_requests[0].url.host == "accounts.zohocloud.ca"
    assert zoho.requests[0].url.host == "cliq.zohocloud.ca"


def test_the_api_domain_of_the_token_response_is_followed() -> None:
    zoho = FakeZoho(api_domain="https://www.zohoapis.eu")
    with oauth_client(zoho, data_centre="com") as client:
        get_channel.sync("T1", client=client)
    assert zoho.token_requests[0].url.host == "accounts.zoho.com"
    assert zoho.requests[0].url.host == "cliq.zoho.eu"


def test_an_unknown_data_centre_is_refused() -> None:
    with pytest.raises(CliqValidationError) as caught:
        create_client(access_token=STATIC_TOKEN, data_centre="mars")
    assert caught.value.field == "data_centre"


def test_base_url_and_accounts_url_point_at_an_emulator() -> None:
    zoho = FakeZoho(api_domain="https://www.zohoapis.eu")  # an explicit base_url wins over api_domain
    with oauth_client(zoho, base_url="http://127.0.0.1:8765/api/v2/", accounts_url="http://127.0.0.1:8765/") as client:
        get_channel.sync("T1", client=client)
    assert str(zoho.token_requests[0].url) == "http://127.0.0.1:8765/oauth/v2/token"
    assert str(zoho.requests[0].url) == "http://127.0.0.1:8765/api/v2/channels/T1"


# --------------------------------------------------------------------------- network


def test_a_network_prefixes_every_path_and_keeps_pacing_and_validation() -> None:
    zoho = FakeZoho()
    limiter = SpyLimiter()
    with static_client(zoho, network="zylker", rate_limiter=limiter) as client:
        get_channel.sync("T1", client=client)
        with pytest.raises(CliqValidationError):
            list_channels.sync(client=client, limit=101)
    assert zoho.requests[0].url.raw_path == b"/network/zylker/api/v2/channels/T1"
    assert limiter.keys == [limiter.keys[0]]
    assert limiter.keys[0].endswith(":get_channel")


def test_a_network_name_is_quoted() -> None:
    zoho = FakeZoho()
    with static_client(zoho, network="zylkér~1") as client:
        get_channel.sync("T1", client=client)
    assert zoho.requests[0].url.raw_path == b"/network/zylk%C3%A9r~1/api/v2/channels/T1"


@pytest.mark.parametrize("name", ["", "a/b", "..", ".", "a?b", "a#b", "a b", "a%2Fb", "tab\t", "x" * 101])
def test_bad_network_names_are_refused(name: str) -> None:
    with pytest.raises(CliqValidationError) as caught:
        create_client(access_token=STATIC_TOKEN, network=name)
    assert (caught.value.field, caught.value.rule) == ("network", "pattern")


# --------------------------------------------------------------------------- credentials


@pytest.mark.parametrize(
    ("credentials", "field", "rule"),
    [
        ({}, "refresh_token", "required"),
        ({"client_id": CLIENT_ID}, "client_secret", "required"),
        ({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, "refresh_token", "required"),
        ({"client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}, "client_id", "required"),
        ({**OAUTH, "refresh_token": ""}, "refresh_token", "required"),
        ({**OAUTH, "access_token": STATIC_TOKEN}, "access_token", "oneOf"),
        ({"refresh_token": REFRESH_TOKEN, "access_token": STATIC_TOKEN}, "access_token", "oneOf"),
    ],
)
def test_missing_or_mixed_credentials_are_refused(credentials: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(CliqValidationError) as caught:
        create_client(**credentials)
    assert (caught.value.field, caught.value.rule) == (field, rule)
    for secret in (CLIENT_SECRET, REFRESH_TOKEN, STATIC_TOKEN):
        assert secret not in str(caught.value)


def test_the_user_key_is_a_fingerprint_never_a_secret() -> None:
    keys = []
    options: dict[str, Any]
    for options in (OAUTH, OAUTH, {**OAUTH, "refresh_token": "1000.other.token"}, {"access_token": STATIC_TOKEN}):
        limiter = SpyLimiter()
        mock = httpx.MockTransport(FakeZoho())
        with create_client(**options, transport=mock, rate_limiter=limiter, clock=FakeClock()) as client:
            get_channel.sync("T1", client=client)
        (key,) = set(limiter.keys)
        keys.append(key.removesuffix(":get_channel"))
    assert keys[0] == keys[1] == user_fingerprint("oauth", CLIENT_ID, REFRESH_TOKEN)
    assert len(set(keys)) == 3  # another refresh token, another user; a static token, another key
    for key in keys:
        assert len(key) == 16
        assert all(secret not in key for secret in (CLIENT_SECRET, REFRESH_TOKEN, STATIC_TOKEN, CLIENT_ID))


def test_an_explicit_user_key_is_used() -> None:
    limiter = SpyLimiter()
    with static_client(FakeZoho(), rate_limiter=limiter, user_key="alice") as client:
        get_channel.sync("T1", client=client)
    assert limiter.keys == ["alice:get_channel"]


def test_a_static_token_makes_no_token_request() -> None:
    zoho = FakeZoho()
    with static_client(zoho) as client:
        get_channel.sync("T1", client=client)
    assert zoho.token_requests == []
    assert zoho.requests[0].headers["Authorization"] == f"Zoho-oauthtoken {STATIC_TOKEN}"


def test_the_clock_and_refresh_margin_reach_the_auth() -> None:
    clock = FakeClock()
    zoho = FakeZoho()
    mock = httpx.MockTransport(zoho)
    with create_client(**OAUTH, transport=mock, clock=clock, refresh_margin=600) as client:
        get_channel.sync("T1", client=client)
        clock.advance(2999)  # the token still has 601 s: more than the margin
        get_channel.sync("T1", client=client)
        assert len(zoho.token_requests) == 1
        clock.advance(2)  # now within the margin: refreshed ahead of expiry
        get_channel.sync("T1", client=client)
    assert len(zoho.token_requests) == 2


# --------------------------------------------------------------------------- the user's httpx options


def test_event_hooks_headers_and_params_reach_httpx() -> None:
    zoho = FakeZoho()
    seen: list[str] = []
    args = {
        "event_hooks": {
            "request": [lambda request: seen.append(f"request {request.url.path}")],
            "response": [lambda response: seen.append(f"response {response.status_code}")],
        },
        "headers": {"X-Trace": "abc"},
        "cookies": {"session": "s1"},
        "params": {"trace": "1"},
    }
    with static_client(zoho, httpx_args=args) as client:
        get_channel.sync("T1", client=client)
    assert seen == ["request /api/v2/channels/T1", "response 200"]
    request = zoho.requests[0]
    assert request.headers["X-Trace"] == "abc"
    assert request.headers["Cookie"] == "session=s1"
    assert request.url.params["trace"] == "1"


@pytest.mark.parametrize("name", ["auth", "transport", "mounts", "base_url"])
def test_httpx_args_that_would_bypass_the_layer_are_refused(name: str) -> None:
    with pytest.raises(CliqValidationError) as caught:
        create_client(access_token=STATIC_TOKEN, httpx_args={name: object()})
    assert caught.value.field == f"httpx_args.{name}"


def test_network_options_configure_the_inner_transports(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[str, dict[str, Any]]] = []
    zoho = FakeZoho()

    def fake(kind: str) -> Callable[..., Any]:
        def build(**options: Any) -> Any:
            made.append((kind, options))
            return httpx.MockTransport(zoho)

        return build

    monkeypatch.setattr(httpx, "HTTPTransport", fake("sync"))
    limits = httpx.Limits(max_connections=5)
    args = {"verify": False, "limits": limits, "proxy": "http://proxy.internal:3128", "http2": False}
    client = create_client(access_token=STATIC_TOKEN, httpx_args=args, clock=FakeClock())
    with client:
        get_channel.sync("T1", client=client)
    assert made == [("sync", args)]
    assert len(zoho.requests) == 1  # through CliqTransport, not around it via a proxy mount


def test_timeouts() -> None:
    default = create_client(access_token=STATIC_TOKEN)
    assert default.get_httpx_client().timeout == httpx.Timeout(30.0)
    custom = create_client(access_token=STATIC_TOKEN, timeout=httpx.Timeout(5.0, connect=1.0))
    assert custom.get_httpx_client().timeout == httpx.Timeout(5.0, connect=1.0)
    unlimited = create_client(access_token=STATIC_TOKEN, timeout=None)
    assert unlimited.get_httpx_client().timeout == httpx.Timeout(None)
    from_args = create_client(access_token=STATIC_TOKEN, httpx_args={"timeout": 7})
    assert from_args.get_async_httpx_client().timeout == httpx.Timeout(7.0)


# --------------------------------------------------------------------------- lifecycle


class Closable(httpx.MockTransport):
    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        super().__init__(handler)
        self.closed = 0
        self.aclosed = 0

    def close(self) -> None:
        self.closed += 1

    async def aclose(self) -> None:
        self.aclosed += 1


def test_the_sync_context_manager_closes_the_inner_transport() -> None:
    inner = Closable(FakeZoho())
    with create_client(access_token=STATIC_TOKEN, transport=inner, async_transport=inner) as client:
        get_channel.sync("T1", client=client)
        assert inner.closed == 0
    assert (inner.closed, inner.aclosed) == (1, 0)
    assert client.get_httpx_client().is_closed


@pytest.mark.anyio
async def test_the_async_context_manager_closes_the_inner_transport() -> None:
    inner = Closable(FakeZoho())
    async with create_client(access_token=STATIC_TOKEN, transport=inner, async_transport=inner) as client:
        await get_channel.asyncio("T1", client=client)
        assert inner.aclosed == 0
    assert (inner.closed, inner.aclosed) == (0, 1)
    assert client.get_async_httpx_client().is_closed


# --------------------------------------------------------------------------- every endpoint


def answer(case: OperationCase) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == case.method
        assert request.url.raw_path.decode("ascii").partition("?")[0] == BASE_PATH + case.path
        assert dict(request.url.params) == dict(case.query)
        if case.json_body is not None:
            assert json.loads(request.content) == case.json_body
        if case.response_json is None:
            return httpx.Response(case.status)
        return httpx.Response(case.status, json=case.response_json)

    return handler


def photo_url_as_image_data(case: OperationCase) -> bool:
    """The reference's create/update samples put a photo URL in ``image_data``, not the base64 the document asks for."""
    return isinstance(case.json_body, dict) and str(case.json_body.get("image_data", "")).startswith("http")


def sample_options(case: OperationCase) -> dict[str, Any]:
    """Client options that let the reference's own sample through: without validation for a photo URL."""
    return {"validate": False} if photo_url_as_image_data(case) else {}


@pytest.mark.parametrize("case", CASES, ids=[case.case_id for case in CASES])
def test_every_generated_function_accepts_the_client(case: OperationCase) -> None:
    zoho = FakeZoho(api=answer(case))
    with static_client(zoho, **sample_options(case)) as client:
        case.check(case.call_sync(client))  # type: ignore[arg-type]
        detailed = case.call_sync_detailed(client)  # type: ignore[arg-type]
        assert detailed.status_code == case.status
    assert len(zoho.requests) == 2  # the reference's own samples pass client-side validation (but a photo URL)


@pytest.mark.parametrize(
    "case", [case for case in CASES if photo_url_as_image_data(case)], ids=lambda case: str(case.case_id)
)
def test_a_photo_url_as_image_data_is_refused_as_the_document_says(case: OperationCase) -> None:
    """x-reference-doubt in the document: the sample's URL is not base64, so the client refuses it (as the emulator)."""
    zoho = FakeZoho(api=answer(case))
    with static_client(zoho) as client, pytest.raises(CliqValidationError) as refusal:
        case.call_sync_detailed(client)  # type: ignore[arg-type]
    assert (refusal.value.field, refusal.value.rule) == ("image_data", "contentEncoding")
    assert zoho.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=[case.case_id for case in CASES])
async def test_every_generated_async_function_accepts_the_client(case: OperationCase) -> None:
    zoho = FakeZoho(api=answer(case))
    async with oauth_client(zoho, **sample_options(case)) as client:
        case.check(await case.call_asyncio(client))  # type: ignore[arg-type]
    assert len(zoho.requests) == 1
    assert len(zoho.token_requests) == 1


# --------------------------------------------------------------------------- errors and raw responses


def test_errors_are_raised_and_undocumented_statuses_are_surprises() -> None:
    statuses = iter([404, 201])

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(statuses), json={"code": "channel_not_exist", "message": "No such channel"})

    with static_client(FakeZoho(api=api)) as client:
        assert client.raise_on_unexpected_status is True
        with pytest.raises(NotFoundError) as caught:
            get_channel.sync("T1", client=client)
        assert caught.value.operation_id == "get_channel"
        with pytest.raises(errors.UnexpectedStatus):
            get_channel.sync("T1", client=client)


def test_without_raise_on_error_the_detailed_functions_get_raw_responses() -> None:
    statuses = iter([404, 401])

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(statuses), json={"code": "some_code", "message": "Some message"})

    with static_client(FakeZoho(api=api), raise_on_error=False) as client:
        assert client.raise_on_unexpected_status is False
        missing = get_channel.sync_detailed("T1", client=client)
        rejected = get_channel.sync_detailed("T1", client=client)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, Error)
    assert missing.parsed.code == "some_code"
    assert rejected.status_code == 401  # not raised by the auth either


def test_retry_hooks_and_limiter_options_reach_the_transport() -> None:
    outcomes: list[Any] = [httpx.ConnectError("down")]

    def api(request: httpx.Request) -> httpx.Response:
        if outcomes:
            raise outcomes.pop()
        return httpx.Response(200, json=CHANNEL)

    requests: list[RequestEvent] = []
    with (
        static_client(
            FakeZoho(api=api), retry=RetryPolicy.disabled(), hooks=ClientHooks(on_request=requests.append)
        ) as client,
        pytest.raises(CliqTransportError) as caught,
    ):
        get_channel.sync("T1", client=client)
    assert caught.value.attempts == 1
    assert requests == [RequestEvent("get_channel", "GET", 1)]


def test_max_wait_reaches_the_transport() -> None:
    zoho = FakeZoho()
    allowed = OPERATIONS_BY_ID["get_channel"].rate_limit.threshold  # the document's limit
    with static_client(zoho, max_wait=0) as client:
        for _ in range(allowed):
            get_channel.sync("T1", client=client)
        with pytest.raises(RateLimitWaitExceededError, match=r"max_wait=0\.0"):
            get_channel.sync("T1", client=client)
    assert len(zoho.requests) == allowed


def test_no_secret_in_exceptions_reprs_or_logs() -> None:
    """OAuth end to end with a throttle, a 401 and a transport failure; the suite audits the log records."""
    script: list[Any] = [
        httpx.Response(429, json={"message": "Too many requests within a certain time frame."}),
        httpx.Response(401, json={"code": "oauthtoken_invalid", "message": "Request was rejected."}),
        httpx.Response(401, json={"code": "oauthtoken_invalid", "message": "Request was rejected."}),
        httpx.ReadTimeout("timed out"),
    ]

    def api(request: httpx.Request) -> httpx.Response:
        outcome = script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        response: httpx.Response = outcome
        return response

    raised: list[BaseException] = []
    client = oauth_client(FakeZoho(api=api), retry=RetryPolicy(max_attempts=1))
    with client:
        for call in (
            lambda: get_channel.sync("T1", client=client),
            lambda: list_channels.sync(client=client),
            lambda: client.get_httpx_client().delete("/channels/T1"),
        ):
            with pytest.raises((ThrottledError, AuthenticationError, CliqTransportError)) as caught:
                call()
            raised.append(caught.value)
    texts = [str(error) for error in raised] + [repr(error) for error in raised] + [repr(client)]
    for text in texts:
        for secret in (CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN):
            assert secret not in text
    assert [type(error) for error in raised] == [ThrottledError, AuthenticationError, CliqTransportError]


class SpyLimiter(LocalRateLimiter):
    """Records the keys the transport paces."""

    def __init__(self) -> None:
        super().__init__(clock=FakeClock())
        self.keys: list[str] = []

    def acquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        self.keys.append(key)
        super().acquire(key, rule, operation_id=operation_id, max_wait=max_wait)
