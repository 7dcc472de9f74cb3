"""What the tests of the client on the emulator share (``tests/custom/test_client_on_emulator*.py``).

A :class:`Target` is one emulator reached one way: ``"in-process"`` (its
transports, no socket) or ``"loopback"`` (its uvicorn server on 127.0.0.1,
through httpx's real network transports).  The client and the emulator share
one :class:`FakeClock`, so rate-limit windows, locks and token lifetimes pass
instantly.  Every test module gets one emulator per mode (fixture
``target``), reset between tests (faults, limits, recorded requests);
channels accumulate, so tests compare channel counts before and after.
"""

from __future__ import annotations

import contextlib
import socket
import time
import traceback
from collections.abc import Iterator
from typing import Any, TypeVar

import anyio
import httpx
import pytest

from cliq_channels_client import Client, FakeClock, create_client
from cliq_channels_client.custom.clock import Clock
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.custom.testing import TOKEN_ENDPOINT, CliqEmulator
from tests.secret_audit import find_secrets, register_secret

MODES = ("in-process", "loopback")
E = TypeVar("E", bound=BaseException)


class Target:
    """An emulator, how to reach it, and the clock shared with the clients made here."""

    def __init__(
        self,
        emu: CliqEmulator,
        clock: FakeClock,
        mode: str,
        base_url: str,
        accounts_url: str,
    ) -> None:
        self.emu = emu
        self.clock = clock
        self.mode = mode
        self.base_url = base_url
        self.accounts_url = accounts_url

    def __repr__(self) -> str:
        return f"Target({self.mode})"

    def transports(self) -> dict[str, Any]:
        """``transport``/``async_transport`` for create_client: the emulator's, or httpx's real ones (loopback)."""
        if self.mode == "in-process":
            return {"transport": self.emu.transport(), "async_transport": self.emu.async_transport()}
        return {}

    def client(self, **options: Any) -> Client:
        """``create_client`` with the emulator's OAuth credentials, on the shared clock."""
        credentials = self.emu.credentials
        settings: dict[str, Any] = {
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "refresh_token": credentials.refresh_token,
            "base_url": self.base_url,
            "accounts_url": self.accounts_url,
            "clock": self.clock,
            **self.transports(),
        }
        settings.update(options)
        return create_client(**settings)

    def raw_http(self) -> httpx.Client:
        """A plain httpx client of the same emulator (another process sharing the refresh token)."""
        if self.mode == "in-process":
            return httpx.Client(transport=self.emu.transport())
        return httpx.Client(timeout=10)

    def token_requests(self) -> int:
        """Requests the emulator's token endpoint received."""
        return self.emu.count(operation_id=TOKEN_ENDPOINT)

    def sent(self, operation_id: str) -> int:
        """Requests of ``operation_id`` that reached the emulator (answered or not)."""
        return self.emu.count(operation_id=operation_id)

    def throttled(self, operation_id: str) -> int:
        """Throttle answers of ``operation_id`` (the emulator answers 429 by default)."""
        return self.emu.count(operation_id=operation_id, status=429) + self.emu.count(
            operation_id=operation_id, status=400
        )

    def arrivals(self, operation_id: str) -> list[float]:
        """Clock times at which requests of ``operation_id`` arrived, oldest first."""
        return [r.time for r in self.emu.requests if r.operation_id == operation_id]

    def channels(self) -> int:
        """Live channels at the emulator."""
        return self.emu.channel_count()

    def reset(self) -> None:
        self.emu.clear_faults()
        self.emu.reset_limits()
        self.emu.reset_requests()


@contextlib.contextmanager
def open_target(
    mode: str, clock: FakeClock | None = None, emulator_clock: Clock | None = None, **emulator_options: Any
) -> Iterator[Target]:
    """A new emulator reached in ``mode``; its secrets are registered with the suite's log audit."""
    clock = clock if clock is not None else FakeClock()
    with CliqEmulator(clock=emulator_clock or clock, **emulator_options) as emu:
        register_secret(emu.credentials.client_secret, emu.credentials.refresh_token)
        if mode == "in-process":
            yield Target(emu, clock, mode, emu.api_base_url, emu.accounts_url)
        else:
            with emu.serve() as url:
                yield Target(emu, clock, mode, str(url), url.accounts_url)


def make_target_fixture() -> Any:
    """The ``target`` fixture of a test module: one emulator per mode for the module, reset per test."""

    @pytest.fixture(scope="module", params=MODES)
    def shared_target(request: pytest.FixtureRequest) -> Iterator[Target]:
        with open_target(str(request.param)) as target:
            yield target

    @pytest.fixture
    def target(shared_target: Target) -> Target:
        shared_target.reset()
        return shared_target

    return shared_target, target


# --------------------------------------------------------------------------- secrets in exceptions


def texts_of(error: BaseException) -> list[str]:
    """Everything an exception shows: str and repr of it and of its causes, and the formatted traceback."""
    texts = ["".join(traceback.format_exception(error))]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current)]
        current = current.__cause__ or current.__context__
    return texts


def assert_no_secret(*objects: object) -> None:
    """No registered secret and nothing shaped like a Zoho token in any exception's (or object's) texts."""
    for obj in objects:
        texts = texts_of(obj) if isinstance(obj, BaseException) else [str(obj), repr(obj)]
        for text in texts:
            assert not find_secrets(text), f"a secret shows in {type(obj).__name__}"


@contextlib.contextmanager
def raises(kind: type[E] | tuple[type[E], ...], match: str | None = None) -> Iterator[pytest.ExceptionInfo[E]]:
    """``pytest.raises`` that also checks the exception shows no secret."""
    with pytest.raises(kind, match=match) as info:
        yield info
    assert_no_secret(info.value)


# --------------------------------------------------------------------------- helpers


def rate_ratio(arrivals: list[float], operation_id: str) -> float:
    """Achieved rate over the allowed one, from arrival times (1.0 is the best the limit allows).

    Zoho admits ``threshold`` calls in any rolling ``window``, so ``n`` calls
    need at least ``(n - threshold) / threshold`` windows from first to last
    arrival; the ratio compares that ideal span with the observed one.
    """
    rule = OPERATIONS_BY_ID[operation_id].rate_limit
    ideal = (len(arrivals) - rule.threshold) / rule.threshold * rule.window
    return ideal / (arrivals[-1] - arrivals[0])


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RealDelays:
    """The shared FakeClock's time, but sleeps also take real time: for the emulator's ``Delay`` fault."""

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
        self._clock.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)
        await self._clock.asleep(seconds)
