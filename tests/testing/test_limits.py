"""Rate limits (the operation table's threshold per rolling minute, then its lock) and the token endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import THROTTLE_CODE
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.custom.testing import CliqEmulator, Credentials, fingerprint

from .conftest import Api

RULE = OPERATIONS_BY_ID["get_channel"].rate_limit
HALF = RULE.threshold // 2
LIST_THRESHOLD = OPERATIONS_BY_ID["list_channels"].rate_limit.threshold
ACCESS_DENIED = {
    "error": "Access Denied",
    "error_description": "You have made too many requests continuously. Please try again after some time.",
    "status": "failure",
}


def _exhaust(api: Api, path: str, n: int = RULE.threshold) -> None:
    for i in range(n):
        assert api.get(path).status_code == 200, i


def test_one_request_over_the_threshold_is_throttled_and_locks_the_operation(api: Api, clock: FakeClock) -> None:
    lock = int(RULE.lock)  # from the operation table
    assert RULE.window == 60.0
    cid = api.emu.seed_channels(1)[0]
    _exhaust(api, f"/channels/{cid}")
    throttled = api.get(f"/channels/{cid}")
    assert throttled.status_code == 429
    assert throttled.json() == {"message": "Too many requests within a certain time frame."}
    assert throttled.headers["Retry-After"] == str(lock)
    assert api.emu.locked_until("get_channel") == clock.now() + lock
    # other operations and other users are not locked
    assert api.get(f"/channels/{cid}/members").status_code == 200
    assert api.as_user(api.emu.create_user("Other")).get(f"/channels/{cid}").status_code == 200
    # still locked just before the lock ends; calls during the lock neither count nor extend it
    clock.advance(lock - 1)
    locked = api.get(f"/channels/{cid}")
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "1"
    clock.advance(1)
    assert api.get(f"/channels/{cid}").status_code == 200
    assert api.emu.count(operation_id="get_channel", status=429) == 2


def test_the_window_rolls(local: Api, clock: FakeClock) -> None:
    assert RULE.threshold == 2 * HALF
    cid = local.emu.seed_channels(1)[0]
    for _ in range(HALF):
        assert local.get(f"/channels/{cid}").status_code == 200
    clock.advance(30)
    for _ in range(HALF):
        assert local.get(f"/channels/{cid}").status_code == 200
    clock.advance(29.9)  # the first half are 59.9 s old: still in the window
    assert local.get(f"/channels/{cid}").status_code == 429
    local.emu.reset_limits()
    for _ in range(HALF):
        assert local.get(f"/channels/{cid}").status_code == 200
    clock.advance(30)
    for _ in range(HALF):
        assert local.get(f"/channels/{cid}").status_code == 200
    clock.advance(30)  # the first half are exactly 60 s old: out of the window
    for _ in range(HALF):
        assert local.get(f"/channels/{cid}").status_code == 200
    assert local.get(f"/channels/{cid}").status_code == 429


def test_throttle_may_answer_zohos_http_400(clock: FakeClock) -> None:
    emu = CliqEmulator(clock=clock, throttle_status=400)
    token = emu.issue_access_token()
    with (
        emu,
        httpx.Client(
            transport=emu.transport(), base_url=emu.api_base_url, headers={"Authorization": f"Zoho-oauthtoken {token}"}
        ) as http,
    ):
        for _ in range(LIST_THRESHOLD):
            assert http.get("/channels").status_code == 200
        throttled = http.get("/channels")
        assert throttled.status_code == 400
        assert throttled.json() == {"code": THROTTLE_CODE, "message": "You have exceeded the URL throttle limits."}
        assert "Retry-After" not in throttled.headers


def test_invalid_requests_count_but_unauthenticated_ones_do_not(local: Api) -> None:
    for _ in range(LIST_THRESHOLD):
        assert local.get("/channels", params={"limit": 0}).status_code == 400
        assert local.get("/channels", headers={"Authorization": "Zoho-oauthtoken bad"}).status_code == 401
    assert local.get("/channels").status_code == 429


def test_rate_limits_can_be_switched_off(clock: FakeClock) -> None:
    emu = CliqEmulator(clock=clock, rate_limits=False)
    client = emu.client()
    with emu, client:
        from cliq_channels_client.api.channels import list_channels

        statuses = {list_channels.sync_detailed(client=client).status_code for _ in range(50)}
    assert statuses == {200}


# -- the token endpoint ------------------------------------------------------------------------


@pytest.fixture
def accounts(api: Api) -> Iterator[tuple[httpx.Client, str, Credentials]]:
    """An httpx client for the accounts server in the api fixture's mode."""
    if api.mode == "in-process":
        yield api.http, api.emu.token_url, api.emu.credentials
    else:
        origin = str(api.http.base_url).removesuffix("/api/v2/")
        yield api.http, f"{origin}/oauth/v2/token", api.emu.credentials


def _refresh(http: httpx.Client, url: str, creds: Credentials, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "refresh_token": creds.refresh_token,
        **overrides,
    }
    return http.post(url, data=form, headers={"Authorization": ""})


def test_token_endpoint_issues_working_tokens(api: Api, accounts: tuple[httpx.Client, str, Credentials]) -> None:
    http, url, creds = accounts
    response = _refresh(http, url, creds)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "api_domain", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    expected_domain = "http://cliq.emulator.local" if api.mode == "in-process" else url.removesuffix("/oauth/v2/token")
    assert body["api_domain"] == expected_domain
    listed = api.get("/channels", headers={"Authorization": f"Zoho-oauthtoken {body['access_token']}"})
    assert listed.status_code == 200
    record = api.emu.last_request("oauth_token")
    assert record is not None
    assert record.user_id == creds.user_id
    assert record.token_fingerprint == fingerprint(creds.refresh_token)
    assert record.applied is True


def test_bad_credentials_get_zohos_http_200_invalid_code(accounts: tuple[httpx.Client, str, Credentials]) -> None:
    http, url, creds = accounts
    for overrides in ({"refresh_token": "1000.x.y"}, {"client_secret": "wrong"}, {"client_id": "1000.OTHER"}):
        response = _refresh(http, url, creds, **overrides)
        assert (response.status_code, response.json()) == (200, {"error": "invalid_code"})
    unsupported = _refresh(http, url, creds, grant_type="authorization_code")
    assert unsupported.json() == {"error": "unsupported_grant_type"}


def test_refresh_token_of_another_client_is_invalid(api: Api, accounts: tuple[httpx.Client, str, Credentials]) -> None:
    http, url, creds = accounts
    other = api.emu.create_refresh_token(api.emu.create_user("Other"))
    mixed = _refresh(http, url, creds, refresh_token=other.refresh_token)
    assert mixed.json() == {"error": "invalid_code"}
    assert api.emu.revoke_refresh_token(other.refresh_token)
    assert _refresh(http, url, other).json() == {"error": "invalid_code"}


def test_ten_tokens_per_refresh_token_per_ten_minutes(
    api: Api, accounts: tuple[httpx.Client, str, Credentials], clock: FakeClock
) -> None:
    http, url, creds = accounts
    for i in range(10):
        assert _refresh(http, url, creds).status_code == 200, i
        clock.advance(30)
    refused = _refresh(http, url, creds)
    assert (refused.status_code, refused.json()) == (400, ACCESS_DENIED)
    other = api.emu.create_refresh_token()
    assert _refresh(http, url, other).status_code == 200  # the limit is per refresh token
    clock.advance(300)  # the first grant is now 10 minutes old
    assert _refresh(http, url, creds).status_code == 200
    assert _refresh(http, url, creds).status_code == 400
    assert api.emu.count(operation_id="oauth_token", status=400) == 2


def test_query_string_credentials_are_accepted_and_never_recorded(
    api: Api, accounts: tuple[httpx.Client, str, Credentials]
) -> None:
    http, url, creds = accounts
    params = {
        "grant_type": "refresh_token",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "refresh_token": creds.refresh_token,
    }
    response = http.post(url, params=params, headers={"Authorization": ""})
    assert response.status_code == 200
    assert "access_token" in response.json()
    record = api.emu.last_request("oauth_token")
    assert record is not None
    assert record.query["client_secret"] == "***"
    assert record.query["refresh_token"] == "***"
    assert record.query["client_id"] == creds.client_id
    dumped = repr(api.emu.requests) + repr([(r.body, r.headers, r.query) for r in api.emu.requests])
    assert creds.client_secret not in dumped
    assert creds.refresh_token not in dumped


def test_scopes_of_a_refresh_token_carry_to_its_access_tokens(api: Api) -> None:
    reader = api.emu.create_refresh_token(scopes=["ZohoCliq.Channels.READ"])
    token = api.http.post(
        api.emu.token_url
        if api.mode == "in-process"
        else str(api.http.base_url).replace("/api/v2/", "/oauth/v2/token"),
        data={
            "grant_type": "refresh_token",
            "client_id": reader.client_id,
            "client_secret": reader.client_secret,
            "refresh_token": reader.refresh_token,
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    assert api.get("/channels", headers=headers).status_code == 200
    assert api.post("/channels", json={"name": "x", "level": "private"}, headers=headers).status_code == 403
