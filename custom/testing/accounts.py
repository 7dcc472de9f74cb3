"""Zoho accounts, emulated: OAuth clients, refresh tokens, access tokens, and the token endpoint.

``POST /oauth/v2/token`` with ``grant_type=refresh_token, client_id,
client_secret, refresh_token`` (form fields; query parameters are accepted
too, as Zoho does) answers:

* success: HTTP 200 ``{"access_token", "api_domain", "token_type": "Bearer", "expires_in"}``;
* unknown or revoked refresh token, unknown client, wrong secret, or a refresh
  token of another client: HTTP 200 ``{"error": "invalid_code"}`` (Zoho's real
  behaviour: errors of this endpoint are 200s);
* ``grant_type`` other than ``refresh_token``: HTTP 200 ``{"error": "unsupported_grant_type"}``;
* the 11th token for one refresh token within 10 minutes: HTTP 400
  ``{"error": "Access Denied", "error_description": "You have made too many
  requests continuously. Please try again after some time.", "status": "failure"}``.

Tokens are stored only as SHA-256 digests; what tests can see of a token is
its :func:`fingerprint`.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..clock import Clock
from .limits import IssuanceLimiter

__all__ = [
    "ALL_SCOPES",
    "CHANNELS_ALL_SCOPE",
    "ISSUANCE_LIMIT_BODY",
    "AccessTokenInfo",
    "Accounts",
    "Credentials",
    "TokenGrant",
    "fingerprint",
]

#: The four scopes of the Channels API.
ALL_SCOPES: tuple[str, ...] = (
    "ZohoCliq.Channels.CREATE",
    "ZohoCliq.Channels.READ",
    "ZohoCliq.Channels.UPDATE",
    "ZohoCliq.Channels.DELETE",
)
#: Zoho's umbrella scope: grants every Channels operation.
CHANNELS_ALL_SCOPE = "ZohoCliq.Channels.ALL"

ISSUANCE_LIMIT_BODY: Mapping[str, str] = {
    "error": "Access Denied",
    "error_description": "You have made too many requests continuously. Please try again after some time.",
    "status": "failure",
}

_REDACTED = "'***'"


def fingerprint(token: str) -> str:
    """A short, stable, non-reversible id of a token or secret (12 hex digits of its SHA-256)."""
    return _digest(token)[:12]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _zoho_token() -> str:
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


@attrs.frozen
class Credentials:
    """What an application needs to refresh tokens: OAuth client, refresh token, the user behind it.

    The secret and the refresh token never appear in ``repr``.
    """

    client_id: str
    client_secret: str = attrs.field(repr=lambda _: _REDACTED)
    refresh_token: str = attrs.field(repr=lambda _: _REDACTED)
    user_id: str
    scopes: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The credentials as plain JSON-able data (they are fake: printing them is fine)."""
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
            "user_id": self.user_id,
            "scopes": list(self.scopes),
        }


@attrs.frozen
class AccessTokenInfo:
    """What the emulator knows about a live access token (never the token itself)."""

    fingerprint: str
    user_id: str
    scopes: frozenset[str]
    issued_at: float
    expires_at: float
    refresh_fingerprint: str | None = None

    def allows(self, scopes: Iterable[str]) -> bool:
        """True if the token holds every scope (``ZohoCliq.Channels.ALL`` holds them all)."""
        return CHANNELS_ALL_SCOPE in self.scopes or all(scope in self.scopes for scope in scopes)


@attrs.frozen
class _RefreshToken:
    client_id: str
    user_id: str
    scopes: tuple[str, ...]


@attrs.frozen
class TokenGrant:
    """The answer of the token endpoint: status, JSON body, and whose refresh token it was."""

    status: int
    body: Mapping[str, Any] = attrs.field(repr=False)
    user_id: str | None = None
    refresh_fingerprint: str | None = None
    issued: bool = False


class Accounts:
    """OAuth clients and tokens of one emulator; thread-safe."""

    def __init__(self, clock: Clock, *, token_ttl: float, issue_limit: int, issue_window: float) -> None:
        self._clock = clock
        self.token_ttl = token_ttl
        self._lock = threading.Lock()
        self._clients: dict[str, str] = {}  # client_id -> digest of the secret
        self._refresh: dict[str, _RefreshToken] = {}  # digest -> record
        self._access: dict[str, AccessTokenInfo] = {}  # digest -> info
        self.issuance = IssuanceLimiter(clock, limit=issue_limit, window=issue_window)

    # -- administration ---------------------------------------------------------------

    def create_client(self) -> tuple[str, str]:
        """A new OAuth client: ``(client_id, client_secret)``."""
        client_id = "1000." + secrets.token_hex(15).upper()
        secret = secrets.token_hex(21)
        with self._lock:
            self._clients[client_id] = _digest(secret)
        return client_id, secret

    def create_refresh_token(
        self, user_id: str, scopes: Iterable[str], *, client: tuple[str, str] | None = None
    ) -> Credentials:
        client_id, secret = client if client is not None else self.create_client()
        token = _zoho_token()
        scope_tuple = tuple(dict.fromkeys(scopes))
        with self._lock:
            if self._clients.get(client_id) != _digest(secret):
                raise ValueError("unknown OAuth client or wrong secret")
            self._refresh[_digest(token)] = _RefreshToken(client_id, user_id, scope_tuple)
        return Credentials(
            client_id=client_id, client_secret=secret, refresh_token=token, user_id=user_id, scopes=scope_tuple
        )

    def revoke_refresh_token(self, refresh_token: str) -> bool:
        with self._lock:
            return self._refresh.pop(_digest(refresh_token), None) is not None

    def issue_access_token(
        self,
        user_id: str,
        scopes: Iterable[str],
        *,
        ttl: float | None = None,
        refresh_fingerprint: str | None = None,
    ) -> tuple[str, AccessTokenInfo]:
        token = _zoho_token()
        now = self._clock.now()
        info = AccessTokenInfo(
            fingerprint=fingerprint(token),
            user_id=user_id,
            scopes=frozenset(scopes),
            issued_at=now,
            expires_at=now + (self.token_ttl if ttl is None else ttl),
            refresh_fingerprint=refresh_fingerprint,
        )
        with self._lock:
            self._purge_expired(now)
            self._access[_digest(token)] = info
        return token, info

    def expire_access_token(self, token: str) -> bool:
        """Make ``token`` invalid now (as if it had reached its expiry)."""
        with self._lock:
            return self._access.pop(_digest(token), None) is not None

    def expire_access_tokens(self, user_id: str | None = None) -> int:
        """Expire every access token (of ``user_id``, if given); returns how many."""
        with self._lock:
            doomed = [d for d, info in self._access.items() if user_id is None or info.user_id == user_id]
            for digest in doomed:
                del self._access[digest]
            return len(doomed)

    def authenticate(self, token: str) -> AccessTokenInfo | None:
        """The live token's info, or ``None`` if unknown or expired."""
        with self._lock:
            digest = _digest(token)
            info = self._access.get(digest)
            if info is None:
                return None
            if self._clock.now() >= info.expires_at:
                del self._access[digest]
                return None
            return info

    def owner_of_refresh_token(self, refresh_token: str) -> str | None:
        with self._lock:
            record = self._refresh.get(_digest(refresh_token))
            return record.user_id if record else None

    # -- the token endpoint -----------------------------------------------------------

    def exchange(self, fields: Mapping[str, str], *, api_domain: str) -> TokenGrant:
        """Answer a ``POST /oauth/v2/token`` with these form fields."""
        if fields.get("grant_type") != "refresh_token":
            return TokenGrant(200, {"error": "unsupported_grant_type"})
        refresh_token = fields.get("refresh_token", "")
        client_id = fields.get("client_id", "")
        secret = fields.get("client_secret", "")
        digest = _digest(refresh_token)
        with self._lock:
            record = self._refresh.get(digest)
            client_ok = self._clients.get(client_id) == _digest(secret)
        if record is None or not client_ok or record.client_id != client_id:
            return TokenGrant(200, {"error": "invalid_code"}, user_id=record.user_id if record else None)
        refresh_fp = digest[:12]
        if not self.issuance.try_acquire(digest).allowed:
            return TokenGrant(400, dict(ISSUANCE_LIMIT_BODY), user_id=record.user_id, refresh_fingerprint=refresh_fp)
        token, info = self.issue_access_token(record.user_id, record.scopes, refresh_fingerprint=refresh_fp)
        body = {
            "access_token": token,
            "api_domain": api_domain,
            "token_type": "Bearer",
            "expires_in": round(info.expires_at - info.issued_at),
        }
        return TokenGrant(200, body, user_id=record.user_id, refresh_fingerprint=refresh_fp, issued=True)

    def _purge_expired(self, now: float) -> None:
        if len(self._access) > 10_000:
            for digest in [d for d, info in self._access.items() if info.expires_at <= now]:
                del self._access[digest]
