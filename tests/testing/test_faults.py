"""Fault injection: drops before/after applying, delays, error statuses, broken bodies, token and throttle faults."""

from __future__ import annotations

import json

import httpx
import pytest

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.custom.testing import (
    TOKEN_ENDPOINT,
    CliqEmulator,
    Delay,
    DropConnection,
    ErrorStatus,
    ExpireToken,
    NonJsonBody,
    ThrottleNow,
    TruncatedBody,
)

from .conftest import Api

NEW = {"name": "Zylker-Support", "level": "private"}


def test_drop_before_apply_changes_nothing(api: Api) -> None:
    api.emu.inject(DropConnection(), operation_id="create_channel")
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/channels", json=NEW)
    assert api.emu.channel_count() == 0
    record = api.emu.last_request("create_channel")
    assert record is not None
    assert (record.status, record.fault, record.applied) == (None, "drop", False)
    assert api.post("/channels", json=NEW).status_code == 200  # times=1: the next one goes through
    assert api.emu.channel_count() == 1


def test_drop_after_apply_makes_a_replayed_post_a_duplicate(api: Api) -> None:
    api.emu.inject(DropConnection(after_apply=True), operation_id="create_channel")
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/channels", json=NEW)
    assert api.emu.channel_count() == 1
    record = api.emu.last_request("create_channel")
    assert record is not None
    assert (record.status, record.fault, record.applied) == (None, "drop_after_apply", True)
    replay = api.post("/channels", json=NEW)
    assert replay.status_code == 200
    assert replay.json()["unique_name"] == "zylkersupport2"
    names = [c["name"] for c in api.get("/channels").json()["channels"]]
    assert names == ["#Zylker-Support", "#Zylker-Support"]


def test_refused_and_reset_connections(api: Api) -> None:
    api.emu.inject(DropConnection(error="refuse"), operation_id="list_channels")
    expected_refusal = httpx.ConnectError if api.mode == "in-process" else httpx.RemoteProtocolError
    with pytest.raises(expected_refusal):
        api.get("/channels")
    api.emu.inject(DropConnection(error="reset"), operation_id="list_channels")
    with pytest.raises(httpx.ReadError):
        api.get("/channels")
    assert api.get("/channels").status_code == 200
    with pytest.raises(ValueError, match="cannot be applied"):
        DropConnection(error="refuse", after_apply=True)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_error_statuses_with_retry_after(api: Api, status: int) -> None:
    api.emu.inject(ErrorStatus(status, retry_after=7), operation_id="create_channel")
    response = api.post("/channels", json=NEW, check=status == 500)
    assert response.status_code == status
    assert response.headers["Retry-After"] == "7"
    assert (
        response.json()["message"] == "Cliq server encountered an error which prevents it from fulfilling the request."
    )
    assert api.emu.channel_count() == 0


def test_error_status_after_apply(api: Api) -> None:
    api.emu.inject(ErrorStatus(500, after_apply=True), operation_id="create_channel")
    response = api.post("/channels", json=NEW)
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert api.emu.channel_count() == 1


def test_truncated_body_closing_the_connection(api: Api) -> None:
    api.emu.inject(TruncatedBody(), operation_id="create_channel")
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        api.post("/channels", json=NEW)
    assert api.emu.channel_count() == 1
    cid = api.create()["channel_id"]
    api.emu.inject(TruncatedBody(), operation_id="archive_channel")  # 204: nothing to cut, dropped instead
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(f"/channels/{cid}/archive")
    assert api.get(f"/channels/{cid}").json()["status"] == "archived"


def test_truncated_body_as_a_complete_short_response(api: Api) -> None:
    cid = api.create()["channel_id"]
    api.emu.inject(TruncatedBody(keep=0.3, close_connection=False), operation_id="get_channel")
    response = api.get(f"/channels/{cid}", check=False)
    assert response.status_code == 200
    assert 0 < len(response.content) < len(api.get(f"/channels/{cid}").content)
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_non_json_bodies(api: Api) -> None:
    api.emu.inject(NonJsonBody(after_apply=False), operation_id="create_channel")
    proxy = api.post("/channels", json=NEW, check=False)
    assert proxy.status_code == 502
    assert proxy.headers["content-type"].startswith("text/html")
    assert api.emu.channel_count() == 0
    api.emu.inject(NonJsonBody(), operation_id="create_channel")
    applied = api.post("/channels", json=NEW, check=False)
    assert applied.status_code == 200
    assert applied.text.startswith("<html>")
    assert api.emu.channel_count() == 1


def test_an_after_apply_fault_waits_for_a_request_that_is_applied(api: Api) -> None:
    """Requests failing earlier (401, 406, 400) leave it for the first one whose handler runs."""
    injected = api.emu.inject(NonJsonBody(), operation_id="create_channel", skip=1)
    bad_token = {"Authorization": "Zoho-oauthtoken 1000.nope.nope"}
    assert api.post("/channels", json=NEW, headers=bad_token).status_code == 401
    assert api.post("/channels", json=NEW, headers={"Accept": "text/html"}).status_code == 406
    assert api.post("/channels", json={"level": "private"}).status_code == 400  # no name: refused
    assert (injected.seen, injected.hits) == (0, 0)
    assert api.post("/channels", json=NEW).status_code == 200  # skipped
    struck = api.post("/channels", json={**NEW, "name": "Second"}, check=False)
    assert (struck.status_code, struck.text[:6]) == (200, "<html>")
    assert (injected.seen, injected.hits, injected.active) == (2, 1, False)
    record = api.emu.last_request("create_channel")
    assert record is not None
    assert (record.fault, record.applied) == ("non_json_body", True)
    assert api.emu.channel_count() == 2


def test_an_after_apply_fault_strikes_the_handlers_own_error(api: Api) -> None:
    api.emu.inject(TruncatedBody(close_connection=False), operation_id="get_channel")
    missing = api.get("/channels/T404", check=False)  # handler ran: 404, its body cut short
    assert missing.status_code == 404
    with pytest.raises(json.JSONDecodeError):
        json.loads(missing.content)


def test_token_faults_wait_for_a_request_with_a_valid_token(api: Api, clock: FakeClock) -> None:
    expire = api.emu.inject(ExpireToken(), operation_id="list_channels")
    throttle = api.emu.inject(ThrottleNow(), operation_id="get_channel")
    bad_token = {"Authorization": "Zoho-oauthtoken 1000.nope.nope"}
    assert api.get("/channels", headers=bad_token).status_code == 401
    assert api.get("/channels/T1", headers=bad_token).status_code == 401
    assert (expire.hits, throttle.hits) == (0, 0)
    assert api.get("/channels/T1").status_code == 429
    assert api.get("/channels").status_code == 401
    assert (expire.hits, throttle.hits) == (1, 1)


def test_a_before_apply_fault_strikes_whatever_the_token(api: Api) -> None:
    api.emu.inject(ErrorStatus(503), operation_id="list_channels")
    bad_token = {"Authorization": "Zoho-oauthtoken 1000.nope.nope"}
    assert api.get("/channels", headers=bad_token, check=False).status_code == 503
    assert api.get("/channels").status_code == 200


def test_delay_runs_on_the_emulators_clock(api: Api, clock: FakeClock) -> None:
    before = clock.now()
    api.emu.inject(Delay(45), operation_id="list_channels")
    assert api.get("/channels").status_code == 200
    assert clock.now() == before + 45
    api.emu.inject(Delay(10, after_apply=True), operation_id="create_channel")
    assert api.post("/channels", json=NEW).status_code == 200
    assert clock.now() == before + 55


@pytest.mark.parametrize("mode", ["in-process", "loopback"])
def test_a_real_delay_beyond_the_read_timeout_is_a_read_timeout(mode: str) -> None:
    with CliqEmulator() as emu:  # the system clock: the delay really waits
        headers = {"Authorization": f"Zoho-oauthtoken {emu.issue_access_token()}"}
        emu.inject(Delay(0.5), operation_id="list_channels")
        if mode == "in-process":
            client = httpx.Client(transport=emu.transport(), base_url=emu.api_base_url, headers=headers, timeout=0.1)
            with client, pytest.raises(httpx.ReadTimeout):
                client.get("/channels")
        else:
            with (
                emu.serve() as url,
                httpx.Client(base_url=url, headers=headers, timeout=0.1) as client,
                pytest.raises(httpx.ReadTimeout),
            ):
                client.get("/channels")


def test_expire_token_now(api: Api) -> None:
    api.emu.inject(ExpireToken(), operation_id="list_channels")
    first = api.get("/channels")
    assert first.status_code == 401
    assert first.json()["code"] == "oauthtoken_invalid"
    assert api.get("/channels/T1").status_code == 401  # the token itself is gone
    with pytest.raises(ValueError, match="token endpoint"):
        api.emu.inject(ExpireToken(), operation_id=TOKEN_ENDPOINT)


def test_throttle_now(api: Api, clock: FakeClock) -> None:
    lock = OPERATIONS_BY_ID["list_channels"].rate_limit.lock  # the document's, from the operation table
    api.emu.inject(ThrottleNow(), operation_id="list_channels")
    throttled = api.get("/channels")
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == f"{lock:g}"
    assert api.get("/channels").status_code == 429  # the lock stays
    assert api.get("/channels/T1").status_code == 404  # other operations are open
    clock.advance(lock)
    assert api.get("/channels").status_code == 200
    api.emu.inject(ThrottleNow(lock_seconds=5), operation_id="list_channels")
    assert api.get("/channels").headers["Retry-After"] == "5"


def test_faults_on_the_token_endpoint(api: Api, clock: FakeClock) -> None:
    emu = api.emu
    creds = emu.credentials
    url = emu.token_url if api.mode == "in-process" else str(api.http.base_url).replace("/api/v2/", "/oauth/v2/token")
    form = {
        "grant_type": "refresh_token",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "refresh_token": creds.refresh_token,
    }
    emu.inject(ThrottleNow(), operation_id=TOKEN_ENDPOINT)
    refused = api.http.post(url, data=form)
    assert (refused.status_code, refused.json()["error"]) == (400, "Access Denied")
    # tokens issued but never delivered still count toward the issuance limit
    emu.inject(DropConnection(after_apply=True), operation_id=TOKEN_ENDPOINT, times=10)
    for _ in range(10):
        with pytest.raises(httpx.RemoteProtocolError):
            api.http.post(url, data=form)
    assert api.http.post(url, data=form).status_code == 400
    assert emu.count(operation_id=TOKEN_ENDPOINT, fault="drop_after_apply") == 10
    clock.advance(600)
    emu.inject(ErrorStatus(503, retry_after=1), operation_id=TOKEN_ENDPOINT)
    assert api.http.post(url, data=form).status_code == 503
    assert api.http.post(url, data=form).status_code == 200


def test_scoping_by_operation_user_times_and_skip(local: Api) -> None:
    emu = local.emu
    other_user = emu.create_user("Other")
    other = local.as_user(other_user)
    injected = emu.inject(ErrorStatus(503), operation_id="list_channels", times=2, skip=1)
    assert (injected.remaining, injected.active) == (2, True)
    assert local.get("/channels/T1").status_code == 404  # another operation
    assert local.get("/channels").status_code == 200  # skipped
    assert local.get("/channels", check=False).status_code == 503
    assert other.get("/channels", check=False).status_code == 503
    assert local.get("/channels").status_code == 200
    assert (injected.remaining, injected.active, injected.hits) == (0, False, 2)

    only_other = emu.inject(ErrorStatus(500), user=other_user, times=None)
    assert local.get("/channels").status_code == 200
    assert other.get("/channels", check=False).status_code == 500
    assert other.get("/channels/T1", check=False).status_code == 500
    only_other.cancel()
    assert other.get("/channels").status_code == 200

    emu.inject(ErrorStatus(500), times=None)  # any operation
    assert local.get("/channels", check=False).status_code == 500
    assert emu.faults.active
    emu.clear_faults()
    assert not emu.faults.active
    assert local.get("/channels").status_code == 200
    with pytest.raises(ValueError, match="unknown operation_id"):
        emu.inject(ErrorStatus(), operation_id="make_coffee")
    with pytest.raises(ValueError, match="times"):
        emu.inject(ErrorStatus(), times=0)


@pytest.mark.anyio
async def test_async_transport_maps_drops_and_faults(emu: CliqEmulator) -> None:
    token = emu.issue_access_token()
    async with httpx.AsyncClient(
        transport=emu.async_transport(),
        base_url=emu.api_base_url,
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
    ) as client:
        assert isinstance(client._transport, httpx.ASGITransport)
        emu.inject(DropConnection(after_apply=True), operation_id="create_channel")
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/channels", json=NEW)
        assert emu.channel_count() == 1
        emu.inject(DropConnection(error="refuse"), operation_id="create_channel")
        with pytest.raises(httpx.ConnectError):
            await client.post("/channels", json=NEW)
        emu.inject(TruncatedBody(), operation_id="list_channels")
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/channels")
        emu.inject(Delay(3), operation_id="list_channels")
        before = emu.clock.now()
        assert (await client.get("/channels")).status_code == 200
        assert emu.clock.now() == before + 3
