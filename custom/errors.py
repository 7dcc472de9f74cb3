"""One exception hierarchy for everything the client can raise.

Shape borrowed from openai-python: one base class, a subclass per documented
status, each carrying the status, Zoho's ``code`` and ``message``, the
operation id and the ``httpx.Response``.  Messages and reprs are built only
from those fields, never from request headers or token-endpoint bodies, so no
token or secret can leak through an exception.

Every error pickles (multiprocessing, Celery, process pools) and unpickles
into the same class with the same fields, except that the live
``httpx.Response`` -- whose request holds the ``Authorization`` header -- is
replaced by its :class:`ExchangeSummary` (method, URL without query, status,
a few harmless headers): ``error.response`` is ``None`` after the trip,
``error.summary`` the same as before it.  The cause chain and traceback are
not pickled (as for every exception).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import httpx

from .strict_json import loads_strict

__all__ = [
    "AuthenticationError",
    "BackendUnavailableError",
    "BadRequestError",
    "CliqAPIError",
    "CliqError",
    "CliqTransportError",
    "CliqValidationError",
    "ExchangeSummary",
    "InternalServerError",
    "MalformedResponseError",
    "MethodNotAllowedError",
    "NotAcceptableError",
    "NotFoundError",
    "OperationLockedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimitWaitExceededError",
    "ServerError",
    "ThrottledError",
    "TokenRefreshError",
    "UnexpectedStatusError",
    "error_for_status",
    "error_from_response",
    "is_throttle_response",
]

#: Zoho's body for a throttled call, seen with HTTP 400 as well as 429.
THROTTLE_CODE = "request_limit_exceeded"
#: Code of the HTTP 400 a sync_token request gets when more than 50 channels changed
#: (the reference promises "an exception" without showing it; see openapi/).
SYNC_LIMIT_CODE = "sync_limit_exceeded"


#: Response headers an :class:`ExchangeSummary` keeps: about the answer, never about who asked.
_SUMMARY_HEADERS = ("content-type", "content-length", "retry-after", "date")


@attrs.frozen
class ExchangeSummary:
    """What an error keeps of its HTTP exchange when pickled: no credentials, no query, no body.

    ``url`` is ``scheme://host[:port]/path`` (user info and query dropped: a
    query may hold search terms, and a proxy or base URL may hold a password).
    """

    method: str | None
    url: str | None
    status_code: int
    reason_phrase: str
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, response: httpx.Response) -> ExchangeSummary:
        method = url = None
        request = response._request  # the property raises when a response was built without a request
        if request is not None:
            method = request.method
            where = request.url
            port = f":{where.port}" if where.port is not None else ""
            url = f"{where.scheme}://{where.host}{port}{where.path}"
        headers = tuple((name, response.headers[name]) for name in _SUMMARY_HEADERS if name in response.headers)
        return cls(method, url, response.status_code, response.reason_phrase, headers)


def _restore(cls: type[CliqError], args: tuple[Any, ...], state: dict[str, Any]) -> CliqError:
    """Unpickle without calling ``__init__`` (its keyword-only signature differs per class)."""
    error = cls.__new__(cls, *args)
    error.__dict__.update(state)
    return error


class CliqError(Exception):
    """Base class of every error raised by cliq_channels_client."""

    operation_id: str | None = None

    @property
    def summary(self) -> ExchangeSummary | None:
        """The redacted exchange behind this error (method, URL, status...), if it came from an answer."""
        stored = self.__dict__.get("_summary")
        if isinstance(stored, ExchangeSummary):
            return stored
        response = self.__dict__.get("response")
        return ExchangeSummary.of(response) if isinstance(response, httpx.Response) else None

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the class, message and fields; a live response travels only as its redacted summary."""
        state = dict(self.__dict__)
        for name, value in self.__dict__.items():
            if isinstance(value, httpx.Response | httpx.Request):
                state[name] = None
        summary = self.summary
        if summary is not None:
            state["_summary"] = summary
        return (_restore, (type(self), self.args, state))


class CliqValidationError(CliqError, ValueError):
    """A request broke a rule of the OpenAPI document; it was not sent.

    ``field`` is a dotted path (``"name"``, ``"config.reply_mode"``,
    ``"query.limit"``), ``rule`` the JSON Schema keyword (``maxLength``,
    ``enum``, ``required``...).  ``may_have_been_sent`` is always ``False``, as
    for a :class:`CliqTransportError` that proves nothing left.
    """

    may_have_been_sent = False

    def __init__(self, *, operation_id: str | None, field: str, rule: str, detail: str) -> None:
        self.operation_id = operation_id
        self.field = field
        self.rule = rule
        self.detail = detail
        where = f"{operation_id}: " if operation_id else ""
        super().__init__(f"{where}invalid {field!r} ({rule}): {detail}")


class CliqTransportError(CliqError):
    """The request could not be completed: connection failure or timeout, after retries.

    ``may_have_been_sent`` is ``True`` when the server might have received and
    applied the request (so a POST was deliberately not replayed).
    """

    def __init__(self, message: str, *, operation_id: str | None, attempts: int, may_have_been_sent: bool) -> None:
        self.operation_id = operation_id
        self.attempts = attempts
        self.may_have_been_sent = may_have_been_sent
        super().__init__(message)


class MalformedResponseError(CliqTransportError):
    """A success answer (2xx) whose JSON body was cut short or is not JSON, after retries.

    The server answered, so it may have applied the request: ``may_have_been_sent``
    is always ``True``.  Idempotent requests (GET, PUT, DELETE) are retried first,
    like a transport failure; a POST never is.  ``status_code`` and ``response``
    are those of the last answer.  The message gives the body's length and
    content type, never its contents.
    """

    def __init__(
        self,
        message: str,
        *,
        operation_id: str | None,
        attempts: int,
        status_code: int,
        response: httpx.Response | None,
    ) -> None:
        self.status_code = status_code
        self.response = response
        super().__init__(message, operation_id=operation_id, attempts=attempts, may_have_been_sent=True)


class CliqAPIError(CliqError):
    """The server answered with an error status."""

    def __init__(
        self,
        *,
        status_code: int,
        message: str,
        code: str | None,
        operation_id: str | None,
        response: httpx.Response | None,
        body: Any = None,
    ) -> None:
        self.status_code = status_code
        self.message = message
        self.code = code
        self.operation_id = operation_id
        self.response = response
        self.body = body
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [f"HTTP {self.status_code}"]
        if self.operation_id:
            parts.append(self.operation_id)
        if self.code:
            parts.append(f"code={self.code}")
        return f"{' '.join(parts)}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, code={self.code!r}, "
            f"operation_id={self.operation_id!r}, message={self.message!r})"
        )


class BadRequestError(CliqAPIError):
    """HTTP 400: malformed or missing parameter."""


class AuthenticationError(CliqAPIError):
    """HTTP 401: the access token is invalid or expired (after one refresh and replay)."""


class PermissionDeniedError(CliqAPIError):
    """HTTP 403: the token lacks the operation's scope, or the user lacks permission."""

    def __init__(self, *, required_scopes: Sequence[str] = (), **kwargs: Any) -> None:
        self.required_scopes = tuple(required_scopes)
        super().__init__(**kwargs)

    def _describe(self) -> str:
        text = super()._describe()
        if self.required_scopes:
            text += f" (this operation needs the OAuth scope {', '.join(self.required_scopes)})"
        return text


class NotFoundError(CliqAPIError):
    """HTTP 404: wrong URL, or the channel/user/bot does not exist."""


class MethodNotAllowedError(CliqAPIError):
    """HTTP 405."""


class NotAcceptableError(CliqAPIError):
    """HTTP 406."""


class ServerError(CliqAPIError):
    """HTTP 5xx, after any retries the policy allowed."""


class InternalServerError(ServerError):
    """HTTP 500."""


class RateLimitError(CliqError):
    """Base of every rate-limit outcome; ``retry_at`` is a clock timestamp, ``retry_after`` seconds."""

    retry_at: float
    retry_after: float


class ThrottledError(RateLimitError, CliqAPIError):
    """The server throttled the call (HTTP 429, or HTTP 400 ``request_limit_exceeded``).

    The operation is now treated as locked until ``retry_at``; further calls
    raise :class:`OperationLockedError` without being sent.
    """

    def __init__(self, *, retry_at: float, retry_after: float, **kwargs: Any) -> None:
        self.retry_at = retry_at
        self.retry_after = retry_after
        super().__init__(**kwargs)

    def _describe(self) -> str:
        return f"{super()._describe()} (locked for {self.retry_after:.0f}s)"


class OperationLockedError(RateLimitError):
    """Not sent: the server locked this operation for this user and the lock has not expired."""

    def __init__(self, *, operation_id: str, retry_at: float, retry_after: float) -> None:
        self.operation_id = operation_id
        self.retry_at = retry_at
        self.retry_after = retry_after
        super().__init__(f"{operation_id} is locked by the server's rate limit; it opens again in {retry_after:.1f}s")


class RateLimitWaitExceededError(RateLimitError):
    """Not sent: staying within the limit would mean waiting longer than ``max_wait`` allows."""

    def __init__(self, *, operation_id: str, retry_at: float, retry_after: float, max_wait: float) -> None:
        self.operation_id = operation_id
        self.retry_at = retry_at
        self.retry_after = retry_after
        self.max_wait = max_wait
        super().__init__(
            f"{operation_id}: the next slot within the rate limit is {retry_after:.1f}s away, "
            f"more than max_wait={max_wait:.1f}s; not sent, to avoid a 10-minute lock"
        )


class TokenRefreshError(CliqError):
    """The access token could not be obtained or refreshed.

    ``retry_at`` (a clock timestamp) is set when Zoho's issuance limit, or the
    client's own guard of it, says when a new token may be requested.  The
    message carries Zoho's ``error`` code, never a token or the client secret.
    """

    def __init__(self, message: str, *, error_code: str | None = None, retry_at: float | None = None) -> None:
        self.error_code = error_code
        self.retry_at = retry_at
        super().__init__(message)


class BackendUnavailableError(CliqError):
    """The shared backend (Redis) holding tokens and rate-limit budgets did not answer in time.

    Raised when the client is configured to fail fast rather than fall back to
    per-process limits; an API call refused this way was not sent.  The message
    names the backend's host and port, never its password.
    """


_STATUS_ERRORS: dict[int, type[CliqAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    406: NotAcceptableError,
    500: InternalServerError,
}


#: Longest Zoho ``code`` taken from an error body (theirs are under 40 characters); a longer one is ignored.
MAX_ERROR_CODE_LENGTH = 100
#: Longest ``message`` taken from an error body into an exception message; a longer one is cut here.
MAX_ERROR_MESSAGE_LENGTH = 1000
#: Longest non-JSON error body kept as ``body`` (text).
_MAX_TEXT_BODY = 500


def parse_error_body(response: httpx.Response) -> tuple[Any, str | None, str | None]:
    """Return ``(body, code, message)`` of an error response, tolerating any body.

    A hostile body must not turn a typed status error into a crash: text that
    is not strict JSON (nesting too deep included) becomes ``body`` as text
    (first 500 characters); a ``code`` or ``message`` that is not a string is
    ignored, a ``code`` longer than :data:`MAX_ERROR_CODE_LENGTH` too (it is
    no Zoho code), and a ``message`` is cut at :data:`MAX_ERROR_MESSAGE_LENGTH`.
    """
    content = response.content
    if not content:
        return None, None, None
    try:
        body: Any = loads_strict(content)
    except ValueError:
        return response.text[:_MAX_TEXT_BODY], None, None
    if type(body) is not dict:
        return body, None, None
    code = body.get("code")
    message = body.get("message")
    if not isinstance(code, str) or len(code) > MAX_ERROR_CODE_LENGTH:
        code = None
    if not isinstance(message, str):
        message = None
    elif len(message) > MAX_ERROR_MESSAGE_LENGTH:
        message = message[:MAX_ERROR_MESSAGE_LENGTH] + "..."
    return body, code, message


def is_throttle_response(response: httpx.Response) -> bool:
    """HTTP 429, or Zoho's HTTP 400 with code ``request_limit_exceeded``; the body must be read."""
    if response.status_code == 429:
        return True
    if response.status_code != 400:
        return False
    _, code, _ = parse_error_body(response)
    return code == THROTTLE_CODE


def error_from_response(
    response: httpx.Response,
    *,
    operation_id: str | None,
    required_scopes: Sequence[str] = (),
    default_messages: dict[int, str] | None = None,
) -> CliqAPIError:
    """Build the typed error for an error response whose body has been read (not for throttles)."""
    body, code, message = parse_error_body(response)
    status = response.status_code
    if message is None:
        message = (default_messages or {}).get(status) or response.reason_phrase or "error"
    cls = _STATUS_ERRORS.get(status) or (ServerError if status >= 500 else CliqAPIError)
    kwargs: dict[str, Any] = {
        "status_code": status,
        "message": message,
        "code": code,
        "operation_id": operation_id,
        "response": response,
        "body": body,
    }
    if cls is PermissionDeniedError:
        return PermissionDeniedError(required_scopes=required_scopes, **kwargs)
    return cls(**kwargs)


class UnexpectedStatusError(CliqAPIError):
    """A status the document does not list for the operation: an undocumented 2xx, a redirect, an unlisted 4xx.

    Redirects are never followed (the document lists none), so a 3xx lands
    here too; ``response.headers["Location"]`` says where the server pointed.
    """


def error_for_status(
    response: httpx.Response,
    *,
    operation_id: str | None,
    success_statuses: Sequence[int],
    required_scopes: Sequence[str] = (),
    default_messages: dict[int, str] | None = None,
) -> CliqAPIError:
    """The typed error for any answer outside ``success_statuses`` (not for throttles); the body must be read.

    One place for every status: documented errors get their subclass
    (:func:`error_from_response`), anything else (2xx/3xx not documented, an
    unlisted 4xx) an :class:`UnexpectedStatusError`, so no status escapes the
    :class:`CliqError` hierarchy.
    """
    status = response.status_code
    if status in success_statuses:
        raise ValueError(f"HTTP {status} is a success status of {operation_id}, not an error")
    if status in _STATUS_ERRORS or status >= 500:
        return error_from_response(
            response, operation_id=operation_id, required_scopes=required_scopes, default_messages=default_messages
        )
    body, code, message = parse_error_body(response)
    if message is None:
        message = f"undocumented status {status} {response.reason_phrase or ''}".rstrip()
    return UnexpectedStatusError(
        status_code=status, message=message, code=code, operation_id=operation_id, response=response, body=body
    )
