"""A plain call loads only what it uses: no Redis, no emulator, no schema compiler, no trio.

Run in a fresh interpreter (``sys.modules`` of the test process holds everything
the suite imported): ``import cliq_channels_client``, ``create_client`` with a
static token, one ``get_channel`` sync and one async, against an
``httpx.MockTransport`` (no network).
"""

from __future__ import annotations

import json
import subprocess
import sys

#: Modules that only some users need; none may be imported by the common call.
OPTIONAL = (
    "redis",
    "cliq_channels_client.custom.redis_backend",
    "cliq_channels_client.custom.redis_store",
    "cliq_channels_client.custom.redis_limiter",
    "cliq_channels_client.custom.testing",
    "cliq_channels_client.testing",
    "cliq_channels_client.custom.pagination",
    "cliq_channels_client.custom.sync",
    "fastjsonschema",  # get_channel's only rule (a non-empty id) is the route's: nothing to compile
    "trio",
    "yaml",
    "starlette",
    "uvicorn",
    "hypothesis",
)

_SCRIPT = """
import asyncio, json, sys
import httpx
import cliq_channels_client
from cliq_channels_client import create_client
from cliq_channels_client.api.channels import get_channel

body = {"channel_id": "C1", "name": "general", "level": "organization", "status": "created"}
transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
client = create_client(access_token="1000.abc.def", base_url="https://cliq.zoho.com/api/v2", transport=transport)
sync_id = get_channel.sync("C1", client=client).channel_id

async def main():
    client = create_client(
        access_token="1000.abc.def", base_url="https://cliq.zoho.com/api/v2", async_transport=transport
    )
    async with client:
        return (await get_channel.asyncio("C1", client=client)).channel_id

async_id = asyncio.run(main())
print(json.dumps({"ids": [sync_id, async_id], "modules": sorted(sys.modules)}))
"""


def _loaded_by_a_plain_call() -> tuple[list[str], set[str]]:
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    return result["ids"], set(result["modules"])


def test_a_static_token_get_channel_imports_no_optional_module() -> None:
    ids, modules = _loaded_by_a_plain_call()
    assert ids == ["C1", "C1"]  # the calls went through the SDK's whole path...
    assert {"cliq_channels_client.custom.transport", "cliq_channels_client.custom.auth"} <= modules
    loaded = sorted(m for m in modules if any(m == name or m.startswith(f"{name}.") for name in OPTIONAL))
    assert loaded == []  # ...and loaded none of the modules only some users need
