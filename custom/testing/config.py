"""Knobs of the emulator, as one frozen value object."""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = ["EmulatorConfig"]


@attrs.frozen(kw_only=True)
class EmulatorConfig:
    """How the emulator behaves where Zoho leaves a choice, or where tests need one.

    ``throttle_status``: 429 answers a throttled call with
    ``{"message": "Too many requests within a certain time frame."}`` and a
    ``Retry-After`` header; 400 answers with Zoho's
    ``{"code": "request_limit_exceeded", ...}`` body and no ``Retry-After``.

    ``unarchive_status``: the reference shows both "204 No response" and
    ``200 {"status": "success", ...}`` for unarchive_channel.

    ``approval_required``: organization-level channels are created ``pending``
    until an organization admin approves (or rejects) them.

    ``auto_create_users``: unknown user ids / emails in request bodies create
    users on the fly instead of failing with HTTP 400.

    ``validate_responses``: check every response the emulator builds (faults
    aside) against the OpenAPI document; a violation becomes HTTP 500 and an
    error log, so contract drift fails tests loudly.
    """

    token_ttl: float = attrs.field(default=3600.0, validator=attrs.validators.gt(0))
    throttle_status: Literal[429, 400] = attrs.field(default=429, validator=attrs.validators.in_((429, 400)))
    unarchive_status: Literal[204, 200] = attrs.field(default=204, validator=attrs.validators.in_((204, 200)))
    rate_limits: bool = True
    token_issue_limit: int = attrs.field(default=10, validator=attrs.validators.gt(0))
    token_issue_window: float = attrs.field(default=600.0, validator=attrs.validators.gt(0))
    sync_limit: int = attrs.field(default=50, validator=attrs.validators.ge(0))
    default_page_size: int = attrs.field(default=50, validator=[attrs.validators.gt(0), attrs.validators.le(100)])
    approval_required: bool = True
    auto_create_users: bool = False
    organization_id: str = "4435792"
    utc_offset_minutes: int = attrs.field(
        default=0, validator=[attrs.validators.ge(-14 * 60), attrs.validators.le(14 * 60)]
    )
    api_domain: str | None = None
    max_recorded_requests: int = attrs.field(default=100_000, validator=attrs.validators.ge(0))
    validate_responses: bool = False
