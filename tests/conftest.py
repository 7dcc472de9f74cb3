"""Suite-wide fixtures: async tests run under asyncio and trio; logs are audited for secrets."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.secret_audit import SecretAuditHandler


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


_audit = SecretAuditHandler()


@pytest.fixture(scope="session", autouse=True)
def _package_logs_at_debug() -> Iterator[SecretAuditHandler]:
    """Make the package log everything it can, so the audit sees every record."""
    logger = logging.getLogger("cliq_channels_client")
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(_audit)
    yield _audit
    logger.removeHandler(_audit)
    logger.setLevel(previous)


@pytest.fixture(autouse=True)
def _no_secret_in_logs() -> Iterator[None]:
    """Fail the test during which any package log record contained a secret."""
    before = len(_audit.violations)
    yield
    new = _audit.violations[before:]
    assert not new, f"secrets found in log records: {new}"
