"""Decoding a 100-channel ``list_channels`` page into models vs ``json.loads`` alone.

The page is fetched once from the loopback emulator; then both decoders run
in-process, interleaved, on the same bytes.  The difference is what the
generated ``from_dict`` methods cost on top of JSON parsing (the client pays
it on every page), and the check that the models round-trip to the same JSON
guards the template changes that made it cheaper.

Nested models that cannot fail to decode (the three permission objects, the
teams map) are built on first read (``custom/lazy_models.py``), so the third
contender reads every one of them: what a caller who looks at everything pays.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from cliq_channels_client.custom.testing import CliqEmulator
from cliq_channels_client.models import ChannelList

from .common import BenchResult, Row, interleave_sync, micros

NAME = "decode"
PAGE_SIZE = 100


def fetch_page(size: int = PAGE_SIZE) -> bytes:
    """The raw body of one ``list_channels`` page of ``size`` channels, as the emulator serves it."""
    emulator = CliqEmulator(rate_limits=False)
    emulator.seed_channels(size)
    token = emulator.issue_access_token()
    with emulator.serve() as url, httpx.Client(base_url=url) as http:
        response = http.get("/channels", params={"limit": size}, headers={"Authorization": f"Zoho-oauthtoken {token}"})
        response.raise_for_status()
        return response.content


def check_round_trip(body: bytes, size: int) -> None:
    """The models keep everything: ``to_dict()`` gives back exactly the JSON (unknown fields included)."""
    data: dict[str, Any] = json.loads(body)
    page = ChannelList.from_dict(data)
    channels = page.channels
    if not isinstance(channels, list) or len(channels) != size:
        raise AssertionError(f"decoded {channels!r:.80} instead of {size} channels")
    if page.to_dict() != data:
        raise AssertionError("ChannelList.from_dict(...).to_dict() differs from the JSON it was decoded from")


#: The nested models ``from_dict`` leaves to the first read (``custom/lazy_models.py``).
DEFERRED = ("admin_permission", "moderator_permission", "member_permission", "teams")


def decode_and_read_everything(body: bytes) -> ChannelList:
    """Decode the page, then read every nested model decoded on first read."""
    page = ChannelList.from_dict(json.loads(body))
    for channel in page.channels:
        for name in DEFERRED:
            getattr(channel, name)
    return page


def run(smoke: bool) -> BenchResult:
    body = fetch_page()
    check_round_trip(body, PAGE_SIZE)
    samples = interleave_sync(
        {
            "json.loads": lambda: json.loads(body),
            "ChannelList.from_dict(json.loads)": lambda: ChannelList.from_dict(json.loads(body)),
            "... + every nested model read": lambda: decode_and_read_everything(body),
        },
        rounds=5 if smoke else 600,
        warmup=1 if smoke else 30,
    )
    plain, models = samples["json.loads"], samples["ChannelList.from_dict(json.loads)"]
    ratio = models.median / plain.median
    per_channel = (models.median - plain.median) / PAGE_SIZE
    result = BenchResult(NAME, f"decode a {PAGE_SIZE}-channel page ({len(body):,} bytes): models vs json.loads")
    result.ratio = f"{ratio:.2f}x (ChannelList.from_dict(json.loads(body)) / json.loads(body), medians)"
    result.rows.append(Row(f"{PAGE_SIZE}-channel page into models / json.loads", f"{ratio:.2f}x"))
    result.rows.append(Row("models on top of json.loads, per channel", micros(per_channel)))
    everything = samples["... + every nested model read"].median / plain.median
    result.rows.append(
        Row(f"{PAGE_SIZE}-channel page, every nested model then read / json.loads", f"{everything:.2f}x")
    )
    for name, sample in samples.items():
        result.details.append(f"{name:38s} median {micros(sample.median):>12s}   p95 {micros(sample.p95):>12s}")
    result.details.append("round trip checked: from_dict(page).to_dict() == page (unknown fields kept)")
    return result
