"""Separate OS processes refreshing through one FileTokenStore across an expiry: one token request in total.

Each worker process has its own ZohoOAuth, its own client (sync in some,
async in another) and its own in-process fake of Zoho; only the store file
and a shared counter of token requests connect them.  They start together on
a barrier, all find the stored token expired, and the flock on the store
must turn that into exactly one token request.
"""

from __future__ import annotations

import multiprocessing
import secrets
import time
from collections.abc import Callable
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

import anyio
import httpx

from cliq_channels_client.custom.auth import ZohoOAuth
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.tokens import FileTokenStore, Token, TokenState
from tests.bodies import channel_json

ACCOUNTS = "https://accounts.zoho.com"
API_BASE = "https://cliq.zoho.com/api/v2"
START = 1_767_225_600.0
CALLS_PER_WORKER = 5


def _handler(counter: Synchronized[int]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            with counter.get_lock():
                counter.value += 1
            time.sleep(0.3)  # a slow accounts server: the other workers arrive while the refresh is in flight
            token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
            body = {"access_token": token, "api_domain": "https://www.zohoapis.com", "token_type": "Bearer"}
            return httpx.Response(200, json={**body, "expires_in": 3600})
        return httpx.Response(200, json=channel_json("T1"))

    return handle


def _worker(
    index: int, store_path: str, barrier: Any, counter: Synchronized[int], results: multiprocessing.Queue[Any]
) -> None:
    """One process: CALLS_PER_WORKER calls, reporting the tokens it sent (sync client, or async on odd indexes)."""
    handle = _handler(counter)
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        response = handle(request)
        if request.url.path != "/oauth/v2/token":
            seen.append(request.headers["Authorization"])
        return response

    auth = ZohoOAuth(
        client_id="1000.PROCESSTEST",
        client_secret="process-test-secret",
        refresh_token="1000.0123456789abcdef.0123456789abcdef",
        accounts_url=ACCOUNTS,
        store=FileTokenStore(store_path),
        clock=FakeClock(START),
    )
    barrier.wait(timeout=60)
    if index % 2 == 0:
        with httpx.Client(transport=httpx.MockTransport(record), auth=auth, base_url=API_BASE) as client:
            statuses = [client.get("/channels/T1").status_code for _ in range(CALLS_PER_WORKER)]
    else:

        async def main() -> list[int]:
            async def arecord(request: httpx.Request) -> httpx.Response:
                return await anyio.to_thread.run_sync(record, request)

            transport = httpx.MockTransport(arecord)
            async with httpx.AsyncClient(transport=transport, auth=auth, base_url=API_BASE) as client:
                return [(await client.get("/channels/T1")).status_code for _ in range(CALLS_PER_WORKER)]

        statuses = anyio.run(main)
    results.put((index, statuses, sorted(set(seen)), auth.token_requests))


def test_processes_sharing_a_file_store_send_one_token_request_across_an_expiry(tmp_path: Path) -> None:
    workers = 3
    store_path = tmp_path / "token.json"
    store = FileTokenStore(store_path)
    store.save(TokenState(token=Token(access_token="1000.expired.expired", expires_at=START - 1), issued=()))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    counter: Synchronized[int] = context.Value("i", 0)
    results: multiprocessing.Queue[Any] = context.Queue()
    processes = [
        context.Process(target=_worker, args=(i, str(store_path), barrier, counter, results)) for i in range(workers)
    ]
    for process in processes:
        process.start()
    reports = sorted(results.get(timeout=120) for _ in range(workers))
    for process in processes:
        process.join(timeout=30)
    assert [process.exitcode for process in processes] == [0] * workers
    assert counter.value == 1  # one token request among all processes
    assert sum(report[3] for report in reports) == 1
    assert all(report[1] == [200] * CALLS_PER_WORKER for report in reports)
    headers = {header for report in reports for header in report[2]}
    stored = store.load()
    assert stored.token is not None
    assert headers == {f"Zoho-oauthtoken {stored.token.access_token}"}  # everyone used the one new token
    assert stored.issued == (START,)
