"""Contains methods for accessing the API, and what every endpoint module shares.

Generated from ``codegen/templates/api_init.py.jinja``; never edit by hand.
"""

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ..custom.url_limits import check_value_length

__all__ = ["document", "path_segment", "require_aware"]


def path_segment(operation_id: str, name: str, value: object) -> str:
    """``value`` as one URL path segment that cannot change the route; anything but a non-empty ``str`` is refused.

    Percent-encoded with nothing kept (``/`` too), and ``.`` / ``..`` sent as
    ``%2E`` / ``%2E%2E``: httpx, like any RFC 3986 resolver, removes literal dot
    segments, so ``get_channel(".")`` would otherwise list channels.  ``None``,
    bytes or numbers would go out as ``/channels/None`` or ``b'...'``: refused
    unsent, as is ``""`` (an empty segment matches no route), and a segment
    longer than a URL may be (``custom/url_limits.py``; httpx would raise
    ``InvalidURL`` from 64 KiB on).
    """
    if not isinstance(value, str):
        raise _invalid(operation_id, name, "type", f"must be a str, not {type(value).__name__}")
    if not value:
        raise _invalid(operation_id, name, "minLength", "must not be empty")
    # letters and digits only (every Zoho id): nothing to encode
    encoded = value if value.isascii() and value.isalnum() else quote(value, safe="")
    segment = check_value_length(encoded, operation_id=operation_id, field=f"path.{name}")
    if segment == "." or segment == "..":
        return segment.replace(".", "%2E")
    return segment


def require_aware(operation_id: str, field: str, value: object) -> None:
    """Refuse a naive ``datetime``: sent without an offset, the server would read it in its own time zone."""
    if isinstance(value, datetime.datetime) and value.utcoffset() is None:
        raise _invalid_field(
            operation_id,
            field,
            "format",
            "must be a timezone-aware datetime (e.g. datetime.now(timezone.utc)); a naive one has no offset to send",
        )


def _invalid(operation_id: str, name: str, rule: str, detail: str) -> Exception:
    return _invalid_field(operation_id, f"path.{name}", rule, detail)


def _invalid_field(operation_id: str, field: str, rule: str, detail: str) -> Exception:
    from ..custom.errors import CliqValidationError

    return CliqValidationError(operation_id=operation_id, field=field, rule=rule, detail=detail)


def document(operation_id: str, *functions: Callable[..., Any]) -> None:
    """Fill the ``{scopes}`` and ``{rate_limit}`` of the functions' docstrings from the operation table.

    The facts come from the document's ``security`` and ``x-zoho-rate-limit``
    (``operation_table.py``, emitted by ``make generate``), so ``help()`` shows
    what the operation needs without a second copy of them.
    """
    from ..operation_table import OPERATIONS

    operation = OPERATIONS[operation_id]
    limit = operation["rate_limit"]
    facts = {
        "scopes": ", ".join(operation["scopes"]) or "none",
        "rate_limit": (
            f"{limit['threshold']} calls per {limit['window_seconds']:g} s per {limit['per']}; "
            f"beyond it Zoho locks the operation for {limit['lock_seconds']:g} s"
        ),
    }
    for function in functions:
        if function.__doc__:  # None under python -OO
            function.__doc__ = function.__doc__.replace("{scopes}", facts["scopes"]).replace(
                "{rate_limit}", facts["rate_limit"]
            )
