"""list_channels: filters, opaque next_token pagination over 10,000 channels, sync_token semantics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import SYNC_LIMIT_CODE
from cliq_channels_client.custom.testing import CliqEmulator, check_response

from .conftest import Api


@pytest.fixture
def bulk(clock: FakeClock) -> Iterator[tuple[CliqEmulator, httpx.Client]]:
    """An emulator without rate limits (100 pages in a fake instant) and without in-app response checks."""
    emu = CliqEmulator(clock=clock, rate_limits=False)
    token = emu.issue_access_token()
    client = httpx.Client(
        transport=emu.transport(), base_url=emu.api_base_url, headers={"Authorization": f"Zoho-oauthtoken {token}"}
    )
    with emu, client:
        yield emu, client


def _pages(client: httpx.Client, params: dict[str, Any] | None = None, between: Any = None) -> Iterator[dict[str, Any]]:
    query: dict[str, Any] = {"limit": 100, **(params or {})}
    while True:
        response = client.get("/channels", params=query)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        yield page
        if not page["has_more"]:
            assert "next_token" not in page
            return
        if between is not None:
            between()
        query = {"limit": query["limit"], "next_token": page["next_token"]}


def _ids(pages: Iterator[dict[str, Any]]) -> list[str]:
    return [channel["channel_id"] for page in pages for channel in page["channels"]]


def test_10000_channels_each_exactly_once(bulk: tuple[CliqEmulator, httpx.Client]) -> None:
    emu, client = bulk
    seeded = emu.seed_channels(10_000)
    pages = list(_pages(client))
    assert len(pages) == 100
    ids = _ids(iter(pages))
    assert ids == seeded  # creation order, oldest first, each once
    check_response(client.get("/channels", params={"limit": 100}))


def test_channels_created_and_updated_between_pages_are_each_returned_once(
    bulk: tuple[CliqEmulator, httpx.Client],
) -> None:
    emu, client = bulk
    seeded = emu.seed_channels(10_000)
    created: list[str] = []

    def churn() -> None:
        created.extend(emu.seed_channels(3, name_prefix="late"))
        emu.post_message(seeded[len(created) * 7], text="moves its modified time")
        client.put(f"/channels/{seeded[len(created)]}", json={"name": f"renamed-{len(created)}"})

    ids = _ids(_pages(client, between=churn))
    assert len(ids) == len(set(ids))
    assert set(ids) == set(seeded) | set(created)


@pytest.mark.parametrize("order", ["-creation_time", "+creation_time", "+last_modified_time", "-last_modified_time"])
def test_every_order_pages_each_channel_once_under_churn(bulk: tuple[CliqEmulator, httpx.Client], order: str) -> None:
    emu, client = bulk
    seeded = emu.seed_channels(1_000)
    touched = iter(seeded[::-37])

    def churn() -> None:
        channel_id = next(touched)
        emu.post_message(channel_id)  # moves last_modified_time
        client.put(f"/channels/{channel_id}", json={"name": f"aaa-{channel_id}"})  # moves name order
        emu.seed_channels(2, name_prefix="new")

    pages = list(_pages(client, {"order_by": order, "limit": 50}, between=churn))
    ids = _ids(iter(pages))
    assert len(ids) == len(set(ids))
    assert set(seeded) <= set(ids)
    first = pages[0]["channels"]
    if order == "+last_modified_time":
        assert [c["last_modified_time"] for c in first] == sorted(c["last_modified_time"] for c in first)
    if order == "-creation_time":
        assert ids[0] == seeded[-1]


def test_next_token_is_opaque_signed_and_bound_to_its_user(bulk: tuple[CliqEmulator, httpx.Client]) -> None:
    emu, client = bulk
    emu.seed_channels(5)
    page = client.get("/channels", params={"limit": 2, "status": "created"}).json()
    token = page["next_token"]
    tampered = token[:-2] + ("00" if token[-2:] != "00" else "11")
    assert client.get("/channels", params={"next_token": tampered}).status_code == 400
    other = emu.issue_access_token(emu.create_user("Other"))
    foreign = client.get(
        "/channels", params={"next_token": token}, headers={"Authorization": f"Zoho-oauthtoken {other}"}
    )
    assert foreign.status_code == 400
    assert "another user" in foreign.json()["message"]
    # filters travel inside the token: a different filter sent with it is ignored
    rest = client.get("/channels", params={"next_token": token, "status": "archived", "limit": 10}).json()
    assert len(rest["channels"]) == 3
    both = client.get("/channels", params={"next_token": token, "sync_token": page["sync_token"]})
    assert both.status_code == 400


def test_filters(api: Api, clock: FakeClock) -> None:
    emu = api.emu
    emu.limiter.enabled = False
    scott = emu.create_user("Scott", email="scott@zylker.com")
    sales = emu.create_team("SALES", [emu.default_user, scott])
    first = api.create(name="Sales-Leads", level="team", team_ids=[sales.team_id])
    clock.advance(10)
    middle = datetime.fromtimestamp(clock.now(), UTC).isoformat()
    clock.advance(10)
    as_scott = api.as_user(scott)
    second = as_scott.create(name="Scott-Private", level="private", user_ids=[emu.default_user.user_id])
    third = api.create(name="Ops", level="private")
    api.post(f"/channels/{third['channel_id']}/archive")
    hidden = as_scott.create(name="Scott-Only", level="private")
    emu.pin_channel(second["channel_id"])
    open_org = emu.seed_channels(1, creator=scott, name_prefix="Town-Hall")[0]

    def listed(**params: Any) -> list[str]:
        response = api.get("/channels", params=params)
        assert response.status_code == 200, response.text
        return [c["channel_id"] for c in response.json()["channels"]]

    everything = listed()
    assert hidden["channel_id"] not in everything
    assert set(everything) == {first["channel_id"], second["channel_id"], third["channel_id"], open_org}
    assert listed(name="#sales") == [first["channel_id"]]
    assert listed(status="archived") == [third["channel_id"]]
    assert listed(level="private") == [second["channel_id"], third["channel_id"]]
    assert listed(created_before=middle) == [first["channel_id"]]
    assert set(listed(created_after=middle)) == {second["channel_id"], third["channel_id"], open_org}
    assert listed(modified_before=middle) == [first["channel_id"]]
    emu.post_message(first["channel_id"], scott, "hello")
    assert first["channel_id"] in listed(modified_after=middle)
    assert listed(channel_ids=f"{first['channel_id']}, {third['channel_id']}") == [
        first["channel_id"],
        third["channel_id"],
    ]
    assert listed(chat_ids=second["chat_id"]) == [second["channel_id"]]
    assert listed(team_ids=f"{sales.team_id},999") == [first["channel_id"]]
    assert set(listed(created_by="scott@zylker.com")) == {second["channel_id"], open_org}
    assert set(listed(created_by=scott.user_id)) == {second["channel_id"], open_org}
    assert listed(created_by="nobody@zylker.com") == []
    assert listed(pinned="true") == [second["channel_id"]]
    assert len(listed(pinned="false")) == 4  # "all channels regardless of pin status"
    assert listed(joined="false") == [open_org]
    assert open_org not in listed(joined="true")
    assert listed(limit=1, order_by="-creation_time") == [open_org]


def test_list_shows_per_user_fields(api: Api, clock: FakeClock) -> None:
    emu = api.emu
    scott = emu.create_user("Scott")
    channel = api.create(user_ids=[scott.user_id])
    emu.post_message(channel["channel_id"], scott, "first")
    emu.post_message(channel["channel_id"], scott, "second")
    emu.mute_channel(channel["channel_id"], until=clock.now() + 3600)
    listed = api.get("/channels").json()["channels"][0]
    assert listed["total_message_count"] == "2"
    assert listed["unread_message_count"] == 2
    assert "unread_time" in listed
    assert "muted_interval" in listed
    assert listed["last_message_info"]["text"] == "second"
    assert listed["last_message_info"]["sender_name"] == "Scott"
    as_scott = api.as_user(scott).get(f"/channels/{channel['channel_id']}").json()
    assert as_scott["unread_message_count"] == 0
    assert as_scott["current_user_role"] == "member"


def test_sync_token_returns_only_what_changed(api: Api) -> None:
    emu = api.emu
    ids = emu.seed_channels(10, level="private")
    first = api.get("/channels", params={"limit": 100}).json()
    assert len(first["channels"]) == 10
    unchanged = api.get("/channels", params={"sync_token": first["sync_token"]}).json()
    assert unchanged["channels"] == []
    assert unchanged["removed_channel_ids"] == []
    assert unchanged["has_more"] is False

    api.put(f"/channels/{ids[3]}", json={"description": "changed"})
    api.post(f"/channels/{ids[4]}/archive")
    api.delete(f"/channels/{ids[5]}")
    new = api.create(name="Brand-New")
    changed = api.get("/channels", params={"sync_token": first["sync_token"]}).json()
    assert {c["channel_id"] for c in changed["channels"]} == {ids[3], ids[4], new["channel_id"]}
    assert changed["removed_channel_ids"] == [ids[5]]
    assert next(c for c in changed["channels"] if c["channel_id"] == ids[4])["status"] == "archived"

    later = api.get("/channels", params={"sync_token": changed["sync_token"]}).json()
    assert later["channels"] == []
    assert later["removed_channel_ids"] == []


def test_sync_reports_channels_the_user_left_and_respects_filters(api: Api) -> None:
    emu = api.emu
    scott = emu.create_user("Scott")
    as_scott = api.as_user(scott)
    shared = api.create(name="Shared", user_ids=[scott.user_id])
    kept = api.create(name="Kept", user_ids=[scott.user_id])
    token = as_scott.get("/channels", params={"status": "created"}).json()["sync_token"]
    as_scott.post(f"/channels/{shared['channel_id']}/leave")
    api.post(f"/channels/{kept['channel_id']}/archive")
    synced = as_scott.get("/channels", params={"sync_token": token}).json()
    assert synced["channels"] == []  # the archived one no longer matches status=created
    assert set(synced["removed_channel_ids"]) == {shared["channel_id"], kept["channel_id"]}


def test_sync_token_of_a_listing_catches_changes_made_while_paging(bulk: tuple[CliqEmulator, httpx.Client]) -> None:
    emu, client = bulk
    ids = emu.seed_channels(300)
    first = client.get("/channels", params={"limit": 100}).json()
    client.put(f"/channels/{ids[0]}", json={"description": "changed after it was paged"})
    second = client.get("/channels", params={"next_token": first["next_token"], "limit": 100}).json()
    assert second["sync_token"] == first["sync_token"]
    synced = client.get("/channels", params={"sync_token": second["sync_token"]}).json()
    assert [c["channel_id"] for c in synced["channels"]] == [ids[0]]


def test_more_than_50_changes_is_sync_limit_exceeded(api: Api) -> None:
    emu = api.emu
    token = api.get("/channels").json()["sync_token"]
    emu.seed_channels(50, level="private")
    exactly_50 = api.get("/channels", params={"sync_token": token})
    assert exactly_50.status_code == 200
    assert len(exactly_50.json()["channels"]) == 50
    emu.seed_channels(1, level="private")
    too_many = api.get("/channels", params={"sync_token": token})
    assert too_many.status_code == 400
    body = too_many.json()
    assert body["code"] == SYNC_LIMIT_CODE
    assert "more than 50 channels changed" in body["message"]
    fresh = api.get("/channels", params={"sync_token": exactly_50.json()["sync_token"]})
    assert [c["name"] for c in fresh.json()["channels"]] == ["#channel-00051"]


def test_changes_are_versioned_not_timestamped(api: Api) -> None:
    """Two changes in the same (fake) instant: the second is still seen by a token taken between them."""
    emu = api.emu
    a, b = emu.seed_channels(2, level="private")
    api.put(f"/channels/{a}", json={"description": "one"})
    token = api.get("/channels").json()["sync_token"]
    api.put(f"/channels/{b}", json={"description": "two"})
    synced = api.get("/channels", params={"sync_token": token}).json()
    assert [c["channel_id"] for c in synced["channels"]] == [b]
