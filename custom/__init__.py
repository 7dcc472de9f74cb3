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
    "SystemClock": "clock",
    "SYSTEM_CLOCK": "clock",
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
    from .clock import SYSTEM_CLOCK, Clock, FakeClock, SystemClock  # noqa: F401
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
    from .operations import OPERATIONS_BY_ID, Operation, RateLimitRule, match_operation  # noqa: F401
