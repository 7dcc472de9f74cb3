"""Zoho's token endpoint: the token request, what its answer means, and which credentials may travel.

``POST {accounts}/oauth/v2/token`` with ``grant_type=refresh_token``; success
is ``{"access_token", "api_domain", "expires_in", ...}``, a bad refresh token
an HTTP 200 ``{"error": "invalid_code"}``, the issuance limit an HTTP 400
``{"error": "Access Denied", "error_description": "You have made too many
requests continuously..."}``.  Everything here is checked where it enters the
client, before a token is stored or sent anywhere; no message quotes a body,
a token or a secret.  The refresh logic itself (when, single-flight, the
issuance budget's use) is ``auth.py``'s; :class:`IssuanceBudget` counts.
"""

from __future__ import annotations

import datetime
import logging
import math
from functools import lru_cache
from typing import Any

import httpx

from .data_centres import trusted_cliq_origin
from .errors import MAX_ERROR_CODE_LENGTH, CliqValidationError, TokenRefreshError
from .operations import TOKEN_REQUEST_EXTENSION
from .strict_json import loads_strict
from .tokens import Token, credential_problem

__all__ = [
    "IssuanceBudget",
    "TokenEndpoint",
    "check_credential",
    "error_code",
    "is_issuance_refusal",
    "token_from_response",
    "trusted_origin",
    "unsendable",
    "untrusted_api_domain",
]

_log = logging.getLogger("cliq_channels_client.auth")

#: Zoho's ``error`` for the issuance limit (HTTP 400, "too many requests continuously").
_ISSUANCE_LIMIT_ERROR = "access denied"
#: Zoho's documented access-token lifetime, used when a response omits ``expires_in`` or gives an
#: unusable one (not a number, not finite, <= 0, or above :data:`_MAX_LIFETIME`).
_DEFAULT_LIFETIME = 3600.0
#: Longest ``expires_in`` believed (one day; Zoho issues one-hour tokens): a larger one would keep a
#: revoked token "fresh" for as long as the server said, so the documented default is used instead.
_MAX_LIFETIME = 86_400.0
_HINTS = {
    "invalid_code": "the refresh token is invalid, revoked or belongs to another data centre; create a new one",
    "invalid_client": "the client id is unknown to this accounts server (wrong data centre?)",
    "invalid_client_secret": "the client secret does not match the client id",
}


@lru_cache(maxsize=64)
def trusted_origin(api_domain: str) -> httpx.URL | None:
    """The Cliq origin of a trusted ``api_domain`` (HTTPS, a centre of the table), else ``None``."""
    origin = trusted_cliq_origin(api_domain)
    return None if origin is None else httpx.URL(origin)


def untrusted_api_domain() -> TokenRefreshError:
    return TokenRefreshError(
        "the token response names an api_domain that is not the HTTPS host of a known Zoho data centre; "
        "the access token is not sent there (pass base_url= to reach another host explicitly)",
        error_code="untrusted_api_domain",
    )


def _lifetime(expires_in: Any) -> float:
    """Seconds the token is valid: ``expires_in`` if it is a sane number, else the documented default."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        return _DEFAULT_LIFETIME
    seconds = float(expires_in)
    if not math.isfinite(seconds) or seconds <= 0 or seconds > _MAX_LIFETIME:
        return _DEFAULT_LIFETIME
    return seconds


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The body if it is a JSON object; ``None`` for anything else (too deep, a list, not JSON).

    Non-finite numbers are let through: ``expires_in: NaN`` still brings a
    usable token, whose lifetime ``tokens.py`` bounds to the documented default.
    """
    try:
        body = loads_strict(response.content, allow_non_finite=True)
    except ValueError:
        return None
    return body if type(body) is dict else None


def is_issuance_refusal(response: httpx.Response) -> bool:
    if response.status_code == 429:
        return True
    body = _json_object(response)
    if response.status_code != 400 or body is None:
        return False
    error = str(body.get("error", "")).lower()
    description = str(body.get("error_description", "")).lower()
    return error == _ISSUANCE_LIMIT_ERROR or "too many requests" in description


def error_code(response: httpx.Response) -> str | None:
    """Zoho's ``error`` code: a short string, else ``None`` (a nested or huge value is no code for a message)."""
    error = (_json_object(response) or {}).get("error")
    return error if isinstance(error, str) and len(error) <= MAX_ERROR_CODE_LENGTH else None


def token_from_response(response: httpx.Response, now: float, *, follow_api_domain: bool) -> Token:
    """The token of a successful answer; anything else is a :class:`TokenRefreshError` (no body text in it).

    The token is checked here, where it enters the client: text that cannot
    go in a header, or (when requests follow it) an ``api_domain`` outside the
    data-centre table, is refused before it is stored or sent anywhere.
    """
    status = response.status_code
    if response.is_redirect:
        raise TokenRefreshError(
            f"the accounts server answered HTTP {status} with a redirect; token requests are never redirected "
            "(their body holds the client secret and the refresh token): check accounts_url / data_centre"
        )
    body = _json_object(response)
    if body is None:
        raise TokenRefreshError(f"the accounts server answered HTTP {status} without a JSON object; no token obtained")
    if "error" in body or status != 200:
        code = error_code(response)
        hint = _HINTS.get(code or "", "no token obtained")
        raise TokenRefreshError(
            f"the accounts server refused the token request (HTTP {status}, error={code!r}): {hint}", error_code=code
        )
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise TokenRefreshError(f"the accounts server answered HTTP {status} without an access_token")
    problem = credential_problem(access_token)
    if problem is not None:
        raise TokenRefreshError(f"the accounts server issued an access token that {problem}; it is not used")
    api_domain = body.get("api_domain")
    api_domain = api_domain if isinstance(api_domain, str) and api_domain else None
    if follow_api_domain and api_domain is not None and trusted_origin(api_domain) is None:
        raise untrusted_api_domain()
    scope = body.get("scope")
    return Token(
        access_token=access_token,
        expires_at=now + _lifetime(body.get("expires_in")),
        api_domain=api_domain,
        scope=scope if isinstance(scope, str) else None,
        obtained_at=now,
    )


def unsendable(token: Token, follow_api_domain: bool) -> TokenRefreshError | None:
    """Why ``token`` (issued, or found in a store anyone writes) must not be sent, or ``None``.

    Text unfit for a header, or (when requests follow it) an untrusted ``api_domain``.
    """
    if credential_problem(token.access_token) is not None:
        return TokenRefreshError("the token store holds an access token that cannot be sent in a header")
    if follow_api_domain and token.api_domain and trusted_origin(token.api_domain) is None:
        return untrusted_api_domain()
    return None


def check_credential(field: str, value: str) -> None:
    """Refuse, before anything is sent, a credential that cannot travel as given (the message omits its value)."""
    problem = credential_problem(value) if isinstance(value, str) else "is not a string"
    if problem is not None:
        raise CliqValidationError(operation_id=None, field=field, rule="pattern", detail=f"{field} {problem}")


class TokenEndpoint:
    """Where and with what a refresh token is exchanged; the repr names the URL only, never a credential."""

    __slots__ = ("_client_id", "_client_secret", "_refresh_token", "url")

    def __init__(self, *, url: str, client_id: str, client_secret: str, refresh_token: str) -> None:
        check_credential("client_id", client_id)
        check_credential("client_secret", client_secret)
        check_credential("refresh_token", refresh_token)
        self.url = url
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token

    def __repr__(self) -> str:
        return f"TokenEndpoint(url={self.url!r})"

    def request(self, api_request: httpx.Request) -> httpx.Request:
        """The token request; it inherits the API request's timeout (httpx sets none on a bare Request)."""
        timeout = api_request.extensions.get("timeout")
        extensions: dict[str, Any] = {TOKEN_REQUEST_EXTENSION: self.url}
        if timeout is not None:
            extensions["timeout"] = timeout
        return httpx.Request(
            "POST",
            self.url,
            data={
                "grant_type": "refresh_token",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
                "refresh_token": self._refresh_token,
            },
            extensions=extensions,
        )


def _when(timestamp: float, now: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat(timespec="seconds")
    return f"{moment.replace('+00:00', 'Z')} (in {max(timestamp - now, 0.0):.0f}s)"


class IssuanceBudget:
    """Zoho's issuance limit: at most ``max_requests`` token requests per refresh token in ``window`` seconds.

    Zoho blocks a refresh token that exceeds it, so the client counts its own
    token requests (their times, ``TokenState.issued``, shared through the
    store) and refuses to send one more; a refusal by Zoho spends the budget.
    """

    __slots__ = ("max_requests", "window")

    def __init__(self, max_requests: int, window: float) -> None:
        if max_requests < 1:
            raise ValueError("max_token_requests must be >= 1")
        if window <= 0:
            raise ValueError("token_request_window must be > 0")
        self.max_requests = max_requests
        self.window = float(window)

    def recent(self, issued: tuple[float, ...], now: float) -> tuple[float, ...]:
        """The token requests still inside the window, oldest first."""
        return tuple(sorted(t for t in issued if t > now - self.window))

    def spent(self, recent: tuple[float, ...], now: float, extra: dict[str, Any]) -> TokenRefreshError | None:
        """The refusal (logged) if ``recent`` requests leave no room for one more, else ``None``."""
        if len(recent) < self.max_requests:
            return None
        retry_at = recent[len(recent) - self.max_requests] + self.window
        _log.warning(
            "token refresh refused by the client: issuance budget of %d per %.0fs spent; retry at %s",
            self.max_requests,
            self.window,
            _when(retry_at, now),
            extra=extra,
        )
        return TokenRefreshError(
            f"no token request sent: {len(recent)} token requests were made with this refresh token in "
            f"the last {self.window:.0f}s, Zoho's issuance limit is {self.max_requests}; "
            f"retry after {_when(retry_at, now)}",
            retry_at=retry_at,
        )

    def all_spent(self, recent: tuple[float, ...], now: float) -> tuple[float, ...]:
        """What to record when Zoho refused: the whole budget spent now, so nobody asks again this window."""
        return (now,) * max(self.max_requests, len(recent))

    def refused_by_zoho(self, response: httpx.Response, now: float, extra: dict[str, Any]) -> TokenRefreshError:
        """The error (logged) for Zoho's issuance-limit answer."""
        retry_at = now + self.window
        _log.warning("token refresh refused by Zoho (issuance limit); retry at %s", _when(retry_at, now), extra=extra)
        return TokenRefreshError(
            f"Zoho refused the token request (HTTP {response.status_code}): too many token requests with this "
            f"refresh token; no further token request will be sent before {_when(retry_at, now)}",
            error_code=error_code(response),
            retry_at=retry_at,
        )
