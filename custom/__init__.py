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
    "BadRequestError": "errors",
    "CliqAPIError": "errors",
    "CliqError": "errors",
    "CliqTransportError": "errors",
    "CliqValidationError": "errors",
    "InternalServerError": "errors",
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
    # sync
    "ChannelSync": "sync",
    "ResyncReason": "sync",
    "SyncResult": "sync",
}

# Subpackages served as attributes: ``from cliq_channels_client import testing``.
_SUBMODULES = frozenset({"testing"})

__all__ = sorted([*_EXPORTS, *_SUBMODULES])


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # the names above, for type checkers and IDEs
    from .auth import (  # noqa: F401
        StaticTokenAuth,
        ZohoOAuth,
    )
    from .clock import (  # noqa: F401
        SYSTEM_CLOCK,
        Clock,
        FakeClock,
        SystemClock,
    )
    from .data_centres import (  # noqa: F401
        DATA_CENTRE_ALIASES,
        DATA_CENTRES,
        DataCentre,
        cliq_origin_for_api_domain,
        data_centre,
    )
    from .errors import (  # noqa: F401
        AuthenticationError,
        BadRequestError,
        CliqAPIError,
        CliqError,
        CliqTransportError,
        CliqValidationError,
        InternalServerError,
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
    from .factory import (  # noqa: F401
        create_client,
    )
    from .observability import (  # noqa: F401
        ClientHooks,
        ErrorEvent,
        RateLimitWaitEvent,
        RequestEvent,
        ResponseEvent,
        RetryEvent,
        ThrottleEvent,
    )
    from .operations import (  # noqa: F401
        OPERATIONS_BY_ID,
        Operation,
        RateLimitRule,
        match_operation,
    )
    from .pagination import (  # noqa: F401
        ChannelPager,
        ListCursor,
        ListFilters,
        Page,
        PaginationError,
    )
    from .ratelimit import (  # noqa: F401
        LocalRateLimiter,
        RateLimiter,
    )
    from .retry import (  # noqa: F401
        RetryPolicy,
    )
    from .sync import (  # noqa: F401
        ChannelSync,
        ResyncReason,
        SyncResult,
    )
    from .tokens import (  # noqa: F401
        FileTokenStore,
        MemoryTokenStore,
        Token,
        TokenState,
        TokenStore,
    )
    from .transport import (  # noqa: F401
        CliqTransport,
    )
    from .validation import (  # noqa: F401
        validate_request,
    )
