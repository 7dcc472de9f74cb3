"""What the emulator received: one record per request, secrets redacted.

A record keeps the method, path, query, operation, user, clock time, the
status the client received (``None`` when the connection was dropped), the
parsed JSON (or form) body, the headers, the injected fault and whether the
request was applied.  The ``Authorization`` header is replaced by its scheme
and a fingerprint of the token; ``client_secret``, ``refresh_token`` and other
secret fields are replaced by ``"***"`` wherever they appear (body or query).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

__all__ = ["REDACTED", "SECRET_FIELDS", "RecordedRequest", "Recorder", "redact_fields", "redact_headers"]

REDACTED = "***"
#: Field names whose values are never stored (body or query).
SECRET_FIELDS = frozenset({"client_secret", "refresh_token", "access_token", "code", "password", "token"})
_SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})


def redact_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {key: (REDACTED if key.lower() in SECRET_FIELDS else value) for key, value in fields.items()}


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in headers:
        name = key.lower()
        if name == "authorization":
            scheme = value.split(" ", 1)[0] if " " in value else ""
            out[name] = f"{scheme} {REDACTED}".strip()
        elif name in _SECRET_HEADERS:
            out[name] = REDACTED
        else:
            out[name] = value
    return out


@attrs.frozen
class RecordedRequest:
    """One request the emulator received.

    ``operation_id`` is the document's operation id, ``"oauth_token"`` for the
    token endpoint (:data:`~.faults.TOKEN_ENDPOINT`), or ``None`` for an
    unknown route.  ``token_fingerprint`` identifies the access token used (or,
    on the token endpoint, the refresh token) without revealing it; compare it
    with :func:`~.accounts.fingerprint`.
    """

    seq: int
    time: float
    method: str
    path: str
    query: Mapping[str, str]
    operation_id: str | None
    network: str | None
    user_id: str | None
    status: int | None
    body: Any = attrs.field(repr=False)
    headers: Mapping[str, str] = attrs.field(repr=False)
    token_fingerprint: str | None = None
    fault: str | None = None
    applied: bool = False


class Recorder:
    """A bounded, thread-safe log of :class:`RecordedRequest` (oldest dropped first)."""

    def __init__(self, max_records: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._records: deque[RecordedRequest] = deque(maxlen=max_records or None)
        self._seq = 0

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def add(self, record: RecordedRequest) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> tuple[RecordedRequest, ...]:
        with self._lock:
            return tuple(self._records)

    def count(
        self,
        *,
        operation_id: str | None = None,
        status: int | None = None,
        user_id: str | None = None,
        method: str | None = None,
        fault: str | None = None,
    ) -> int:
        return len(self.select(operation_id=operation_id, status=status, user_id=user_id, method=method, fault=fault))

    def select(
        self,
        *,
        operation_id: str | None = None,
        status: int | None = None,
        user_id: str | None = None,
        method: str | None = None,
        fault: str | None = None,
    ) -> list[RecordedRequest]:
        """Records matching every given criterion (``None`` matches anything)."""
        return [
            r
            for r in self.snapshot()
            if (operation_id is None or r.operation_id == operation_id)
            and (status is None or r.status == status)
            and (user_id is None or r.user_id == user_id)
            and (method is None or r.method == method.upper())
            and (fault is None or r.fault == fault)
        ]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
