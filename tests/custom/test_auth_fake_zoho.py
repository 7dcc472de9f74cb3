"""An in-test fake of Zoho accounts and one Cliq endpoint, for the auth tests; its own tests pin it to Zoho.

``FakeZoho`` answers through ``httpx.MockTransport`` (sync and async
handlers): ``POST /oauth/v2/token`` like Zoho accounts (success, ``invalid_code``,
``invalid_client``, the issuance limit's ``Access Denied``) and
``GET .../channels/{id}`` like Cliq (200, or the 401 ``oauthtoken_invalid`` body).
It shares the tests' ``FakeClock``, counts every request, and registers every
secret it hands out with the suite-wide log audit.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qs

import anyio
import httpx

from cliq_channels_client.custom.clock import FakeClock
from tests.bodies import channel_json
from tests.secret_audit import register_secret

ACCOUNTS = "https://accounts.zoho.com"
API_BASE = "https://cliq.zoho.com/api/v2"
TOKEN_PATH = "/oauth/v2/token"
INVALID_TOKEN_BODY = {"code": "oauthtoken_invalid", "message": "Request was rejected because of invalid AuthToken."}
ACCESS_DENIED_BODY = {
    "error": "Access Denied",
    "error_description": "You have made too many requests continuously. Please try again after some time.",
    "status": "failure",
}
_CHANNEL = re.compile(r"/channels/([^/]+)$")


def zoho_token() -> str:
    """A fresh token shaped like Zoho's ("1000.<hex>.<hex>"), so the audit also spots unregistered ones."""
    token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
    register_secret(token)
    return token


class FakeZoho:
    """Zoho accounts + a Cliq channel endpoint, in process, on the tests' clock."""

    def __init__(
        self,
        clock: FakeClock,
        *,
        expires_in: float = 3600,
        api_domain: str = "https://www.zohoapis.com",
        issuance_limit: int = 10,
        issuance_window: float = 600.0,
        token_latency: float = 0.0,
    ) -> None:
        self.clock = clock
        self.client_id = "1000.FAKECLIENTID"
        self.client_secret = secrets.token_hex(21)
        self.refresh_token = zoho_token()
        register_secret(self.client_secret)
        self.expires_in = expires_in
        self.api_domain = api_domain
        self.issuance_limit = issuance_limit
        self.issuance_window = issuance_window
        self.token_latency = token_latency
        self.refuse_tokens = False  # answer every token request with the issuance-limit refusal
        self.reject_all_tokens = False  # answer every API call with a 401 carrying api_401_body
        self.api_401_body: dict[str, str] = INVALID_TOKEN_BODY
        self.scripted_token_answers: list[Callable[[httpx.Request], httpx.Response]] = []
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []
        self.issued_tokens: list[str] = []
        self._valid: dict[str, float] = {}  # access token -> expires_at
        self._grants: list[float] = []  # when tokens were issued, for the issuance limit
        self._lock = threading.Lock()

    # -- transports ------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def async_transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.ahandle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH and self.token_latency:
            time.sleep(self.token_latency)
        return self.respond(request)

    async def ahandle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH and self.token_latency:
            await anyio.sleep(self.token_latency)
        return self.respond(request)

    # -- behaviour -------------------------------------------------------------------------

    def respond(self, request: httpx.Request) -> httpx.Response:
        # Recorded as snapshots: a replay resends the same Request object with a new header.
        seen = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.read(), extensions=request.extensions
        )
        with self._lock:
            if request.url.path == TOKEN_PATH:
                self.token_requests.append(seen)
                return self._token(request)
            self.api_requests.append(seen)
            return self._api(request)

    def revoke_all(self) -> None:
        """Invalidate every access token issued so far (as a user revoking the app would)."""
        with self._lock:
            self._valid.clear()

    def _token(self, request: httpx.Request) -> httpx.Response:
        if self.scripted_token_answers:
            return self.scripted_token_answers.pop(0)(request)
        if request.method != "POST":
            return httpx.Response(405)
        form = {key: values[0] for key, values in parse_qs(request.content.decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return httpx.Response(200, json={"error": "unsupported_grant_type"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return httpx.Response(200, json={"error": "invalid_client"})
        if form.get("refresh_token") != self.refresh_token:
            return httpx.Response(200, json={"error": "invalid_code"})
        now = self.clock.now()
        self._grants = [t for t in self._grants if t > now - self.issuance_window]
        if self.refuse_tokens or len(self._grants) >= self.issuance_limit:
            return httpx.Response(400, json=ACCESS_DENIED_BODY)
        self._grants.append(now)
        token = zoho_token()
        self.issued_tokens.append(token)
        self._valid[token] = now + self.expires_in
        body: dict[str, object] = {"access_token": token, "api_domain": self.api_domain, "token_type": "Bearer"}
        body["expires_in"] = self.expires_in
        return httpx.Response(200, json=body)

    def _api(self, request: httpx.Request) -> httpx.Response:
        match = _CHANNEL.search(request.url.path)
        if request.method != "GET" or match is None:
            return httpx.Response(404, json={"code": "not_found", "message": "no such endpoint"})
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expires_at = self._valid.get(token)
        if (
            scheme != "Zoho-oauthtoken"
            or self.reject_all_tokens
            or expires_at is None
            or self.clock.now() >= expires_at
        ):
            return httpx.Response(401, json=INVALID_TOKEN_BODY if not self.reject_all_tokens else self.api_401_body)
        return httpx.Response(200, json=channel_json(match.group(1), name="general"))

    def sent_token(self, request: httpx.Request) -> str:
        return request.headers["Authorization"].removeprefix("Zoho-oauthtoken ")

    def all_secrets(self) -> list[str]:
        return [self.client_secret, self.refresh_token, *self.issued_tokens]


def token_form(fake: FakeZoho, **overrides: str) -> dict[str, str]:
    form = {
        "grant_type": "refresh_token",
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "refresh_token": fake.refresh_token,
    }
    form.update(overrides)
    return form


# -- the fake's own tests: it must answer like Zoho, or the auth tests prove nothing -------------


def _post_token(fake: FakeZoho, **overrides: str) -> httpx.Response:
    with httpx.Client(transport=fake.transport()) as client:
        return client.post(f"{ACCOUNTS}{TOKEN_PATH}", data=token_form(fake, **overrides))


def test_fake_token_success_has_zohos_shape() -> None:
    fake = FakeZoho(FakeClock())
    body = _post_token(fake).json()
    assert set(body) == {"access_token", "api_domain", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"], body["api_domain"]) == ("Bearer", 3600, "https://www.zohoapis.com")


def test_fake_bad_refresh_token_is_http_200_invalid_code() -> None:
    fake = FakeZoho(FakeClock())
    response = _post_token(fake, refresh_token="1000.nope.nope")
    assert (response.status_code, response.json()) == (200, {"error": "invalid_code"})


def test_fake_issuance_limit_is_http_400_access_denied() -> None:
    clock = FakeClock()
    fake = FakeZoho(clock)
    assert [_post_token(fake).status_code for _ in range(10)] == [200] * 10
    refused = _post_token(fake)
    assert (refused.status_code, refused.json()) == (400, ACCESS_DENIED_BODY)
    clock.advance(601)
    assert _post_token(fake).status_code == 200


def test_fake_api_rejects_unknown_and_expired_tokens_with_cliqs_401() -> None:
    clock = FakeClock()
    fake = FakeZoho(clock)
    token = _post_token(fake).json()["access_token"]
    with httpx.Client(transport=fake.transport(), base_url=API_BASE) as client:
        ok = client.get("/channels/T1", headers={"Authorization": f"Zoho-oauthtoken {token}"})
        unknown = client.get("/channels/T1", headers={"Authorization": "Zoho-oauthtoken 1000.x.y"})
        clock.advance(3600)
        expired = client.get("/channels/T1", headers={"Authorization": f"Zoho-oauthtoken {token}"})
    assert ok.json() == channel_json("T1", name="general")
    assert (unknown.status_code, unknown.json()) == (401, INVALID_TOKEN_BODY)
    assert (expired.status_code, json.loads(expired.content)) == (401, INVALID_TOKEN_BODY)
