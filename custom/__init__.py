"""The hand-written layer of cliq_channels_client, and its public names.

This directory is served as ``cliq_channels_client.custom`` (a link made by
``codegen/generate.sh``; ``codegen/templates/package_init.py.jinja`` finds it in a
checkout without links) and its public names are
re-exported, lazily, from ``cliq_channels_client`` itself.  Regeneration never
touches it.  Every import here is relative, so the package can be vendored
under another name.

The ``if TYPE_CHECKING:`` block below is the one list of public names: type
checkers read its imports (``X as X``: re-exported), and at run time
:func:`_exports` reads the same statements from this file's source to serve
each name from its module on first use -- the "lazy loading from a stub"
pattern of Scientific Python's SPEC 1 (``lazy_loader.attach_stub``), without
the dependency.  Adding a public name is one line there.
"""

from __future__ import annotations

import ast as _ast
import typing as _typing
from importlib import import_module as _import_module
from pathlib import Path as _Path

if _typing.TYPE_CHECKING:  # the public names: one line each, read at run time by _exports()
    from .auth import (
        StaticTokenAuth as StaticTokenAuth,
        ZohoOAuth as ZohoOAuth,
    )
    from .clock import (
        SYSTEM_CLOCK as SYSTEM_CLOCK,
        Clock as Clock,
        FakeClock as FakeClock,
        SystemClock as SystemClock,
    )
    from .data_centres import (
        DATA_CENTRE_ALIASES as DATA_CENTRE_ALIASES,
        DATA_CENTRES as DATA_CENTRES,
        DataCentre as DataCentre,
        cliq_origin_for_api_domain as cliq_origin_for_api_domain,
        data_centre as data_centre,
        trusted_cliq_origin as trusted_cliq_origin,
    )
    from .errors import (
        AuthenticationError as AuthenticationError,
        BackendUnavailableError as BackendUnavailableError,
        BadRequestError as BadRequestError,
        CliqAPIError as CliqAPIError,
        CliqError as CliqError,
        CliqTransportError as CliqTransportError,
        CliqValidationError as CliqValidationError,
        ExchangeSummary as ExchangeSummary,
        InternalServerError as InternalServerError,
        MalformedResponseError as MalformedResponseError,
        MethodNotAllowedError as MethodNotAllowedError,
        NotAcceptableError as NotAcceptableError,
        NotFoundError as NotFoundError,
        OperationLockedError as OperationLockedError,
        PermissionDeniedError as PermissionDeniedError,
        RateLimitError as RateLimitError,
        RateLimitWaitExceededError as RateLimitWaitExceededError,
        ServerError as ServerError,
        ThrottledError as ThrottledError,
        TokenRefreshError as TokenRefreshError,
        UnexpectedStatusError as UnexpectedStatusError,
    )
    from .factory import (
        create_client as create_client,
    )
    from .observability import (
        ClientHooks as ClientHooks,
        ErrorEvent as ErrorEvent,
        RateLimitWaitEvent as RateLimitWaitEvent,
        RequestEvent as RequestEvent,
        ResponseEvent as ResponseEvent,
        RetryEvent as RetryEvent,
        ThrottleEvent as ThrottleEvent,
        TokenRefreshEvent as TokenRefreshEvent,
    )
    from .operations import (
        OPERATIONS_BY_ID as OPERATIONS_BY_ID,
        Operation as Operation,
        RateLimitRule as RateLimitRule,
        match_operation as match_operation,
    )
    from .pagination import (
        ChannelPager as ChannelPager,
        ListCursor as ListCursor,
        ListFilters as ListFilters,
        Page as Page,
        PaginationError as PaginationError,
    )
    from .ratelimit import (
        LocalRateLimiter as LocalRateLimiter,
        RateLimiter as RateLimiter,
        UnlimitedRateLimiter as UnlimitedRateLimiter,
    )
    from .redis_backend import (
        RedisBackend as RedisBackend,
    )
    from .redis_limiter import (
        RedisRateLimiter as RedisRateLimiter,
    )
    from .redis_store import (
        RedisTokenStore as RedisTokenStore,
    )
    from .retry import (
        RetryPolicy as RetryPolicy,
    )
    from .sync import (
        ChannelSync as ChannelSync,
        ResyncReason as ResyncReason,
        SyncResult as SyncResult,
    )
    from .tokens import (
        FileTokenStore as FileTokenStore,
        MemoryTokenStore as MemoryTokenStore,
        Token as Token,
        TokenState as TokenState,
        TokenStore as TokenStore,
    )
    from .transport import (
        CliqTransport as CliqTransport,
    )
    from .validation import (
        validate_request as validate_request,
    )


def _exports() -> dict[str, str]:
    """Public name -> the submodule defining it, read from the ``TYPE_CHECKING`` imports of this file."""
    tree = _ast.parse(_Path(__file__).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, _ast.If) and _ast.unparse(node.test) == "_typing.TYPE_CHECKING":
            return {
                alias.asname or alias.name: str(statement.module)
                for statement in node.body
                if isinstance(statement, _ast.ImportFrom)
                for alias in statement.names
            }
    raise ImportError(f"{__file__}: no TYPE_CHECKING block of public names")


_EXPORTS: dict[str, str]
if not _typing.TYPE_CHECKING:  # checkers see the imports above, with their real types
    _EXPORTS = _exports()
    __all__ = sorted(_EXPORTS)

    def __getattr__(name: str) -> _typing.Any:
        module_name = _EXPORTS.get(name)
        if module_name is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_import_module(f".{module_name}", __name__), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_EXPORTS})
