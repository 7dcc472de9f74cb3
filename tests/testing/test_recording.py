"""What the emulator recorded: fields, filters, and redaction of every token and secret."""

from __future__ import annotations

import httpx
import pytest

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.testing import DropConnection, fingerprint

from .conftest import Api


def test_records_describe_each_request(api: Api, clock: FakeClock) -> None:
    emu = api.emu
    created = api.create(name="Recorded", description="body is kept")
    clock.advance(2)
    api.get("/channels", params={"limit": 5, "status": "created"})
    api.get("/nowhere", check=False)
    first, second, third = emu.requests
    assert first.method == "POST"
    assert first.path == "/api/v2/channels"
    assert first.operation_id == "create_channel"
    assert first.user_id == emu.default_user.user_id
    assert first.status == 200
    assert first.applied is True
    assert first.body == {"name": "Recorded", "level": "private", "description": "body is kept"}
    assert first.time == clock.now() - 2
    assert first.network is None
    assert second.query == {"limit": "5", "status": "created"}
    assert second.time == clock.now()
    assert second.seq > first.seq
    assert third.operation_id is None
    assert third.status == 404
    assert third.user_id == emu.default_user.user_id
    assert created["channel_id"]


def test_tokens_and_secrets_are_redacted_everywhere(api: Api) -> None:
    emu = api.emu
    creds = emu.credentials
    api.get("/channels")
    token_url = (
        emu.token_url if api.mode == "in-process" else str(api.http.base_url).replace("/api/v2/", "/oauth/v2/token")
    )
    issued = api.http.post(
        token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "refresh_token": creds.refresh_token,
        },
    ).json()["access_token"]
    listing, token_call = emu.requests
    assert listing.headers["authorization"] == "Zoho-oauthtoken ***"
    assert listing.token_fingerprint == fingerprint(api.token)
    assert token_call.body == {
        "grant_type": "refresh_token",
        "client_id": creds.client_id,
        "client_secret": "***",
        "refresh_token": "***",
    }
    everything = repr(emu.requests) + "".join(
        repr((r.body, r.query, dict(r.headers), r.token_fingerprint)) for r in emu.requests
    )
    for secret in (api.token, creds.client_secret, creds.refresh_token, issued):
        assert secret not in everything
    assert creds.client_secret not in repr(creds)
    assert creds.refresh_token not in repr(creds)
    assert creds.client_id in repr(creds)


def test_count_select_last_and_reset(local: Api) -> None:
    emu = local.emu
    other_user = emu.create_user("Other")
    other = local.as_user(other_user)
    local.get("/channels")
    local.get("/channels")
    other.get("/channels")
    local.get("/channels/T1")
    emu.inject(DropConnection(), operation_id="list_channels")
    with pytest.raises(httpx.RemoteProtocolError):
        local.get("/channels")
    assert emu.count(operation_id="list_channels") == 4
    assert emu.count(operation_id="list_channels", status=200) == 3
    assert emu.count(operation_id="list_channels", user=other_user) == 1
    assert emu.count(fault="drop") == 1
    assert emu.count(status=404, method="get") == 1
    last = emu.last_request()
    assert last is not None
    assert last.status is None
    emu.reset_requests()
    assert emu.requests == ()
    assert emu.count() == 0
    assert emu.last_request() is None
