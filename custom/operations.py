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

from ..operation_table import OPERATIONS

__all__ = ["OPERATIONS_BY_ID", "Operation", "RateLimitRule", "match_operation"]


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
    pattern: re.Pattern[str] = attrs.field(repr=False, eq=False)

    @property
    def is_idempotent(self) -> bool:
        """HTTP semantics (RFC 9110 9.2.2): GET, PUT and DELETE may be repeated safely."""
        return self.method in {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}


def _path_pattern(template: str) -> re.Pattern[str]:
    """``/channels/{CHANNEL_ID}/members`` -> regex matching it at the end of a URL path."""
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
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
        pattern=_path_pattern(raw["path"]),
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
