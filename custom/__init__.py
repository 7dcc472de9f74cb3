"""The hand-written layer of cliq_channels_client.

This directory is served as ``cliq_channels_client.custom`` (a link that
``make generate`` creates inside the generated package) and its public names
are re-exported, lazily, from ``cliq_channels_client`` itself.  Regeneration
never touches it.  Every import here is relative, so the package can be
vendored under another name.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# public name -> submodule of this package that defines it (imported on first use)
_EXPORTS: dict[str, str] = {
    # clock
    "Clock": "clock",
    "FakeClock": "clock",
    "SYSTEM_CLOCK": "clock",
    "SystemClock": "clock",
    # errors
    "AuthenticationError": "errors",
    "BackendUnavailableError": "errors",
    "BadRequestError": "errors",
    "CliqAPIError": "errors",
    "CliqError": "errors",
    "CliqTransportError": "errors",
    "CliqValidationError": "errors",
    "ExchangeSummary": "errors",
    "InternalServerError": "errors",
    "MalformedResponseError": "errors",
    "MethodNotAllowedError": "errors",
    "NotAcceptableError": "errors",
    "NotFoundError": "errors",
    "OperationLockedError": "errors",
    "PermissionDeniedError": "errors",
    "RateLimitError": "errors",
    "RateLimitWaitExceededError": "errors",
    "ServerError": "errors",
    "ThrottledError": "errors",
    "TokenRefreshError": "errors",
    # operations
    "OPERATIONS_BY_ID": "operations",
    "Operation": "operations",
    "RateLimitRule": "operations",
    "match_operation": "operations",
    # data_centres
    "DATA_CENTRES": "data_centres",
    "DATA_CENTRE_ALIASES": "data_centres",
    "DataCentre": "data_centres",
    "cliq_origin_for_api_domain": "data_centres",
    "data_centre": "data_centres",
    "trusted_cliq_origin": "data_centres",
    # tokens
    "FileTokenStore": "tokens",
    "MemoryTokenStore": "tokens",
    "Token": "tokens",
    "TokenState": "tokens",
    "TokenStore": "tokens",
    # auth
    "StaticTokenAuth": "auth",
    "ZohoOAuth": "auth",
    # ratelimit
    "LocalRateLimiter": "ratelimit",
    "RateLimiter": "ratelimit",
    "UnlimitedRateLimiter": "ratelimit",
    # retry
    "RetryPolicy": "retry",
    # validation
    "validate_request": "validation",
    # observability
    "ClientHooks": "observability",
    "ErrorEvent": "observability",
    "RateLimitWaitEvent": "observability",
    "RequestEvent": "observability",
    "ResponseEvent": "observability",
    "RetryEvent": "observability",
    "ThrottleEvent": "observability",
    "TokenRefreshEvent": "observability",
    # transport
    "CliqTransport": "transport",
    # factory
    "create_client": "factory",
    # pagination
    "ChannelPager": "pagination",
    "ListCursor": "pagination",
    "ListFilters": "pagination",
    "Page": "pagination",
    "PaginationError": "pagination",
    # redis_backend, redis_store, redis_limiter (the [redis] extra; imported only when used)
    "RedisBackend": "redis_backend",
    "RedisTokenStore": "redis_store",
    "RedisRateLimiter": "redis_limiter",
    # sync
    "ChannelSync": "sync",
    "ResyncReason": "sync",
    "SyncResult": "sync",
}

# Literal, so type checkers see the names; tests/custom/test_exports.py keeps it equal to _EXPORTS.
__all__ = [
    "DATA_CENTRES",
    "DATA_CENTRE_ALIASES",
    "OPERATIONS_BY_ID",
    "SYSTEM_CLOCK",
    "AuthenticationError",
    "BackendUnavailableError",
    "BadRequestError",
    "ChannelPager",
    "ChannelSync",
    "ClientHooks",
    "CliqAPIError",
    "CliqError",
    "CliqTransport",
    "CliqTransportError",
    "CliqValidationError",
    "Clock",
    "DataCentre",
    "ErrorEvent",
    "ExchangeSummary",
    "FakeClock",
    "FileTokenStore",
    "InternalServerError",
    "ListCursor",
    "ListFilters",
    "LocalRateLimiter",
    "MalformedResponseError",
    "MemoryTokenStore",
    "MethodNotAllowedError",
    "NotAcceptableError",
    "NotFoundError",
    "Operation",
    "OperationLockedError",
    "Page",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimitRule",
    "RateLimitWaitEvent",
    "RateLimitWaitExceededError",
    "RateLimiter",
    "RedisBackend",
    "RedisRateLimiter",
    "RedisTokenStore",
    "RequestEvent",
    "ResponseEvent",
    "ResyncReason",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "StaticTokenAuth",
    "SyncResult",
    "SystemClock",
    "ThrottleEvent",
    "ThrottledError",
    "Token",
    "TokenRefreshError",
    "TokenRefreshEvent",
    "TokenState",
    "TokenStore",
    "UnlimitedRateLimiter",
    "ZohoOAuth",
    "cliq_origin_for_api_domain",
    "create_client",
    "data_centre",
    "match_operation",
    "trusted_cliq_origin",
    "validate_request",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # the names above, for type checkers and IDEs
    from .auth import (
        StaticTokenAuth,
        ZohoOAuth,
    )
    from .clock import (
        SYSTEM_CLOCK,
        Clock,
        FakeClock,
        SystemClock,
    )
    from .data_centres import (
        DATA_CENTRE_ALIASES,
        DATA_CENTRES,
        DataCentre,
        cliq_origin_for_api_domain,
        data_centre,
        trusted_cliq_origin,
    )
    from .errors import (
        AuthenticationError,
        BackendUnavailableError,
        BadRequestError,
        CliqAPIError,
        CliqError,
        CliqTransportError,
        CliqValidationError,
        ExchangeSummary,
        InternalServerError,
        MalformedResponseError,
        MethodNotAllowedError,
        NotAcceptableError,
        NotFoundError,
        OperationLockedError,
        PermissionDeniedError,
        RateLimitError,
        RateLimitWaitExceededError,
        ServerError,
        ThrottledError,
        TokenRefreshError,
    )
    from .factory import (
        create_client,
    )
    from .observability import (
        ClientHooks,
        ErrorEvent,
        RateLimitWaitEvent,
        RequestEvent,
        ResponseEvent,
        RetryEvent,
        ThrottleEvent,
        TokenRefreshEvent,
    )
    from .operations import (
        OPERATIONS_BY_ID,
        Operation,
        RateLimitRule,
        match_operation,
    )
    from .pagination import (
        ChannelPager,
        ListCursor,
        ListFilters,
        Page,
        PaginationError,
    )
    from .ratelimit import (
        LocalRateLimiter,
        RateLimiter,
        UnlimitedRateLimiter,
    )
    from .redis_backend import RedisBackend
    from .redis_limiter import RedisRateLimiter
    from .redis_store import RedisTokenStore
    from .retry import (
        RetryPolicy,
    )
    from .sync import (
        ChannelSync,
        ResyncReason,
        SyncResult,
    )
    from .tokens import (
        FileTokenStore,
        MemoryTokenStore,
        Token,
        TokenState,
        TokenStore,
    )
    from .transport import (
        CliqTransport,
    )
    from .validation import (
        validate_request,
    )
