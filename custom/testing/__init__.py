"""An embedded emulator of the Zoho Cliq Channels API, for tests and demos (extra ``[testing]``).

It keeps real state (channels, members, roles, bots, approvals, archive,
pagination, sync tokens), checks every request against the bundled OpenAPI
document with openapi-core, authenticates with OAuth tokens from an emulated
Zoho accounts endpoint, enforces Zoho's rate limits and token-issuance limit
on an injectable clock, injects faults, and records what it received.

In-process, one line (no sockets)::

    from cliq_channels_client import testing
    emu = testing.CliqEmulator()                      # clock=FakeClock() to drive time
    transport = emu.transport()                       # httpx.Client and httpx.AsyncClient
    transport = emu.async_transport()                 # an httpx.ASGITransport
    client = emu.client()                             # create_client(...) wired to it, authorized, as in production

    emu.api_base_url   # "http://cliq.emulator.local/api/v2"
    emu.accounts_url   # "http://accounts.emulator.local"  (POST /oauth/v2/token)
    emu.credentials    # client_id, client_secret, refresh_token of emu.default_user

On loopback, one line::

    with emu.serve() as url:                          # "http://127.0.0.1:<port>/api/v2"
        url.accounts_url                              # "http://127.0.0.1:<port>"

From a shell: ``python -m cliq_channels_client.custom.testing serve --port 8765``.

Faults and inspection::

    emu.inject(testing.DropConnection(after_apply=True), operation_id="create_channel")
    emu.inject(testing.ErrorStatus(503, retry_after=2), operation_id="list_channels", times=2)
    emu.count(operation_id="create_channel", status=200)
    emu.requests[-1].headers["authorization"]         # "Zoho-oauthtoken ***"

Decisions where the reference is silent are listed in :mod:`.state`
(channels, listing, sync), :mod:`.limits` (rate limits), :mod:`.accounts`
(token endpoint) and :mod:`.faults`; in short: organization channels start
``pending``; reject deletes; sync reports deletions in ``removed_channel_ids``;
requests refused during a lock neither count nor extend it; unarchive answers
204 unless ``unarchive_status=200``.
"""

from __future__ import annotations

try:  # the optional dependencies of the [testing] extra
    import openapi_core  # noqa: F401
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
    import yaml  # noqa: F401
except ImportError as _missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"the Cliq emulator needs the [testing] extra ({_missing.name} is not installed): "
        "pip install 'cliq-channels-client[testing]'"
    ) from _missing

from .accounts import ALL_SCOPES, CHANNELS_ALL_SCOPE, Credentials, fingerprint
from .config import EmulatorConfig
from .contract import ContractViolation, check_response, load_contract
from .emulator import ACCOUNTS_HOST, API_HOST, CliqEmulator
from .faults import (
    TOKEN_ENDPOINT,
    Delay,
    DropConnection,
    ErrorStatus,
    ExpireToken,
    Fault,
    InjectedFault,
    NonJsonBody,
    ThrottleNow,
    TruncatedBody,
)
from .recording import RecordedRequest
from .server import ServerURL
from .state import DEFAULT_CONFIG, DEFAULT_PERMISSIONS, ORDERS, Bot, Team, User
from .transports import EmulatorASGITransport, EmulatorTransport

__all__ = [
    "ACCOUNTS_HOST",
    "ALL_SCOPES",
    "API_HOST",
    "CHANNELS_ALL_SCOPE",
    "DEFAULT_CONFIG",
    "DEFAULT_PERMISSIONS",
    "ORDERS",
    "TOKEN_ENDPOINT",
    "Bot",
    "CliqEmulator",
    "ContractViolation",
    "Credentials",
    "Delay",
    "DropConnection",
    "EmulatorASGITransport",
    "EmulatorConfig",
    "EmulatorTransport",
    "ErrorStatus",
    "ExpireToken",
    "Fault",
    "InjectedFault",
    "NonJsonBody",
    "RecordedRequest",
    "ServerURL",
    "Team",
    "ThrottleNow",
    "TruncatedBody",
    "User",
    "check_response",
    "fingerprint",
    "load_contract",
]
