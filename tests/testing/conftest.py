"""Fixtures for the emulator's tests: a fake clock, an emulator, and API clients in-process and on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.testing import CliqEmulator, User, check_response


class Api:
    """A thin httpx client of the emulator's API, as one user; every answer is checked against the document."""

    def __init__(self, client: httpx.Client, emu: CliqEmulator, mode: str, token: str) -> None:
        self.http = client
        self.emu = emu
        self.mode = mode
        self.token = token

    def request(self, method: str, path: str, *, check: bool = True, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)
        if check:
            check_response(response)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def as_user(self, user: User | str, scopes: Any = None) -> Api:
        """Another client of the same emulator and transport, authorized as ``user``."""
        kwargs = {} if scopes is None else {"scopes": scopes}
        token = self.emu.issue_access_token(user, **kwargs)
        client = httpx.Client(
            transport=self.http._transport,
            base_url=self.http.base_url,
            headers={"Authorization": f"Zoho-oauthtoken {token}"},
        )
        return Api(client, self.emu, self.mode, token)

    def create(self, name: str = "Zylker-Support", level: str = "private", **fields: Any) -> dict[str, Any]:
        response = self.post("/channels", json={"name": name, "level": level, **fields})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_767_225_600.0)  # 2026-01-01T00:00:00Z: fixed, tests compare rendered timestamps


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[CliqEmulator]:
    with CliqEmulator(clock=clock, validate_responses=True) as emulator:
        yield emulator


@pytest.fixture(params=["in-process", "loopback"])
def api(request: pytest.FixtureRequest, emu: CliqEmulator) -> Iterator[Api]:
    """The default user's API client, in-process and through a real server on 127.0.0.1."""
    token = emu.issue_access_token()
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    if request.param == "in-process":
        with httpx.Client(transport=emu.transport(), base_url=emu.api_base_url, headers=headers) as client:
            yield Api(client, emu, "in-process", token)
    else:
        with emu.serve() as url, httpx.Client(base_url=url, headers=headers, timeout=10) as client:
            yield Api(client, emu, "loopback", token)


@pytest.fixture
def local(emu: CliqEmulator) -> Iterator[Api]:
    """The default user's API client, in-process only."""
    token = emu.issue_access_token()
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    with httpx.Client(transport=emu.transport(), base_url=emu.api_base_url, headers=headers) as client:
        yield Api(client, emu, "in-process", token)
