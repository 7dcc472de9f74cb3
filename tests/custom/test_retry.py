"""RetryPolicy.decide: what is retried, the replay rule, full-jitter backoff, bounds, Retry-After."""

from __future__ import annotations

import email.utils

import attrs
import httpx
import pytest

from cliq_channels_client.custom.retry import RetryPolicy, may_have_been_sent, parse_retry_after

REQUEST = httpx.Request("GET", "https://cliq.zoho.com/api/v2/channels")
NOW = 1_767_225_600.0


def top(_: object = None) -> float:
    """A "random" draw at the top of the range: the delay equals the cap."""
    return 1.0


def response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=REQUEST)


NOT_SENT = [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")]
MAYBE_SENT = [
    httpx.ReadTimeout("slow"),
    httpx.WriteTimeout("slow"),
    httpx.ReadError("reset"),
    httpx.WriteError("reset"),
    httpx.RemoteProtocolError("eof"),
    httpx.CloseError("close"),
]


@pytest.mark.parametrize("exc", NOT_SENT, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "POST"])
def test_failures_before_sending_are_retried_for_every_method(method: str, exc: Exception) -> None:
    assert not may_have_been_sent(exc)
    assert RetryPolicy().decide(method=method, outcome=exc, attempt=1, elapsed=0, rand=top) == 0.5


@pytest.mark.parametrize("exc", MAYBE_SENT, ids=lambda e: type(e).__name__)
def test_failures_after_sending_are_retried_only_for_idempotent_methods(exc: Exception) -> None:
    policy = RetryPolicy()
    assert may_have_been_sent(exc)
    for method in ("GET", "PUT", "DELETE", "HEAD"):
        assert policy.decide(method=method, outcome=exc, attempt=1, elapsed=0, rand=top) == 0.5
    assert policy.decide(method="POST", outcome=exc, attempt=1, elapsed=0, rand=top) is None
    assert policy.decide(method="PATCH", outcome=exc, attempt=1, elapsed=0, rand=top) is None
    # an explicit idempotent flag wins over the method (an operation may know better)
    assert policy.decide(method="POST", idempotent=True, outcome=exc, attempt=1, elapsed=0, rand=top) == 0.5
    assert policy.decide(method="GET", idempotent=False, outcome=exc, attempt=1, elapsed=0, rand=top) is None


@pytest.mark.parametrize("exc", [httpx.LocalProtocolError("bad"), httpx.UnsupportedProtocol("ftp"), ValueError("x")])
def test_non_transient_failures_are_not_retried(exc: Exception) -> None:
    assert RetryPolicy().decide(method="GET", outcome=exc, attempt=1, elapsed=0, rand=top) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_transient_statuses_are_retried_for_idempotent_methods_only(status: int) -> None:
    policy = RetryPolicy()
    assert policy.decide(method="GET", outcome=response(status), attempt=1, elapsed=0, rand=top) == 0.5
    assert policy.decide(method="DELETE", outcome=response(status), attempt=1, elapsed=0, rand=top) == 0.5
    # the server answered a POST: it may have applied it
    assert policy.decide(method="POST", outcome=response(status), attempt=1, elapsed=0, rand=top) is None


@pytest.mark.parametrize("status", [200, 204, 400, 401, 403, 404, 405, 406, 429, 501])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert RetryPolicy().decide(method="GET", outcome=response(status), attempt=1, elapsed=0, rand=top) is None


def test_full_jitter_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=0.5, max_delay=3.0, total_timeout=1000)
    exc = httpx.ConnectError("x")
    caps = [policy.decide(method="GET", outcome=exc, attempt=n, elapsed=0, rand=top) for n in range(1, 6)]
    assert caps == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy.decide(method="GET", outcome=exc, attempt=3, elapsed=0, rand=lambda: 0.0) == 0.0
    assert policy.decide(method="GET", outcome=exc, attempt=3, elapsed=0, rand=lambda: 0.25) == 0.5
    # the default source of randomness stays within [0, cap]
    draws = {policy.backoff(4) for _ in range(200)}
    assert all(0.0 <= d <= 3.0 for d in draws)
    assert len(draws) > 100  # jittered, not constant


def test_attempts_are_bounded() -> None:
    policy = RetryPolicy(max_attempts=3)
    exc = httpx.ConnectError("x")
    assert policy.decide(method="GET", outcome=exc, attempt=2, elapsed=0, rand=top) is not None
    assert policy.decide(method="GET", outcome=exc, attempt=3, elapsed=0, rand=top) is None


def test_total_time_is_bounded() -> None:
    policy = RetryPolicy(max_attempts=100, base_delay=1.0, max_delay=10.0, total_timeout=20.0)
    exc = httpx.ConnectError("x")
    assert policy.decide(method="GET", outcome=exc, attempt=3, elapsed=16.0, rand=top) == 4.0  # 16 + 4 <= 20
    assert policy.decide(method="GET", outcome=exc, attempt=3, elapsed=16.5, rand=top) is None  # 16.5 + 4 > 20
    assert policy.decide(method="GET", outcome=exc, attempt=2, elapsed=17.0, rand=top) == 2.0  # 17 + 2 <= 20


def test_retry_after_seconds_and_http_date_are_honoured() -> None:
    policy = RetryPolicy(max_delay=30)
    delayed = response(503, {"Retry-After": "7"})
    assert policy.decide(method="GET", outcome=delayed, attempt=1, elapsed=0, now=NOW, rand=top) == 7.0
    date = email.utils.formatdate(NOW + 12, usegmt=True)
    dated = response(503, {"Retry-After": date})
    assert policy.decide(method="GET", outcome=dated, attempt=1, elapsed=0, now=NOW, rand=top) == pytest.approx(12)
    # longer than this policy is willing to wait: give up rather than retry early
    assert policy.decide(method="GET", outcome=response(503, {"Retry-After": "31"}), attempt=1, elapsed=0) is None
    # past the total time budget
    assert policy.decide(method="GET", outcome=delayed, attempt=1, elapsed=115.0, now=NOW) is None
    # ignored when asked to
    ignoring = RetryPolicy(respect_retry_after=False)
    assert ignoring.decide(method="GET", outcome=delayed, attempt=1, elapsed=0, now=NOW, rand=top) == 0.5


def test_parse_retry_after() -> None:
    assert parse_retry_after("120", NOW) == 120.0
    assert parse_retry_after(" 1.5 ", NOW) == 1.5
    assert parse_retry_after(email.utils.formatdate(NOW + 60, usegmt=True), NOW) == pytest.approx(60)
    # not positive, or not finite: absent, so the caller's own delay (backoff, the rule's lock) applies
    past = email.utils.formatdate(NOW - 60, usegmt=True)
    for bad in (None, "", "soon", "nan", "Mon, 99 Foo 2026", "-3", "0", past, "inf", "-inf", "1e400"):
        assert parse_retry_after(bad, NOW) is None


def test_disabled_never_retries() -> None:
    policy = RetryPolicy.disabled()
    assert policy.max_attempts == 1
    outcomes: list[BaseException | httpx.Response] = [*NOT_SENT, *MAYBE_SENT, response(503)]
    for outcome in outcomes:
        assert policy.decide(method="GET", outcome=outcome, attempt=1, elapsed=0) is None


def test_policy_is_a_validated_frozen_value() -> None:
    policy = RetryPolicy(retry_statuses=[503])  # any iterable is accepted
    assert policy.retry_statuses == frozenset({503})
    assert policy == RetryPolicy(retry_statuses=frozenset({503}))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.max_attempts = 9  # type: ignore[misc]
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="base_delay"):
        RetryPolicy(base_delay=-1)


def test_fake_clock_starts_at_the_real_time_unless_told() -> None:
    """An app filtering by datetime.now() finds the channels an emulator on a FakeClock() just created."""
    import time

    from cliq_channels_client import FakeClock

    before = time.time()
    clock = FakeClock()
    assert before <= clock.now() <= time.time()
    assert FakeClock(NOW).now() == NOW
    clock.sleep(60)
    assert clock.now() >= before + 60
