"""CliqTransport over httpx.MockTransport on a FakeClock: pacing, throttle locks, safe retries, typed errors, hooks."""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

from cliq_channels_client import Client
from cliq_channels_client.api.channels import create_channel, get_channel
from cliq_channels_client.custom.auth import StaticTokenAuth
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import (
    AuthenticationError,
    BadRequestError,
    CliqAPIError,
    CliqTransportError,
    InternalServerError,
    MethodNotAllowedError,
    NotAcceptableError,
    NotFoundError,
    OperationLockedError,
    PermissionDeniedError,
    RateLimitWaitExceededError,
    ServerError,
    ThrottledError,
)
from cliq_channels_client.custom.observability import (
    ClientHooks,
    ErrorEvent,
    RateLimitWaitEvent,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    ThrottleEvent,
)
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID, RESTAMP_EXTENSION, RateLimitRule, match_operation
from cliq_channels_client.custom.rate_limit_overrides import OverridingRateLimiter
from cliq_channels_client.custom.ratelimit import LocalRateLimiter
from cliq_channels_client.custom.retry import RetryPolicy
from cliq_channels_client.custom.transport import CliqTransport
from cliq_channels_client.models import ChannelLevel, CreateChannelRequest, Error
from cliq_channels_client.operation_table import ERROR_MESSAGES
from tests.bodies import channel_json

BASE_URL = "https://cliq.zoho.com/api/v2"
NEW_CHANNEL = {"name": "Zylker Support", "level": "organization"}
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

Outcome = httpx.Response | Exception


def operation_of(request: httpx.Request) -> str:
    operation = match_operation(request.method, request.url.path)
    return operation.operation_id if operation is not None else "(none)"


# Limits come from the operation table (the document's), never written here: the suite holds
# after `make update-spec` with Zoho's download, whose numbers differ from ours.
GET_LIMIT = OPERATIONS_BY_ID["get_channel"].rate_limit
CREATE_LOCK = OPERATIONS_BY_ID["create_channel"].rate_limit.lock
#: How long the call after a full window waits: the window plus LocalRateLimiter's 5 % margin.
FULL_WINDOW_WAIT = GET_LIMIT.window * 1.05


class PacedServer:
    """Zoho's limit as a mock: ``threshold`` arrivals per rolling ``window`` per operation, 429 beyond."""

    def __init__(
        self, clock: FakeClock, threshold: int = GET_LIMIT.threshold, window: float = GET_LIMIT.window
    ) -> None:
        self.clock = clock
        self.threshold = threshold
        self.window = window
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.throttled = 0
        self._lock = threading.Lock()

    def _arrive(self, request: httpx.Request) -> httpx.Response:
        now = self.clock.now()
        operation_id = operation_of(request)
        with self._lock:
            seen = self.arrivals[operation_id]
            if sum(1 for at in seen if at > now - self.window) >= self.threshold:
                self.throttled += 1
                return httpx.Response(429, json={"message": "Too many requests within a certain time frame."})
            seen.append(now)
        return httpx.Response(200, json=channel_json("T1", name="x"))

    def handle(self, request: httpx.Request) -> httpx.Response:
        return self._arrive(request)

    async def ahandle(self, request: httpx.Request) -> httpx.Response:
        response = self._arrive(request)
        await anyio.lowlevel.checkpoint()  # the answer takes a scheduling round: calls overlap
        return response


class Script:
    """A mock server that plays scripted outcomes per operation, then answers 200.

    ``calls`` counts every attempt; ``arrivals`` only those that reached the
    "server" (a connect-phase failure never arrives; a read timeout did).
    """

    def __init__(self, outcomes: dict[str, list[Outcome]] | None = None) -> None:
        self.outcomes = {key: list(value) for key, value in (outcomes or {}).items()}
        self.calls: Counter[str] = Counter()
        self.arrivals: Counter[str] = Counter()
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        operation_id = operation_of(request)
        self.calls[operation_id] += 1
        self.requests.append(request)
        queue = self.outcomes.get(operation_id) or []
        outcome: Outcome = queue.pop(0) if queue else httpx.Response(200, json=channel_json("T1"))
        if not isinstance(outcome, NOT_SENT):
            self.arrivals[operation_id] += 1
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


class SpyLimiter(LocalRateLimiter):
    """Counts what the transport asks of the limiter."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock=clock)
        self.acquired = 0
        self.released = 0

    def acquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        super().acquire(key, rule, operation_id=operation_id, max_wait=max_wait)
        self.acquired += 1

    def release(self, key: str, rule: RateLimitRule) -> None:
        self.released += 1
        super().release(key, rule)

    async def aacquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        await super().aacquire(key, rule, operation_id=operation_id, max_wait=max_wait)
        self.acquired += 1

    async def arelease(self, key: str, rule: RateLimitRule) -> None:
        self.released += 1
        LocalRateLimiter.release(self, key, rule)  # not self.release: that would count twice


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def sync_client(handler: Callable[[httpx.Request], Any], clock: FakeClock, **options: Any) -> httpx.Client:
    transport = CliqTransport(transport=httpx.MockTransport(handler), clock=clock, **options)
    return httpx.Client(base_url=BASE_URL, transport=transport)


def async_client(handler: Callable[[httpx.Request], Any], clock: FakeClock, **options: Any) -> httpx.AsyncClient:
    transport = CliqTransport(async_transport=httpx.MockTransport(handler), clock=clock, **options)
    return httpx.AsyncClient(base_url=BASE_URL, transport=transport)


def error_response(status: int, code: str | None = None, message: str | None = None, **headers: str) -> httpx.Response:
    body = {key: value for key, value in {"code": code, "message": message}.items() if value is not None}
    return httpx.Response(status, json=body, headers=headers)


# --------------------------------------------------------------------------- proactive pacing

# 100 calls at `threshold` per rolling window: the last can arrive this long after the first
IDEAL_SECONDS = (math.ceil(100 / GET_LIMIT.threshold) - 1) * GET_LIMIT.window


def check_bulk(server: PacedServer) -> None:
    arrivals = server.arrivals["get_channel"]
    assert server.throttled == 0
    assert len(arrivals) == 100
    elapsed = arrivals[-1] - arrivals[0]
    assert elapsed >= IDEAL_SECONDS  # (the server enforces it; a sanity check of the mock)
    assert IDEAL_SECONDS / elapsed >= 0.9  # at >= 90 % of the allowed rate


@pytest.mark.anyio
async def test_bulk_of_100_concurrent_async_calls_is_never_throttled(clock: FakeClock) -> None:
    server = PacedServer(clock)
    statuses: list[int] = []
    async with async_client(server.ahandle, clock, max_wait=1000) as client:

        async def one(index: int) -> None:
            statuses.append((await client.get(f"/channels/T{index}")).status_code)

        async with anyio.create_task_group() as tg:
            for index in range(100):
                tg.start_soon(one, index)
    assert statuses == [200] * 100
    check_bulk(server)


def test_bulk_of_100_calls_from_threads_is_never_throttled(clock: FakeClock) -> None:
    server = PacedServer(clock)
    with sync_client(server.handle, clock, max_wait=1000) as client, ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda i: client.get(f"/channels/T{i}").status_code, range(100)))
    assert statuses == [200] * 100
    check_bulk(server)


def test_bulk_through_generated_functions_and_a_shared_limiter(clock: FakeClock) -> None:
    """Two clients of the same user share one limiter: together they stay within the limit."""
    server = PacedServer(clock)
    limiter = LocalRateLimiter(clock=clock)
    clients = [
        Client(
            base_url=BASE_URL,
            httpx_args={
                "transport": CliqTransport(
                    transport=httpx.MockTransport(server.handle), rate_limiter=limiter, clock=clock, max_wait=1000
                )
            },
        )
        for _ in range(2)
    ]
    for index in range(50):
        for client in clients:
            response = get_channel.sync_detailed(f"T{index}", client=client)
            assert response.status_code == 200
    check_bulk(server)


def test_waiting_longer_than_max_wait_raises_without_sending(clock: FakeClock) -> None:
    server = PacedServer(clock)
    with sync_client(server.handle, clock, max_wait=10) as client:
        for index in range(GET_LIMIT.threshold):
            assert client.get(f"/channels/T{index}").status_code == 200
        start = clock.now()
        with pytest.raises(RateLimitWaitExceededError) as caught:
            client.get("/channels/T-next")
    assert len(server.arrivals["get_channel"]) == GET_LIMIT.threshold  # the next was not sent
    assert clock.now() == start  # and not waited for
    assert caught.value.operation_id == "get_channel"
    assert caught.value.retry_after == pytest.approx(FULL_WINDOW_WAIT)


@pytest.mark.anyio
async def test_async_max_wait_exceeded_raises_without_sending(clock: FakeClock) -> None:
    server = PacedServer(clock)
    async with async_client(server.ahandle, clock, max_wait=0) as client:
        for index in range(GET_LIMIT.threshold):
            await client.get(f"/channels/T{index}")
        with pytest.raises(RateLimitWaitExceededError):
            await client.get("/channels/T-next")
    assert len(server.arrivals["get_channel"]) == GET_LIMIT.threshold


def test_waits_are_reported(clock: FakeClock) -> None:
    waits: list[RateLimitWaitEvent] = []
    server = PacedServer(clock)
    with sync_client(server.handle, clock, max_wait=100, hooks=ClientHooks(on_rate_limit_wait=waits.append)) as client:
        for index in range(GET_LIMIT.threshold + 1):
            client.get(f"/channels/T{index}")
    assert len(waits) == 1
    assert waits[0].operation_id == "get_channel"
    assert waits[0].waited == pytest.approx(FULL_WINDOW_WAIT)


# --------------------------------------------------------------------------- server throttles

THROTTLES: dict[str, tuple[Callable[[], httpx.Response], float]] = {
    "429": (lambda: error_response(429, message="Too many requests within a certain time frame."), CREATE_LOCK),
    "429-retry-after": (lambda: error_response(429, message="Too many.", **{"Retry-After": "30"}), 30.0),
    "400-limit": (
        lambda: error_response(400, "request_limit_exceeded", "You have exceeded the URL throttle limits."),
        CREATE_LOCK,
    ),
    "400-limit-retry-after": (
        lambda: error_response(400, "request_limit_exceeded", "Throttled.", **{"Retry-After": "45"}),
        45.0,
    ),
}


@pytest.mark.parametrize("kind", THROTTLES)
def test_a_server_throttle_locks_the_operation_until_it_opens(kind: str, clock: FakeClock) -> None:
    make, lock_seconds = THROTTLES[kind]
    script = Script({"create_channel": [make()]})
    with sync_client(script, clock) as client:
        start = clock.now()
        with pytest.raises(ThrottledError) as caught:
            client.post("/channels", json=NEW_CHANNEL)
        error = caught.value
        assert error.operation_id == "create_channel"
        assert error.retry_after == pytest.approx(lock_seconds)
        assert error.retry_at == pytest.approx(start + lock_seconds)
        assert error.response is not None
        assert error.status_code == error.response.status_code
        assert error.message
        # locked: refused without being sent, saying when it opens
        with pytest.raises(OperationLockedError) as locked:
            client.post("/channels", json=NEW_CHANNEL)
        assert locked.value.retry_at == pytest.approx(start + lock_seconds)
        assert script.calls["create_channel"] == 1
        # other operations are unaffected
        assert client.get("/channels/T1").status_code == 200
        clock.advance(lock_seconds - 1)
        with pytest.raises(OperationLockedError):
            client.post("/channels", json=NEW_CHANNEL)
        assert script.calls["create_channel"] == 1
        clock.advance(1)
        assert client.post("/channels", json=NEW_CHANNEL).status_code == 200
    assert script.calls["create_channel"] == 2


@pytest.mark.anyio
async def test_async_throttle_locks_the_operation(clock: FakeClock) -> None:
    script = Script({"get_channel": [error_response(429, message="Too many.", **{"Retry-After": "12"})]})
    throttles: list[ThrottleEvent] = []
    async with async_client(script, clock, hooks=ClientHooks(on_throttle=throttles.append)) as client:
        with pytest.raises(ThrottledError):
            await client.get("/channels/T1")
        with pytest.raises(OperationLockedError):
            await client.get("/channels/T2")
        assert (await client.get("/channels")).status_code == 200  # list_channels: another operation
        clock.advance(12)
        assert (await client.get("/channels/T3")).status_code == 200
    assert script.calls["get_channel"] == 2
    assert [(t.operation_id, t.status_code, t.retry_after) for t in throttles] == [("get_channel", 429, 12.0)]


def test_throttles_are_never_retried(clock: FakeClock) -> None:
    script = Script({"get_channel": [error_response(429, message="x")] * 3})
    policy = RetryPolicy(retry_statuses=frozenset({429, 500}))
    with sync_client(script, clock, retry=policy) as client, pytest.raises(ThrottledError):
        client.get("/channels/T1")
    assert script.calls["get_channel"] == 1


def test_a_plain_400_is_not_a_throttle(clock: FakeClock) -> None:
    script = Script({"get_channel": [error_response(400, "input_error", "bad id")]})
    with sync_client(script, clock) as client:
        with pytest.raises(BadRequestError):
            client.get("/channels/T1")
        assert client.get("/channels/T1").status_code == 200  # not locked


def test_without_raise_on_error_a_throttle_is_returned_but_still_locks(clock: FakeClock) -> None:
    script = Script({"get_channel": [error_response(429, message="Too many.")]})
    with sync_client(script, clock, raise_on_error=False) as client:
        response = client.get("/channels/T1")
        assert response.status_code == 429
        with pytest.raises(OperationLockedError):
            client.get("/channels/T1")
    assert script.calls["get_channel"] == 1


# --------------------------------------------------------------------------- retries

TRANSIENT: dict[str, Callable[[], Outcome]] = {
    "ConnectError": lambda: httpx.ConnectError("refused"),
    "ConnectTimeout": lambda: httpx.ConnectTimeout("slow connect"),
    "PoolTimeout": lambda: httpx.PoolTimeout("no free connection"),
    "ReadTimeout": lambda: httpx.ReadTimeout("slow answer"),
    "ReadError": lambda: httpx.ReadError("reset"),
    "RemoteProtocolError": lambda: httpx.RemoteProtocolError("server disconnected"),
    "500": lambda: error_response(500, message="Cliq server encountered an error"),
    "502": lambda: httpx.Response(502, text="bad gateway"),
    "503": lambda: httpx.Response(503, text="unavailable"),
    "504": lambda: httpx.Response(504, text="gateway timeout"),
}


@pytest.mark.parametrize("fault", TRANSIENT)
def test_each_transient_fault_is_retried_on_a_get(fault: str, clock: FakeClock) -> None:
    script = Script({"get_channel": [TRANSIENT[fault](), TRANSIENT[fault]()]})
    retries: list[RetryEvent] = []
    with sync_client(script, clock, hooks=ClientHooks(on_retry=retries.append)) as client:
        start = clock.now()
        assert client.get("/channels/T1").status_code == 200
    assert script.calls["get_channel"] == 3
    assert [r.attempt for r in retries] == [1, 2]
    assert clock.now() - start <= 0.5 + 1.0  # two full-jitter backoffs: at most base and 2 x base


@pytest.mark.anyio
@pytest.mark.parametrize("fault", ["ConnectError", "ReadTimeout", "503"])
async def test_async_transient_faults_are_retried(fault: str, clock: FakeClock) -> None:
    script = Script({"get_channel": [TRANSIENT[fault]()]})
    async with async_client(script, clock) as client:
        assert (await client.get("/channels/T1")).status_code == 200
    assert script.calls["get_channel"] == 2


@pytest.mark.parametrize("fault", ["ConnectError", "ReadTimeout", "RemoteProtocolError"])
def test_attempts_are_bounded_and_the_failure_is_chained(fault: str, clock: FakeClock) -> None:
    script = Script({"get_channel": [TRANSIENT[fault]() for _ in range(10)]})
    client = sync_client(script, clock, retry=RetryPolicy(max_attempts=3))
    with client, pytest.raises(CliqTransportError) as caught:
        client.get("/channels/T1")
    assert script.calls["get_channel"] == 3
    error = caught.value
    assert error.attempts == 3
    assert error.operation_id == "get_channel"
    assert type(error.__cause__).__name__ == fault
    assert error.may_have_been_sent is (fault != "ConnectError")
    assert f"{fault} after 3 attempts" in str(error)


@pytest.mark.parametrize(("status", "error_class"), [(500, InternalServerError), (503, ServerError)])
def test_a_persistent_5xx_raises_a_server_error_after_the_retries(
    status: int, error_class: type[ServerError], clock: FakeClock
) -> None:
    script = Script({"get_channel": [error_response(status, message="down") for _ in range(10)]})
    with sync_client(script, clock) as client, pytest.raises(error_class) as caught:
        client.get("/channels/T1")
    assert script.calls["get_channel"] == 4  # RetryPolicy().max_attempts
    assert caught.value.status_code == status
    assert caught.value.operation_id == "get_channel"


def test_total_retry_time_is_bounded(clock: FakeClock) -> None:
    script = Script({"get_channel": [httpx.ConnectError("down") for _ in range(1000)]})
    policy = RetryPolicy(max_attempts=1000, base_delay=1.0, max_delay=8.0, total_timeout=30.0)
    with sync_client(script, clock, retry=policy) as client:
        start = clock.now()
        with pytest.raises(CliqTransportError) as caught:
            client.get("/channels/T1")
    assert clock.now() - start <= 30.0
    assert 3 < caught.value.attempts < 1000


def test_retry_after_of_a_503_is_honoured(clock: FakeClock) -> None:
    script = Script({"get_channel": [httpx.Response(503, headers={"Retry-After": "7"})]})
    with sync_client(script, clock) as client:
        start = clock.now()
        assert client.get("/channels/T1").status_code == 200
    assert clock.now() - start == pytest.approx(7.0)


@pytest.mark.parametrize("fault", ["ReadTimeout", "ReadError", "RemoteProtocolError", "500", "502", "503"])
def test_a_post_that_may_have_reached_the_server_is_never_replayed(fault: str, clock: FakeClock) -> None:
    script = Script({"create_channel": [TRANSIENT[fault](), TRANSIENT[fault]()]})
    with sync_client(script, clock) as client, pytest.raises((CliqTransportError, ServerError)) as caught:
        client.post("/channels", json=NEW_CHANNEL)
    assert script.arrivals["create_channel"] == 1  # no duplicate channel
    assert script.calls["create_channel"] == 1
    if isinstance(caught.value, CliqTransportError):
        assert caught.value.may_have_been_sent is True
        assert caught.value.attempts == 1
        assert "not replayed" in str(caught.value)


@pytest.mark.parametrize("fault", ["ConnectError", "ConnectTimeout", "PoolTimeout"])
def test_a_post_that_never_left_is_retried(fault: str, clock: FakeClock) -> None:
    script = Script({"create_channel": [TRANSIENT[fault](), httpx.Response(200, json=channel_json("T9"))]})
    with sync_client(script, clock) as client:
        response = client.post("/channels", json=NEW_CHANNEL)
    assert response.json() == channel_json("T9")
    assert script.calls["create_channel"] == 2
    assert script.arrivals["create_channel"] == 1  # created exactly once


@pytest.mark.anyio
async def test_async_post_is_not_replayed_after_a_read_timeout(clock: FakeClock) -> None:
    script = Script({"create_channel": [httpx.ReadTimeout("slow")]})
    async with async_client(script, clock) as client:
        with pytest.raises(CliqTransportError) as caught:
            await client.post("/channels", json=NEW_CHANNEL)
    assert caught.value.may_have_been_sent
    assert script.arrivals["create_channel"] == 1


def test_retries_can_be_turned_off(clock: FakeClock) -> None:
    script = Script({"get_channel": [httpx.ConnectError("down"), httpx.Response(503)]})
    with sync_client(script, clock, retry=RetryPolicy.disabled()) as client:
        with pytest.raises(CliqTransportError) as caught:
            client.get("/channels/T1")
        assert caught.value.attempts == 1
        with pytest.raises(ServerError):
            client.get("/channels/T1")
    assert script.calls["get_channel"] == 2


def test_each_attempt_takes_and_releases_its_own_slot(clock: FakeClock) -> None:
    limiter = SpyLimiter(clock)
    script = Script({"get_channel": [httpx.Response(500), httpx.ReadTimeout("slow")]})
    with sync_client(script, clock, rate_limiter=limiter) as client:
        assert client.get("/channels/T1").status_code == 200
    assert (limiter.acquired, limiter.released) == (3, 3)


class NonPacingSpy(SpyLimiter):
    """A limiter that declares it never paces: the transport must not ask it for slots."""

    paces = False

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.locks: list[tuple[str, float]] = []

    def lock(self, key: str, until: float) -> None:
        self.locks.append((key, until))

    async def alock(self, key: str, until: float) -> None:
        self.locks.append((key, until))


def test_a_limiter_that_never_paces_is_not_asked_for_slots_but_still_told_of_throttles(clock: FakeClock) -> None:
    limiter = NonPacingSpy(clock)
    script = Script({"get_channel": [httpx.Response(500), httpx.ReadTimeout("slow")]})
    with sync_client(script, clock, rate_limiter=limiter) as client:
        assert client.get("/channels/T1").status_code == 200  # retried twice, as with any limiter
        assert script.calls["get_channel"] == 3
        throttled = Script({"get_channel": [error_response(429, **{"Retry-After": "30"})]})
        with sync_client(throttled, clock, rate_limiter=limiter) as other, pytest.raises(ThrottledError):
            other.get("/channels/T1")
    assert (limiter.acquired, limiter.released) == (0, 0)
    assert [until for _, until in limiter.locks] == [clock.now() + 30]


@pytest.mark.anyio
async def test_async_a_limiter_that_never_paces_is_not_asked_for_slots(clock: FakeClock) -> None:
    limiter = NonPacingSpy(clock)
    script = Script({"get_channel": [httpx.ReadTimeout("slow")]})
    async with async_client(script, clock, rate_limiter=limiter) as client:
        assert (await client.get("/channels/T1")).status_code == 200
    assert (limiter.acquired, limiter.released, script.calls["get_channel"]) == (0, 0, 2)


def test_rate_limit_overrides_pace_exactly_when_their_inner_limiter_does(clock: FakeClock) -> None:
    rules = {"get_channel": RateLimitRule(threshold=5, window=60, lock=600)}
    quiet, pacing = NonPacingSpy(clock), SpyLimiter(clock)
    for inner in (quiet, pacing):
        with sync_client(Script({}), clock, rate_limiter=OverridingRateLimiter(inner, rules)) as client:
            client.get("/channels/T1")
    assert (quiet.acquired, quiet.released) == (0, 0)
    assert (pacing.acquired, pacing.released) == (1, 1)


def test_a_limiter_without_the_paces_attribute_is_asked_for_every_slot(clock: FakeClock) -> None:
    limiter = SpyLimiter(clock)
    assert not hasattr(limiter, "paces")
    with sync_client(Script({}), clock, rate_limiter=limiter) as client:
        client.get("/channels/T1")
    assert (limiter.acquired, limiter.released) == (1, 1)


@pytest.mark.anyio
async def test_a_cancelled_call_releases_its_slot(clock: FakeClock) -> None:
    limiter = SpyLimiter(clock)

    async def hang(request: httpx.Request) -> httpx.Response:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async with async_client(hang, clock, rate_limiter=limiter) as client:
        with anyio.move_on_after(0.01):
            await client.get("/channels/T1")
    assert (limiter.acquired, limiter.released) == (1, 1)


# --------------------------------------------------------------------------- typed errors

ERRORS: list[tuple[int, type[CliqAPIError]]] = [
    (400, BadRequestError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (405, MethodNotAllowedError),
    (406, NotAcceptableError),
    (500, InternalServerError),
    (502, ServerError),
    (418, CliqAPIError),
]


@pytest.mark.parametrize(("status", "error_class"), ERRORS)
def test_each_error_status_raises_its_exception(status: int, error_class: type[CliqAPIError], clock: FakeClock) -> None:
    script = Script({"create_channel": [error_response(status, f"code_{status}", f"message {status}")]})
    with sync_client(script, clock) as client, pytest.raises(error_class) as caught:
        client.post("/channels", json=NEW_CHANNEL)
    error = caught.value
    assert type(error) is error_class
    assert error.status_code == status
    assert error.code == f"code_{status}"
    assert error.message == f"message {status}"
    assert error.operation_id == "create_channel"
    assert error.response is not None
    assert error.response.json() == {"code": f"code_{status}", "message": f"message {status}"}
    assert str(error) == f"HTTP {status} create_channel code=code_{status}: message {status}" + (
        " (this operation needs the OAuth scope ZohoCliq.Channels.CREATE)" if status == 403 else ""
    )


def test_403_names_the_required_scope(clock: FakeClock) -> None:
    script = Script({"get_channel": [error_response(403, message="no permission")]})
    with sync_client(script, clock) as client, pytest.raises(PermissionDeniedError) as caught:
        client.get("/channels/T1")
    assert caught.value.required_scopes == ("ZohoCliq.Channels.READ",)
    assert "ZohoCliq.Channels.READ" in str(caught.value)


def test_an_error_without_a_message_gets_the_documented_one(clock: FakeClock) -> None:
    script = Script({"get_channel": [httpx.Response(404)]})
    with sync_client(script, clock) as client, pytest.raises(NotFoundError) as caught:
        client.get("/channels/T1")
    assert caught.value.message == ERROR_MESSAGES[404]


@pytest.mark.anyio
async def test_async_errors_are_typed_too(clock: FakeClock) -> None:
    script = Script({"get_channel": [error_response(404, "channel_not_exist", "gone")]})
    async with async_client(script, clock) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.get("/channels/T1")
    assert caught.value.code == "channel_not_exist"


def test_a_401_is_returned_for_the_auth_flow_with_its_body_read(clock: FakeClock) -> None:
    body = {"code": "oauthtoken_invalid", "message": "Request was rejected because of invalid AuthToken."}
    script = Script({"get_channel": [httpx.Response(401, json=body)]})
    with sync_client(script, clock) as client, client.stream("GET", "/channels/T1") as response:
        assert response.status_code == 401
        assert response.json() == body  # a streamed response not read by the transport would raise ResponseNotRead


def test_a_401_through_a_static_token_raises_authentication_error(clock: FakeClock) -> None:
    body = {"code": "oauthtoken_invalid", "message": "Request was rejected because of invalid AuthToken."}
    script = Script({"get_channel": [httpx.Response(401, json=body)]})
    transport = CliqTransport(transport=httpx.MockTransport(script), clock=clock)
    client = httpx.Client(base_url=BASE_URL, transport=transport, auth=StaticTokenAuth("1000.aaaa.bbbb"))
    with client, pytest.raises(AuthenticationError) as caught:
        client.get("/channels/T1")
    assert caught.value.code == "oauthtoken_invalid"
    assert script.requests[0].headers["Authorization"] == "Zoho-oauthtoken 1000.aaaa.bbbb"


def test_raw_responses_reach_the_detailed_functions_without_raise_on_error(clock: FakeClock) -> None:
    script = Script(
        {
            "get_channel": [error_response(404, "channel_not_exist", "gone")],
            "create_channel": [error_response(500, message="boom")],
        }
    )
    transport = CliqTransport(transport=httpx.MockTransport(script), clock=clock, raise_on_error=False)
    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        missing = get_channel.sync_detailed("T1", client=client)
        failed = create_channel.sync_detailed(
            client=client,
            body=CreateChannelRequest(name="x", level=ChannelLevel.TEAM),
        )
    assert missing.status_code == 404
    assert isinstance(missing.parsed, Error)
    assert missing.parsed.code == "channel_not_exist"
    assert failed.status_code == 500
    assert isinstance(failed.parsed, Error)
    assert failed.parsed.message == "boom"
    assert script.calls["create_channel"] == 1  # a POST's 500 is still not replayed


# --------------------------------------------------------------------------- requests outside the API


def test_the_token_endpoint_is_only_retried(clock: FakeClock) -> None:
    limiter = SpyLimiter(clock)
    token = httpx.Response(200, json={"access_token": "x", "expires_in": 3600})
    script = Script({"(none)": [httpx.ConnectError("down"), token, httpx.Response(503)]})
    with sync_client(script, clock, rate_limiter=limiter) as client:
        form = {"grant_type": "refresh_token", "refresh_token": "anything"}
        assert client.post("https://accounts.zoho.com/oauth/v2/token", data=form).status_code == 200
        # not an API operation: a 5xx is returned to the auth flow, and a POST's 5xx is not replayed
        assert client.post("https://accounts.zoho.com/oauth/v2/token", data=form).status_code == 503
        script.outcomes["(none)"] = [httpx.ReadTimeout("slow")]
        with pytest.raises(CliqTransportError) as caught:
            client.post("https://accounts.zoho.com/oauth/v2/token", data=form)
    assert caught.value.operation_id is None
    assert script.calls["(none)"] == 4
    assert (limiter.acquired, limiter.released) == (0, 0)  # never paced


# --------------------------------------------------------------------------- hooks and logs


def test_hooks_see_every_attempt(clock: FakeClock) -> None:
    seen: dict[str, list[Any]] = defaultdict(list)
    hooks = ClientHooks(
        on_request=seen["request"].append,
        on_response=seen["response"].append,
        on_error=seen["error"].append,
        on_retry=seen["retry"].append,
    )
    script = Script({"get_channel": [httpx.ConnectError("down"), httpx.Response(503)]})
    with sync_client(script, clock, hooks=hooks) as client:
        client.get("/channels/T1")
    assert seen["request"] == [RequestEvent("get_channel", "GET", n) for n in (1, 2, 3)]
    assert [(e.attempt, e.status_code) for e in seen["response"]] == [(2, 503), (3, 200)]
    assert all(isinstance(e, ResponseEvent) and e.duration >= 0 for e in seen["response"])
    assert [(e.attempt, e.error) for e in seen["error"]] == [(1, "ConnectError")]
    assert isinstance(seen["error"][0], ErrorEvent)
    assert [(e.attempt, e.reason) for e in seen["retry"]] == [(1, "ConnectError"), (2, "HTTP 503")]


def test_a_failing_hook_never_breaks_a_request(clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("metrics backend down")

    hooks = ClientHooks(on_request=broken, on_response=broken)
    with sync_client(Script(), clock, hooks=hooks) as client, caplog.at_level(logging.ERROR):
        assert client.get("/channels/T1").status_code == 200
    failures = [r for r in caplog.records if "hook" in r.getMessage()]
    assert len(failures) == 2
    assert all(r.name == "cliq_channels_client.transport" and r.exc_info for r in failures)


def test_log_records_carry_operation_and_attempt_and_no_secret(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "1000.0123456789abcdef.fedcba9876543210"
    script = Script(
        {
            "get_channel": [httpx.ReadTimeout("slow"), httpx.Response(200, json=channel_json("T1"))],
            "create_channel": [error_response(429, message="Too many.")],
        }
    )
    transport = CliqTransport(transport=httpx.MockTransport(script), clock=clock)
    with (
        httpx.Client(base_url=BASE_URL, transport=transport, auth=StaticTokenAuth(secret)) as client,
        caplog.at_level(logging.DEBUG, logger="cliq_channels_client"),
    ):
        client.get("/channels/T1", params={"secret_param": secret})
        with pytest.raises(ThrottledError) as throttled:
            client.post("/channels", json={**NEW_CHANNEL, "description": secret})
        with pytest.raises(OperationLockedError) as locked:
            client.post("/channels", json=NEW_CHANNEL)
    records = [r for r in caplog.records if r.name.startswith("cliq_channels_client.")]
    names = {r.name for r in records}
    assert {"cliq_channels_client.transport", "cliq_channels_client.retry", "cliq_channels_client.ratelimit"} <= names
    for record in records:
        assert hasattr(record, "operation_id")
        assert hasattr(record, "attempt")
        assert secret not in record.getMessage()
    assert {(r.operation_id, r.attempt) for r in records if r.name.endswith("retry")} == {("get_channel", 1)}  # type: ignore[attr-defined]
    for error in (throttled.value, locked.value):
        assert secret not in str(error)
        assert secret not in repr(error)


# --------------------------------------------------------------------------- inner transports


class Closable(httpx.BaseTransport, httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.closed = 0
        self.aclosed = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=channel_json("T1"))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=channel_json("T1"))

    def close(self) -> None:
        self.closed += 1

    async def aclose(self) -> None:
        self.aclosed += 1


def test_closing_the_client_closes_the_inner_sync_transport(clock: FakeClock) -> None:
    inner = Closable()
    with httpx.Client(base_url=BASE_URL, transport=CliqTransport(transport=inner, clock=clock)) as client:
        client.get("/channels/T1")
    assert (inner.closed, inner.aclosed) == (1, 0)


@pytest.mark.anyio
async def test_closing_the_async_client_closes_the_inner_async_transport(clock: FakeClock) -> None:
    inner = Closable()
    transport = CliqTransport(transport=inner, async_transport=inner, clock=clock)
    async with httpx.AsyncClient(base_url=BASE_URL, transport=transport) as client:
        await client.get("/channels/T1")
    assert (inner.closed, inner.aclosed) == (0, 1)


@pytest.fixture
def recorded_transports(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    made: list[tuple[str, dict[str, Any]]] = []

    def fake(kind: str) -> Callable[..., Closable]:
        def build(**options: Any) -> Closable:
            made.append((kind, options))
            return Closable()

        return build

    monkeypatch.setattr(httpx, "HTTPTransport", fake("sync"))
    monkeypatch.setattr(httpx, "AsyncHTTPTransport", fake("async"))
    return made


def test_inner_transports_are_created_lazily_with_the_options(
    recorded_transports: list[tuple[str, dict[str, Any]]], clock: FakeClock
) -> None:
    limits = httpx.Limits(max_connections=3)
    transport = CliqTransport(clock=clock, limits=limits, http2=True, proxy="http://proxy:3128")
    assert recorded_transports == []
    with httpx.Client(base_url=BASE_URL, transport=transport) as client:
        client.get("/channels/T1")
        client.get("/channels/T2")
    assert recorded_transports == [("sync", {"limits": limits, "http2": True, "proxy": "http://proxy:3128"})]


@pytest.mark.anyio
async def test_the_async_inner_transport_is_created_on_first_async_use(
    recorded_transports: list[tuple[str, dict[str, Any]]], clock: FakeClock
) -> None:
    transport = CliqTransport(clock=clock, verify=False)
    async with httpx.AsyncClient(base_url=BASE_URL, transport=transport) as client:
        await client.get("/channels/T1")
    assert recorded_transports == [("async", {"verify": False})]


def test_max_wait_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="max_wait"):
        CliqTransport(max_wait=-1)


# --------------------------------------------------------------------------- the auth flow's re-stamp hook


class Restamper:
    """A re-stamp hook that puts token ``t<n>`` on the n-th call and records the limiter's count then."""

    def __init__(self, limiter: SpyLimiter) -> None:
        self.limiter = limiter
        self.acquired_at_call: list[int] = []

    def __call__(self, request: httpx.Request) -> None:
        self.acquired_at_call.append(self.limiter.acquired)
        request.headers["Authorization"] = f"Zoho-oauthtoken t{len(self.acquired_at_call)}"


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.anyio
async def test_the_restamp_hook_runs_after_each_slot_and_before_each_attempt(mode: str, clock: FakeClock) -> None:
    limiter = SpyLimiter(clock)
    script = Script({"get_channel": [error_response(503), httpx.ConnectError("refused")]})
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers["Authorization"])
        return script(request)

    restamp = Restamper(limiter)
    extensions = {RESTAMP_EXTENSION: restamp}
    headers = {"Authorization": "Zoho-oauthtoken t0"}
    if mode == "sync":
        with sync_client(handler, clock, rate_limiter=limiter) as client:
            response = client.get("/channels/T1", headers=headers, extensions=extensions)
    else:
        async with async_client(handler, clock, rate_limiter=limiter) as aclient:
            response = await aclient.get("/channels/T1", headers=headers, extensions=extensions)
    assert response.status_code == 200
    assert sent == ["Zoho-oauthtoken t1", "Zoho-oauthtoken t2", "Zoho-oauthtoken t3"]  # retries re-stamped too
    assert restamp.acquired_at_call == [1, 2, 3]  # each time right after its slot was taken


def test_without_a_restamp_hook_the_header_is_sent_as_stamped(clock: FakeClock) -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers["Authorization"])
        return httpx.Response(200, json=channel_json("T1"))

    with sync_client(handler, clock) as client:
        client.get("/channels/T1", headers={"Authorization": "Zoho-oauthtoken t0"})
    assert sent == ["Zoho-oauthtoken t0"]
