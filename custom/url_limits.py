"""How long a request's URL may get, and the typed error for a value that makes it longer.

The bound is :data:`MAX_URL_OCTETS` = 8000 octets of request target (the
percent-encoded path and query).  RFC 9110 section 4.1 asks every sender and
recipient to support URIs of *at least* 8000 octets and no more, so a longer
one may be refused by the server or a proxy in front of it (HTTP 414, a reset
connection); common front ends stop near 8 KiB of request line.  Zoho's ids
are a few dozen characters, its longest documented text parameter (a channel
name) a few hundred.  httpx itself refuses a URL of 64 KiB or more with
``httpx.InvalidURL`` while building the request, before any transport sees it.

Where it is checked, both before anything is sent (no token request either):

* the generated endpoint functions (template ``endpoint_module.py.jinja``)
  check each path parameter and each string query value, percent-encoded,
  with :func:`check_value_length` -- the only place that sees a value httpx
  would refuse to build;
* the transport's validation (``validation.py``) checks the whole request
  target of every request that matches an operation, naming the longest
  parameter, so several values that are each short but together too long are
  refused too, whoever built the request.

Both raise :class:`~.errors.CliqValidationError` with field ``path.<name>`` or
``query.<name>`` and rule ``maxLength``.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from .errors import CliqValidationError

__all__ = ["MAX_URL_OCTETS", "check_query_lengths", "check_value_length", "url_too_long"]

#: Longest request target (percent-encoded path and query) sent: RFC 9110's minimum to support.
MAX_URL_OCTETS: Final = 8000


def url_too_long(operation_id: str | None, field: str, octets: int, *, total: int | None = None) -> CliqValidationError:
    """The error for a value whose percent-encoded form (``octets`` long) takes the URL past the bound."""
    detail = f"is {octets} octets percent-encoded"
    if total is not None:
        detail += f", making the URL {total} octets"
    detail += f"; a URL longer than {MAX_URL_OCTETS} octets (RFC 9110 section 4.1) is not sent"
    return CliqValidationError(operation_id=operation_id, field=field, rule="maxLength", detail=detail)


def check_value_length(encoded: str, *, operation_id: str, field: str) -> str:
    """Return ``encoded`` (a percent-encoded path segment or query value), or refuse it if alone it is too long."""
    if len(encoded) > MAX_URL_OCTETS:
        raise url_too_long(operation_id, field, len(encoded))
    return encoded


def check_query_lengths(params: dict[str, object], *, operation_id: str) -> None:
    """Refuse a string query value that, percent-encoded, is longer than the whole URL may be."""
    for name, value in params.items():
        if isinstance(value, str) and len(value) * 12 > MAX_URL_OCTETS:  # 12: the most one character can encode to
            check_value_length(quote(value, safe=""), operation_id=operation_id, field=f"query.{name}")
