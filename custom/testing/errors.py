"""The errors the emulator answers with, as one exception the handlers raise.

Every error body carries the reference's message for its status
(``ERROR_MESSAGES`` of the generated operation table), a Zoho-style ``code``,
and, where it helps, a detail in parentheses naming the field or resource:

    {"code": "invalid_parameter",
     "message": "The request cannot be performed. Usually because of malformed
                 parameter or missing parameter. (field 'name': is too long)"}

Details are built from request fields and resource ids only, never from
headers, tokens or secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...operation_table import ERROR_MESSAGES
from ..errors import SYNC_LIMIT_CODE, THROTTLE_CODE

__all__ = [
    "INTERNAL_ERROR",
    "INVALID_PARAMETER",
    "METHOD_NOT_ALLOWED",
    "NOT_ACCEPTABLE",
    "OAUTHTOKEN_INVALID",
    "OPERATION_NOT_ALLOWED",
    "PERMISSION_DENIED",
    "RESOURCE_NOT_FOUND",
    "SCOPE_MISMATCH",
    "SYNC_LIMIT_CODE",
    "THROTTLE_CODE",
    "URL_NOT_FOUND",
    "ApiError",
    "ConnectionDropped",
    "error_body",
]

#: A parameter or body field broke the OpenAPI document (or a rule the document states in prose).
INVALID_PARAMETER = "invalid_parameter"
#: Missing, unknown or expired access token (Zoho's code).
OAUTHTOKEN_INVALID = "oauthtoken_invalid"
#: The access token was issued without the operation's scope.
SCOPE_MISMATCH = "invalid_oauthscope"
#: The user may not do this to this channel (role permission, visibility, organization admin).
PERMISSION_DENIED = "permission_denied"
#: The channel's state does not allow the operation (e.g. archiving an archived channel).
OPERATION_NOT_ALLOWED = "operation_not_allowed"
#: No route for the URL.
URL_NOT_FOUND = "url_not_found"
#: The route exists but the channel, user or bot it names does not.
RESOURCE_NOT_FOUND = "resource_not_found"
METHOD_NOT_ALLOWED = "method_not_allowed"
NOT_ACCEPTABLE = "not_acceptable"
INTERNAL_ERROR = "internal_error"

_MAX_DETAIL = 300


def error_body(status: int, code: str | None, detail: str | None = None) -> dict[str, Any]:
    """``{"code": ..., "message": <reference message>[ (<detail>)]}``."""
    message = ERROR_MESSAGES.get(status) or ERROR_MESSAGES[500]
    if detail:
        if len(detail) > _MAX_DETAIL:
            detail = detail[: _MAX_DETAIL - 3] + "..."
        message = f"{message} ({detail})"
    body: dict[str, Any] = {"message": message}
    if code is not None:
        body = {"code": code, **body}
    return body


class ApiError(Exception):
    """An error response: HTTP ``status``, Zoho ``code``, optional ``detail`` and headers."""

    def __init__(
        self,
        status: int,
        code: str | None,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self._body = dict(body) if body is not None else None
        super().__init__(f"HTTP {status} {code or ''}: {detail or ''}".strip())

    @property
    def body(self) -> dict[str, Any]:
        return dict(self._body) if self._body is not None else error_body(self.status, self.code, self.detail)

    @classmethod
    def invalid(cls, field: str, detail: str) -> ApiError:
        """HTTP 400 ``invalid_parameter`` naming ``field``."""
        return cls(400, INVALID_PARAMETER, f"field {field!r}: {detail}")

    @classmethod
    def not_found(cls, detail: str) -> ApiError:
        return cls(404, RESOURCE_NOT_FOUND, detail)

    @classmethod
    def forbidden(cls, detail: str) -> ApiError:
        return cls(403, PERMISSION_DENIED, detail)

    @classmethod
    def not_allowed(cls, detail: str) -> ApiError:
        """HTTP 400 for an operation the channel's current state does not allow."""
        return cls(400, OPERATION_NOT_ALLOWED, detail)


class ConnectionDropped(Exception):
    """Raised by the app, in-process, where the loopback server would close the socket.

    The emulator's transports turn it into the ``httpx`` error a real
    connection failure raises (see :mod:`.faults`).  ``received``/``expected``
    are body byte counts when the connection closed in the middle of a body.
    """

    def __init__(self, error: str, *, received: int | None = None, expected: int | None = None) -> None:
        self.error = error
        self.received = received
        self.expected = expected
        super().__init__(f"connection dropped ({error})")
