"""Faults to inject into the emulator, and the registry that hands them out.

A fault is a small frozen value; :meth:`FaultInjector.inject` scopes it to an
operation (or the token endpoint, :data:`TOKEN_ENDPOINT`, or any request),
optionally a user, and the next ``times`` matching requests (after letting
``skip`` of them through).  Several injected faults are consulted in the order
they were added; each request takes at most one.

``after_apply`` says whether the fault strikes before the request is applied
(the emulator's state is untouched: safe to retry anything) or after (the
change is made, then the answer is lost or broken: a client that replays a
POST creates a duplicate).

A fault is taken (counted in ``skip``, ``times`` and ``hits``) only by a
request that reaches the point of the pipeline where it strikes (see
:mod:`.app`), so a request that fails earlier never uses it up:

* before-apply faults (drops, delays, error statuses, HTML bodies with
  ``after_apply=False``): by every request routed to the operation, before
  its ``Accept`` header, token, scope, rate limit or parameters are looked at
  (they stand for what fails in front of the application: network, proxy,
  load balancer, an overloaded server);
* :class:`ExpireToken` and :class:`ThrottleNow` (before-apply, but they act
  on the caller's token and user): only by a request whose access token is
  valid (on the token endpoint, :class:`ThrottleNow` by every request);
* after-apply faults (:class:`TruncatedBody`, and the others with
  ``after_apply=True``): only by a request whose handler ran, i.e. that passed
  every check (``Accept``, token, scope, rate limit, parameters); it strikes
  the handler's answer, a success or the handler's own 400/403/404.  On the
  token endpoint, by every request that did not take a before-apply fault
  (the token exchange always runs).

A request that took a before-apply fault which lets it go on (a delay, an
expired token, a throttle) takes no after-apply fault.

Drops, in-process and on the loopback server:

========================  ====================================  =======================================
``DropConnection.error``  in-process transport raises            loopback server
========================  ====================================  =======================================
``"refuse"``              ``httpx.ConnectError``                 closes the socket, no response
``"disconnect"``          ``httpx.RemoteProtocolError``          closes the socket, no response
``"reset"``               ``httpx.ReadError``                    resets the socket (RST), no response
========================  ====================================  =======================================
"""

from __future__ import annotations

import threading
from typing import Literal

import attrs

from ..operations import OPERATIONS_BY_ID

__all__ = [
    "TOKEN_ENDPOINT",
    "Delay",
    "DropConnection",
    "ErrorStatus",
    "ExpireToken",
    "Fault",
    "FaultInjector",
    "InjectedFault",
    "NonJsonBody",
    "ThrottleNow",
    "TruncatedBody",
]

#: Pseudo operation id of ``POST /oauth/v2/token`` (for faults and request records).
TOKEN_ENDPOINT = "oauth_token"  # noqa: S105 - an operation id, not a secret


@attrs.frozen
class DropConnection:
    """Close the connection without an answer (see the module table for what the client sees)."""

    after_apply: bool = False
    error: Literal["refuse", "disconnect", "reset"] = attrs.field(
        default="disconnect", validator=attrs.validators.in_(("refuse", "disconnect", "reset"))
    )

    def __attrs_post_init__(self) -> None:
        if self.error == "refuse" and self.after_apply:
            raise ValueError("a refused connection never reaches the server: it cannot be applied")

    @property
    def name(self) -> str:
        return "drop_after_apply" if self.after_apply else "drop"


@attrs.frozen
class Delay:
    """Wait ``seconds`` on the emulator's clock (``asleep``), then answer normally."""

    seconds: float = attrs.field(validator=attrs.validators.ge(0))
    after_apply: bool = False

    @property
    def name(self) -> str:
        return "delay"


@attrs.frozen
class ErrorStatus:
    """Answer ``status`` (500/502/503...) with a JSON error body and an optional ``Retry-After``."""

    status: int = attrs.field(default=503, validator=[attrs.validators.ge(400), attrs.validators.le(599)])
    retry_after: float | None = None
    after_apply: bool = False

    @property
    def name(self) -> str:
        return f"error_{self.status}"


@attrs.frozen
class TruncatedBody:
    """Apply the request, then send only the first ``keep`` fraction of the response body.

    With ``close_connection`` (the default) the headers announce the full
    length and the connection closes mid-body (the client sees
    ``httpx.RemoteProtocolError``); without it the short body is sent as a
    complete response, so the client gets unparseable JSON.  A response with
    no body is dropped without an answer.
    """

    keep: float = attrs.field(default=0.5, validator=[attrs.validators.ge(0), attrs.validators.lt(1)])
    close_connection: bool = True

    @property
    def after_apply(self) -> bool:
        return True

    @property
    def name(self) -> str:
        return "truncated_body"


@attrs.frozen
class NonJsonBody:
    """Answer with an HTML page instead of JSON, as a proxy or load balancer would.

    ``status=None`` keeps the status of the real answer (only meaningful with
    ``after_apply``); before applying, the default status is 502.
    """

    status: int | None = None
    after_apply: bool = True
    content: str = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
    content_type: str = "text/html; charset=utf-8"

    @property
    def name(self) -> str:
        return "non_json_body"


@attrs.frozen
class ExpireToken:
    """Expire the request's access token just before it is checked (the request gets HTTP 401)."""

    @property
    def after_apply(self) -> bool:
        return False

    @property
    def name(self) -> str:
        return "expire_token"


@attrs.frozen
class ThrottleNow:
    """Throttle this request as if the limit had been reached.

    On an operation it locks the user out of it for ``lock_seconds`` (the
    operation's documented lock by default), so later calls are throttled too;
    on the token endpoint it refuses with Zoho's issuance-limit answer.
    """

    lock_seconds: float | None = None

    @property
    def after_apply(self) -> bool:
        return False

    @property
    def name(self) -> str:
        return "throttle"


Fault = DropConnection | Delay | ErrorStatus | TruncatedBody | NonJsonBody | ExpireToken | ThrottleNow


@attrs.define
class InjectedFault:
    """A fault as injected: its scope and how often it has struck.  ``cancel()`` withdraws it."""

    fault: Fault
    operation_id: str | None
    user_id: str | None
    times: int | None
    skip: int
    hits: int = 0
    seen: int = 0
    cancelled: bool = False

    @property
    def remaining(self) -> int | None:
        """Strikes left (``None``: unlimited)."""
        return None if self.times is None else max(self.times - self.hits, 0)

    @property
    def active(self) -> bool:
        return not self.cancelled and (self.times is None or self.hits < self.times)

    def cancel(self) -> None:
        self.cancelled = True

    def _matches(self, operation_id: str, user_id: str | None) -> bool:
        return (self.operation_id is None or self.operation_id == operation_id) and (
            self.user_id is None or self.user_id == user_id
        )


class FaultInjector:
    """The injected faults of one emulator; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[InjectedFault] = []

    def inject(
        self,
        fault: Fault,
        *,
        operation_id: str | None = None,
        user_id: str | None = None,
        times: int | None = 1,
        skip: int = 0,
    ) -> InjectedFault:
        """Strike the next ``times`` requests (``None``: all) matching the scope, after ``skip`` of them.

        ``operation_id`` is an operation id of the document, :data:`TOKEN_ENDPOINT`,
        or ``None`` for any request.
        """
        if operation_id is not None and operation_id != TOKEN_ENDPOINT and operation_id not in OPERATIONS_BY_ID:
            raise ValueError(f"unknown operation_id {operation_id!r}")
        if operation_id == TOKEN_ENDPOINT and isinstance(fault, ExpireToken):
            raise ValueError("ExpireToken applies to API operations, not to the token endpoint")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 (or None for every matching request)")
        if skip < 0:
            raise ValueError("skip must be >= 0")
        injected = InjectedFault(fault=fault, operation_id=operation_id, user_id=user_id, times=times, skip=skip)
        with self._lock:
            self._faults.append(injected)
        return injected

    def take(
        self, operation_id: str, user_id: str | None, *, after_apply: bool, authenticated: bool = True
    ) -> Fault | None:
        """The fault striking this request at this point, if any (counts the strike).

        Called once with ``after_apply=False`` when the request is routed (with
        ``authenticated``: whether its access token is valid), and once with
        ``after_apply=True`` when its handler has run; only the faults that
        strike at that point are considered (module docstring).
        """
        with self._lock:
            chosen: Fault | None = None
            for injected in self._faults:
                if not injected.active or not injected._matches(operation_id, user_id):
                    continue
                fault = injected.fault
                if fault.after_apply != after_apply:
                    continue
                if (
                    isinstance(fault, ExpireToken | ThrottleNow)
                    and operation_id != TOKEN_ENDPOINT
                    and not authenticated
                ):
                    continue
                injected.seen += 1
                if injected.seen <= injected.skip:
                    continue
                injected.hits += 1
                chosen = injected.fault
                break
            self._faults = [f for f in self._faults if f.active]
            return chosen

    @property
    def active(self) -> tuple[InjectedFault, ...]:
        with self._lock:
            return tuple(f for f in self._faults if f.active)

    def clear(self) -> None:
        with self._lock:
            for injected in self._faults:
                injected.cancel()
            self._faults.clear()
