"""No secret in any log record or exception of a client on the emulator, however its calls fail.

The suite's audit (``tests/conftest.py``) fails any test during which a
registered secret, or anything shaped like a Zoho token, reaches a package log
record; here the failures are provoked on purpose and the exceptions are checked too.
"""

from __future__ import annotations

import logging

import pytest

from cliq_channels_client import (
    AuthenticationError,
    CliqError,
    MalformedResponseError,
    OperationLockedError,
    ThrottledError,
    TokenRefreshError,
)
from cliq_channels_client.api.channels import create_channel, get_channel
from cliq_channels_client.custom.testing import TOKEN_ENDPOINT, ExpireToken, NonJsonBody, ThrottleNow
from cliq_channels_client.models import ChannelLevel, CreateChannelRequest
from tests.custom.emulator_support import Target, assert_no_secret, make_target_fixture
from tests.secret_audit import SecretAuditHandler, find_secrets

shared_target, target = make_target_fixture()

NEW = CreateChannelRequest(name="Zylker Support", level=ChannelLevel.PRIVATE)


class Seen(logging.Handler):
    """The package's records during one test, rendered."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_the_audit_recognizes_the_emulators_tokens_and_secrets(target: Target) -> None:
    credentials = target.emu.credentials
    for secret in (target.emu.issue_access_token(), credentials.refresh_token, credentials.client_secret):
        assert find_secrets(f"text around {secret} it") != []


def test_failing_calls_log_and_raise_without_secrets(target: Target) -> None:
    package = logging.getLogger("cliq_channels_client")
    audit = next(h for h in package.handlers if isinstance(h, SecretAuditHandler))  # installed by conftest
    seen_before, violations_before = audit.records_seen, len(audit.violations)
    handler = Seen()
    package.addHandler(handler)
    channel_id = target.emu.seed_channels(1)[0]
    errors: list[CliqError] = []
    try:
        with target.client() as client:
            get_channel.sync(channel_id, client=client)  # a token, refreshed and logged
            target.emu.inject(ExpireToken(), operation_id="get_channel", times=2)
            with pytest.raises(CliqError) as caught:  # 401, refresh, replay, 401 again
                get_channel.sync(channel_id, client=client)
            errors.append(caught.value)
            get_channel.sync(channel_id, client=client)  # 401 (the token was expired), refresh, replay: fine
            target.emu.inject(NonJsonBody(), operation_id="create_channel")
            with pytest.raises(CliqError) as caught:
                create_channel.sync(client=client, body=NEW)
            errors.append(caught.value)
            target.emu.inject(ThrottleNow(), operation_id="get_channel")
            for _ in range(2):
                with pytest.raises(CliqError) as caught:
                    get_channel.sync(channel_id, client=client)
                errors.append(caught.value)
            target.emu.expire_access_tokens()
            target.clock.advance(3600)
            target.emu.inject(ThrottleNow(), operation_id=TOKEN_ENDPOINT)
            with pytest.raises(CliqError) as caught:
                create_channel.sync(client=client, body=NEW)
            errors.append(caught.value)
    finally:
        package.removeHandler(handler)
    assert [type(error) for error in errors] == [
        AuthenticationError,
        MalformedResponseError,
        ThrottledError,
        OperationLockedError,
        TokenRefreshError,
    ]
    assert_no_secret(*errors)
    assert audit.records_seen - seen_before >= len(handler.records) > 10  # the audit saw every record
    assert len(audit.violations) == violations_before
    loggers = {record.name for record in handler.records}
    assert {"cliq_channels_client.auth", "cliq_channels_client.ratelimit", "cliq_channels_client.transport"} <= loggers
