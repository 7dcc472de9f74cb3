"""Suite-wide audit: no secret may appear in any log record produced by the package.

Every record emitted under the ``cliq_channels_client`` logger (forced to DEBUG
for the whole run) is rendered, extra fields included, and checked against
the secrets registered by tests and fixtures plus anything shaped like a Zoho
token.  A test during which a secret was logged fails in its teardown.
"""

from __future__ import annotations

import logging
import re
import threading

# Zoho access/refresh tokens look like "1000.<hex>.<hex>".
ZOHO_TOKEN_SHAPE = re.compile(r"\b1000\.[0-9a-f]{8,}\.[0-9a-f]{8,}\b")

_registered: set[str] = set()
_lock = threading.Lock()
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None)))


def register_secret(*secrets: str) -> None:
    """Mark strings that must never be logged (client secrets, refresh and access tokens)."""
    with _lock:
        _registered.update(s for s in secrets if s)


def find_secrets(text: str) -> list[str]:
    with _lock:
        found = [s for s in _registered if s in text]
    found += ZOHO_TOKEN_SHAPE.findall(text)
    return found


class SecretAuditHandler(logging.Handler):
    """Collects (logger, message) pairs of records that contain a secret."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.violations: list[tuple[str, str]] = []
        self.records_seen = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is a bug, but not this audit's
            text = str(record.msg)
        extras = " ".join(f"{k}={v!r}" for k, v in vars(record).items() if k not in _STANDARD_ATTRS)
        exc = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        rendered = f"{text} {extras} {exc}"
        self.records_seen += 1
        for secret in find_secrets(rendered):
            self.violations.append((record.name, f"secret of length {len(secret)} in: {record.msg!s:.120}"))
