"""The operations of the OpenAPI document, as the hand-written layer sees them.

Everything here is read from the generated ``operation_table`` (emitted from
``openapi/`` by ``make generate``): the rate limit of each operation comes from
its ``x-zoho-rate-limit`` extension, its scopes from its security requirement,
its schemas from its parameters and request body.  Nothing is hand-copied.

Transports and auth flows see ``httpx.Request`` objects, not endpoint calls;
:func:`match_operation` maps a request back to the operation it calls, which
is how pacing, validation and error mapping work without wrapping endpoints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import attrs
import httpx

from ..operation_table import OPERATIONS
from .retry import IDEMPOTENT_METHODS

__all__ = [
    "OPERATIONS_BY_ID",
    "OPERATION_EXTENSION",
    "ORIGIN_EXTENSION",
    "RESTAMP_EXTENSION",
    "TOKEN_REQUEST_EXTENSION",
    "Operation",
    "RateLimitRule",
    "match_empty_path_parameter",
    "match_operation",
    "operation_of",
    "request_path",
    "request_target",
]

#: ``request.extensions`` key of the auth flow's re-stamp hook: a callable taking the request that,
#: with no I/O and never refreshing, puts the current token in its ``Authorization`` header if a
#: newer fresh one replaced the token stamped on it.  :class:`~.transport.CliqTransport` calls it
#: right before each send attempt, after the rate-limit slot is taken.
RESTAMP_EXTENSION = "cliq_channels_client.restamp"

#: ``request.extensions`` key naming the operation (its ``operationId``) of a request built by the
#: generated endpoint functions, so the hand-written layer reads it instead of matching the URL.
OPERATION_EXTENSION = "cliq_channels_client.operation"

#: ``request.extensions`` key marking the token request (its body holds the client secret and the
#: refresh token); the value is the one URL it may go to.  httpx copies extensions onto a redirect,
#: so :class:`~.transport.CliqTransport` refuses a marked request bound anywhere else: the token
#: request never follows a redirect, whatever the client's ``follow_redirects``.
TOKEN_REQUEST_EXTENSION = "cliq_channels_client.token_request"  # noqa: S105 -- a key name, not a secret

#: ``request.extensions`` key of the URL a request was first sent to (set by the transport, moved by
#: the auth flow when it routes a request to the token's data centre): a request at another URL with
#: the same extensions is httpx following a redirect; off the origin (or for the token request) it is refused.
ORIGIN_EXTENSION = "cliq_channels_client.origin"


@attrs.frozen
class RateLimitRule:
    """Zoho's documented limit: ``threshold`` calls per ``window`` seconds, else a ``lock`` of seconds."""

    threshold: int = attrs.field(validator=attrs.validators.gt(0))
    window: float = attrs.field(validator=attrs.validators.gt(0))
    lock: float = attrs.field(validator=attrs.validators.ge(0))


@attrs.frozen
class Operation:
    """One API operation: identity, route, scopes, limit and schemas."""

    operation_id: str
    method: str
    path: str
    scopes: tuple[str, ...]
    rate_limit: RateLimitRule
    path_parameters: Mapping[str, Any] = attrs.field(repr=False)
    query_parameters: Mapping[str, Any] = attrs.field(repr=False)
    request_body: Mapping[str, Any] | None = attrs.field(repr=False)
    request_body_required: bool = attrs.field(repr=False)
    success_statuses: tuple[int, ...] = attrs.field(repr=False)
    #: The success statuses whose answer the document gives a JSON body (the transport reads and checks it).
    json_success_statuses: frozenset[int] = attrs.field(repr=False)
    pattern: re.Pattern[str] = attrs.field(repr=False, eq=False)
    #: ``pattern`` with path parameters that may be empty (``[^/]*``): see :func:`match_empty_path_parameter`.
    lenient_pattern: re.Pattern[str] = attrs.field(repr=False, eq=False)
    #: Query parameters with ``allowEmptyValue: true``; any other may not be sent empty (OpenAPI's default).
    query_allow_empty: frozenset[str] = attrs.field(repr=False, default=frozenset())

    @property
    def is_idempotent(self) -> bool:
        """HTTP semantics (RFC 9110 9.2.2): may be repeated safely; one set for all, ``retry.IDEMPOTENT_METHODS``."""
        return self.method in IDEMPOTENT_METHODS


def _path_pattern(template: str, parameter: str = "[^/]+") -> re.Pattern[str]:
    """``/channels/{CHANNEL_ID}/members`` -> regex matching it at the end of a URL path."""
    regex = re.sub(r"\\\{(\w+)\\\}", f"(?P<\\1>{parameter})", re.escape(template))
    return re.compile(f"(?:^|.*?){regex}$")


def _build(raw: Mapping[str, Any]) -> Operation:
    limit = raw["rate_limit"]
    return Operation(
        operation_id=raw["operation_id"],
        method=raw["method"],
        path=raw["path"],
        scopes=tuple(raw["scopes"]),
        rate_limit=RateLimitRule(
            threshold=int(limit["threshold"]),
            window=float(limit["window_seconds"]),
            lock=float(limit["lock_seconds"]),
        ),
        path_parameters=MappingProxyType(dict(raw["path_parameters"])),
        query_parameters=MappingProxyType(dict(raw["query_parameters"])),
        request_body=MappingProxyType(dict(raw["request_body"])) if raw["request_body"] else None,
        request_body_required=bool(raw["request_body_required"]),
        success_statuses=tuple(raw["success_statuses"]),
        json_success_statuses=frozenset(raw["json_success_statuses"]),
        pattern=_path_pattern(raw["path"]),
        lenient_pattern=_path_pattern(raw["path"], "[^/]*"),
        query_allow_empty=frozenset(raw["query_allow_empty"]),
    )


OPERATIONS_BY_ID: Mapping[str, Operation] = MappingProxyType(
    {operation_id: _build(raw) for operation_id, raw in OPERATIONS.items()}
)

# Longest templates first, so /channels/{id}/members wins over /channels/{id}.
_BY_METHOD: dict[str, tuple[Operation, ...]] = {}
for _operation in sorted(OPERATIONS_BY_ID.values(), key=lambda op: -len(op.path)):
    _BY_METHOD[_operation.method] = (*_BY_METHOD.get(_operation.method, ()), _operation)


@lru_cache(maxsize=4096)
def match_operation(method: str, path: str) -> Operation | None:
    """The operation a request calls, from its method and URL path (any base path prefix)."""
    for operation in _BY_METHOD.get(method.upper(), ()):
        if operation.pattern.match(path):
            return operation
    return None


# Only the operations whose route has a parameter can be called with an empty one.
_WITH_PARAMETERS: dict[str, tuple[Operation, ...]] = {
    method: tuple(operation for operation in operations if operation.path_parameters)
    for method, operations in _BY_METHOD.items()
}


def match_empty_path_parameter(method: str, path: str) -> tuple[Operation, str] | None:
    """For a path that :func:`match_operation` maps to nothing: the operation it was meant for, and its empty parameter.

    An empty path parameter leaves an empty segment (``/channels/``,
    ``/channels//members``) that no route accepts, so the request would go out
    unrecognized (neither validated nor mapped to a typed error).  Matching
    again with parameters that may be empty finds the operation it was built
    for; ``None`` when that does not match either (the token endpoint...).
    """
    for operation in _WITH_PARAMETERS.get(method.upper(), ()):
        match = operation.lenient_pattern.match(path)
        if match is not None:
            for name, value in match.groupdict().items():
                if not value:
                    return operation, name
    return None


def request_target(request: httpx.Request) -> tuple[str, bytes]:
    """The request's URL path as sent (percent-encoded, no query), and its whole target (path and query).

    The one place a request's path is decoded (once: the raw path is ASCII,
    as httpx percent-encodes it); the target serves the URL length bound.
    """
    target = request.url.raw_path
    cut = target.find(b"?")
    return (target if cut < 0 else target[:cut]).decode("latin-1"), target


def request_path(request: httpx.Request) -> str:
    """The request's URL path as sent (percent-encoded, no query): the one way every module reads it."""
    return request_target(request)[0]


def operation_of(request: httpx.Request) -> Operation | None:
    """The operation a request calls: named by the generated code (:data:`OPERATION_EXTENSION`), else matched.

    Requests built by hand (``client.get_httpx_client().get(...)``) carry no
    extension and are matched from their method and path.
    """
    operation_id = request.extensions.get(OPERATION_EXTENSION)
    if isinstance(operation_id, str):
        operation = OPERATIONS_BY_ID.get(operation_id)
        if operation is not None:
            return operation
    return match_operation(request.method, request_path(request))
