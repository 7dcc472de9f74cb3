"""Ways to run the emulator: in-process sync/async transports, the generated client, loopback server, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import anyio.to_thread
import httpx
import pytest

import cliq_channels_client
from cliq_channels_client import AuthenticatedClient
from cliq_channels_client.api.channels import create_channel, get_channel, list_channels
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.custom.testing import CliqEmulator, EmulatorTransport, ServerURL
from cliq_channels_client.models import Channel, ChannelList, CreateChannelRequest
from cliq_channels_client.models.channel_level import ChannelLevel


def test_package_reexport() -> None:
    from cliq_channels_client import testing

    assert testing.CliqEmulator is CliqEmulator
    assert cliq_channels_client.testing is testing


def test_sync_transport_is_safe_to_share_between_threads(clock: FakeClock) -> None:
    emu = CliqEmulator(clock=clock, rate_limits=False)
    token = emu.issue_access_token()
    transport = emu.transport()
    assert isinstance(transport, httpx.BaseTransport)
    assert isinstance(transport, httpx.AsyncBaseTransport)
    client = httpx.Client(
        transport=transport, base_url=emu.api_base_url, headers={"Authorization": f"Zoho-oauthtoken {token}"}
    )

    def create(i: int) -> str:
        response = client.post("/channels", json={"name": f"thread-{i}", "level": "private"})
        assert response.status_code == 200
        return str(response.json()["channel_id"])

    with emu, client, ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(200)))
    assert len(set(ids)) == 200
    assert emu.channel_count() == 200
    assert emu.count(operation_id="create_channel", status=200) == 200


def test_generated_client_sync_in_process() -> None:
    with CliqEmulator() as emu, emu.client() as client:
        created = create_channel.sync(
            client=client, body=CreateChannelRequest(name="Generated", level=ChannelLevel.PRIVATE)
        )
        assert isinstance(created, Channel)
        assert created.name == "#Generated"
        fetched = get_channel.sync(client=client, channel_id=str(created.channel_id))
        assert isinstance(fetched, Channel)
        assert fetched.unique_name == "generated"
        listed = list_channels.sync(client=client, limit=10)
        assert isinstance(listed, ChannelList)
        assert listed.additional_properties == {}


@pytest.mark.anyio
async def test_generated_client_async_in_process() -> None:
    emu = CliqEmulator()
    async with emu.client() as client:
        created = await create_channel.asyncio(
            client=client, body=CreateChannelRequest(name="Async", level=ChannelLevel.PRIVATE)
        )
        assert isinstance(created, Channel)
        page = await list_channels.asyncio(client=client)
        assert isinstance(page, ChannelList)
        assert [c.channel_id for c in page.channels or []] == [created.channel_id]
    emu.close()


@pytest.mark.anyio
async def test_shared_transport_serves_sync_and_async_clients_at_once() -> None:
    emu = CliqEmulator()
    transport: EmulatorTransport = emu.transport()
    headers = {"Authorization": f"Zoho-oauthtoken {emu.issue_access_token()}"}

    def sync_part() -> int:
        with httpx.Client(transport=transport, base_url=emu.api_base_url, headers=headers) as sync_client:
            return sync_client.post("/channels", json={"name": "sync", "level": "private"}).status_code

    assert await anyio.to_thread.run_sync(sync_part) == 200
    async with httpx.AsyncClient(transport=transport, base_url=emu.api_base_url, headers=headers) as async_client:
        listed = await async_client.get("/channels")
    assert [c["name"] for c in listed.json()["channels"]] == ["#sync"]
    emu.close()


def test_generated_client_against_the_loopback_server() -> None:
    with CliqEmulator() as emu, emu.serve() as url:
        assert isinstance(url, ServerURL)
        assert url.startswith("http://127.0.0.1:")
        assert url == f"{url.origin}/api/v2" == url.api_base_url
        assert url.accounts_url == url.origin
        assert url.token_url == f"{url.origin}/oauth/v2/token"
        token = httpx.post(
            url.token_url,
            data={
                "grant_type": "refresh_token",
                "client_id": emu.credentials.client_id,
                "client_secret": emu.credentials.client_secret,
                "refresh_token": emu.credentials.refresh_token,
            },
        ).json()
        assert token["api_domain"] == url.origin
        client = AuthenticatedClient(base_url=url, token=token["access_token"], prefix="Zoho-oauthtoken")
        with client:
            created = create_channel.sync(
                client=client, body=CreateChannelRequest(name="Loopback", level=ChannelLevel.PRIVATE)
            )
            assert isinstance(created, Channel)
            assert created.image_url is not None
            assert str(created.image_url).startswith(url.origin)
        port = url.port
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/api/v2/channels", timeout=2)


def test_two_servers_share_one_state() -> None:
    with CliqEmulator() as emu, emu.serve() as first, emu.serve() as second:
        headers = {"Authorization": f"Zoho-oauthtoken {emu.issue_access_token()}"}
        created = httpx.post(f"{first}/channels", json={"name": "shared", "level": "private"}, headers=headers)
        fetched = httpx.get(f"{second}/channels/{created.json()['channel_id']}", headers=headers)
        assert fetched.status_code == 200
        assert first.port != second.port


def test_cli_serves_and_prints_credentials(tmp_path: Path) -> None:
    credentials_file = tmp_path / "credentials.json"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cliq_channels_client.custom.testing",
            "serve",
            "--port",
            "0",
            "--channels",
            "25",
            "--throttle-style",
            "400",
            "--credentials-file",
            str(credentials_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        output = "".join(lines)
        assert "Cliq Channels emulator listening on http://127.0.0.1:" in output
        assert "client_secret:" in output
        info = json.loads(credentials_file.read_text())
        assert oct(credentials_file.stat().st_mode & 0o777) == "0o600"
        assert info["refresh_token"] in output
        token = httpx.post(
            info["token_url"],
            data={
                "grant_type": "refresh_token",
                "client_id": info["client_id"],
                "client_secret": info["client_secret"],
                "refresh_token": info["refresh_token"],
            },
        ).json()["access_token"]
        headers = {"Authorization": f"Zoho-oauthtoken {token}"}
        listed = httpx.get(f"{info['api_base_url']}/channels", params={"limit": 100}, headers=headers)
        assert len(listed.json()["channels"]) == 25
        for _ in range(OPERATIONS_BY_ID["list_channels"].rate_limit.threshold - 1):  # the document's limit
            httpx.get(f"{info['api_base_url']}/channels", headers=headers)
        throttled = httpx.get(f"{info['api_base_url']}/channels", headers=headers)
        assert throttled.status_code == 400
        assert throttled.json()["code"] == "request_limit_exceeded"
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert info["client_secret"] not in errors
    assert info["refresh_token"] not in errors


def test_cli_rejects_a_busy_port() -> None:
    with CliqEmulator().serve() as url:
        result = subprocess.run(
            [sys.executable, "-m", "cliq_channels_client.custom.testing", "serve", "--port", str(url.port)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 1
    assert "cannot serve" in result.stderr


def test_seeding_ten_thousand_channels_gives_ten_thousand_distinct_ids() -> None:
    # How fast seeding is belongs to the benchmarks (seeding is timed inside them), not to a test's stopwatch.
    emu = CliqEmulator()
    ids = emu.seed_channels(10_000)
    assert len(set(ids)) == 10_000
    assert emu.channel_count() == 10_000
    assert repr(emu) == "CliqEmulator(channels=10000, users=1)"


def test_loopback_and_in_process_clients_at_once(clock: FakeClock) -> None:
    emu = CliqEmulator(clock=clock, rate_limits=False, validate_responses=True)
    headers = {"Authorization": f"Zoho-oauthtoken {emu.issue_access_token()}"}
    with emu, emu.serve() as url:
        clients = [httpx.Client(base_url=url, headers=headers) for _ in range(4)] + [
            httpx.Client(transport=emu.transport(), base_url=emu.api_base_url, headers=headers) for _ in range(4)
        ]

        def work(client: httpx.Client) -> set[int]:
            statuses = set()
            for i in range(25):
                created = client.post("/channels", json={"name": f"c{i}", "level": "private"})
                statuses.add(created.status_code)
                statuses.add(client.get(f"/channels/{created.json()['channel_id']}").status_code)
            return statuses

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(work, clients))
        for client in clients:
            client.close()
    assert results == [{200}] * 8
    assert emu.channel_count() == 200
    assert emu.count(status=200) == 400
