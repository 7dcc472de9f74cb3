"""1,000 concurrent calls across a token expiry: how many token requests the client makes (goal: 1).

Zoho blocks a refresh token after 10 token requests in 10 minutes, so a burst
that finds the access token expired must refresh once, not once per call.
Client and emulator share a :class:`FakeClock`; the count is read from the
emulator's own record of token-endpoint requests.  Two ways to expire:

* on the clock: the clock jumps past the token's lifetime, the client knows
  before sending (refresh ahead of expiry);
* on the server: the emulator drops the token early, every call in flight
  gets a 401 and the client refreshes once and replays each of them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import partial
from typing import cast

from cliq_channels_client import AuthenticatedClient, UnlimitedRateLimiter, create_client
from cliq_channels_client.api.channels import get_channel
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.testing import TOKEN_ENDPOINT, CliqEmulator, ServerURL
from cliq_channels_client.models import Channel

from .common import BenchResult, Row

NAME = "token_expiry"
TOKEN_TTL = 3600.0


async def _burst(
    emulator: CliqEmulator, url: ServerURL, clock: FakeClock, calls: int, expire: Callable[[], object]
) -> tuple[int, int, float]:
    """Warm up (one token), expire, fire ``calls`` concurrent calls; (token requests, 401 answers, seconds)."""
    credentials = emulator.credentials
    client = cast(
        AuthenticatedClient,
        create_client(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            refresh_token=credentials.refresh_token,
            base_url=url,
            accounts_url=url.accounts_url,
            clock=clock,
            rate_limiter=UnlimitedRateLimiter(),  # the burst is about tokens; pacing would spread it over the clock
        ),
    )
    channel_id = emulator.seed_channels(1)[0]
    async with client:
        await get_channel.asyncio(channel_id, client=client)
        tokens_before = emulator.count(operation_id=TOKEN_ENDPOINT)
        rejected_before = emulator.count(status=401)
        expire()
        started = time.perf_counter()
        answers = await asyncio.gather(*(get_channel.asyncio(channel_id, client=client) for _ in range(calls)))
        elapsed = time.perf_counter() - started
    wrong = [answer for answer in answers if not isinstance(answer, Channel) or answer.channel_id != channel_id]
    if wrong:
        raise AssertionError(f"{len(wrong)} of {calls} calls did not return the channel: {wrong[0]!r:.80}")
    return (
        emulator.count(operation_id=TOKEN_ENDPOINT) - tokens_before,
        emulator.count(status=401) - rejected_before,
        elapsed,
    )


def run(smoke: bool) -> BenchResult:
    calls = 20 if smoke else 1000
    result = BenchResult(NAME, f"{calls:,} concurrent get_channel calls across an access-token expiry")
    outcomes: dict[str, tuple[int, int, float]] = {}
    for label in ("clock", "server"):
        clock = FakeClock()
        emulator = CliqEmulator(clock=clock, rate_limits=False, token_ttl=TOKEN_TTL)
        expire: Callable[[], object] = (
            partial(clock.advance, TOKEN_TTL) if label == "clock" else emulator.expire_access_tokens
        )
        with emulator.serve() as url:
            outcomes[label] = asyncio.run(_burst(emulator, url, clock, calls, expire))
    texts = []
    for label, why in (("clock", "expired on the clock"), ("server", "rejected by the server (401)")):
        tokens, rejected, elapsed = outcomes[label]
        texts.append(f"{tokens} ({label})")
        result.rows.append(Row(f"token requests, {calls:,} calls, token {why}", str(tokens), "1", tokens == 1))
        result.details.append(
            f"token {why:30s}: {tokens} token request(s), {rejected} answers 401, "
            f"{calls:,} calls in {elapsed:.2f} s ({calls / elapsed:,.0f} calls/s), every call returned the channel"
        )
    result.ratio = f"token requests per {calls:,} concurrent calls: {', '.join(texts)}"
    result.details.append(
        "client: create_client(refresh token) sharing a FakeClock with the emulator; rate limiter UnlimitedRateLimiter"
    )
    return result
