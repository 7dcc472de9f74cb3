"""Channel semantics beyond single operations: visibility, teams, roles and permissions, options."""

from __future__ import annotations

import httpx

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.testing import CliqEmulator

from .conftest import Api


def test_visibility_of_levels(local: Api) -> None:
    emu = local.emu
    member = emu.create_user("Member")
    outsider = emu.create_user("Outsider")
    team = emu.create_team("SALES", [member])
    team_channel = local.create(name="Team-Room", level="team", team_ids=[team.team_id])
    invite_only_team = local.create(name="Team-Secret", level="team", team_ids=[team.team_id], invite_only=True)
    private = local.create(name="Private", level="private")
    external = local.create(name="Partners", level="external")
    assert external["invite_only"] is True
    open_org = emu.seed_channels(1, name_prefix="Town-Hall")[0]
    closed_org = emu.seed_channels(1, name_prefix="Board", invite_only=True)[0]

    as_member = local.as_user(member)
    visible = {c["channel_id"] for c in as_member.get("/channels").json()["channels"]}
    assert visible == {team_channel["channel_id"], open_org}
    outsider_view = {c["channel_id"] for c in local.as_user(outsider).get("/channels").json()["channels"]}
    assert outsider_view == {open_org}
    assert as_member.post(f"/channels/{team_channel['channel_id']}/join").status_code == 200
    assert local.as_user(outsider).post(f"/channels/{team_channel['channel_id']}/join").status_code == 403
    for hidden in (invite_only_team["channel_id"], private["channel_id"], external["channel_id"], closed_org):
        assert as_member.get(f"/channels/{hidden}").status_code == 403
        assert as_member.post(f"/channels/{hidden}/join").status_code == 403


def test_pending_channels_are_seen_by_their_creator_and_organization_admins_only(local: Api) -> None:
    emu = local.emu
    creator = local.as_user(emu.create_user("Creator"))
    other = local.as_user(emu.create_user("Other"))
    pending = creator.create(name="Announcements", level="organization")
    assert creator.get(f"/channels/{pending['channel_id']}").status_code == 200
    assert local.get(f"/channels/{pending['channel_id']}").status_code == 200
    assert other.get(f"/channels/{pending['channel_id']}").status_code == 403
    assert local.post(f"/channels/{pending['channel_id']}/approve").status_code == 204
    assert other.get(f"/channels/{pending['channel_id']}").status_code == 200


def test_roles_act_through_the_permission_objects(local: Api) -> None:
    emu = local.emu
    moderator = emu.create_user("Moderator")
    member = emu.create_user("Member")
    newcomer = emu.create_user("Newcomer")
    cid = local.create(moderator_ids=[moderator.user_id], user_ids=[member.user_id])["channel_id"]
    as_moderator = local.as_user(moderator)
    as_member = local.as_user(member)
    # default moderator permissions allow adding participants; member permissions do not
    assert as_moderator.post(f"/channels/{cid}/members", json={"user_ids": [newcomer.user_id]}).status_code == 204
    assert as_member.post(f"/channels/{cid}/members", json={"user_ids": [newcomer.user_id]}).status_code == 403
    # turning a permission on for members lets them do it
    local.put(f"/channels/{cid}", json={"member_permission": {"add_participant": True, "leave_channel": False}})
    third = emu.create_user("Third")
    assert as_member.post(f"/channels/{cid}/members", json={"user_ids": [third.user_id]}).status_code == 204
    assert as_member.post(f"/channels/{cid}/leave").status_code == 403
    # a moderator cannot remove the super_admin, and nobody can remove the last one
    me = emu.default_user.user_id
    assert as_moderator.delete(f"/channels/{cid}/members", json={"user_ids": [me]}).status_code == 403
    assert local.delete(f"/channels/{cid}/members", json={"user_ids": [me]}).status_code == 400
    last_one_leaving = local.post(f"/channels/{cid}/leave")
    assert last_one_leaving.status_code == 400
    assert "last super_admin" in last_one_leaving.json()["message"]
    local.put(f"/channels/{cid}/members/{moderator.user_id}", json={"role": "super_admin"})
    assert local.delete(f"/channels/{cid}/members", json={"user_ids": [me]}).status_code == 204
    assert emu.channel_members(cid)[moderator.user_id] == "super_admin"


def test_unique_names_are_derived_and_kept_unique(local: Api) -> None:
    first = local.create(name="Zylker Support!")
    second = local.create(name="zylker-support")
    third = local.create(name="#Zylker_Support")
    assert [first["unique_name"], second["unique_name"], third["unique_name"]] == [
        "zylkersupport",
        "zylkersupport2",
        "zylkersupport3",
    ]
    assert third["name"] == "#Zylker_Support"
    assert local.delete(f"/channels/{first['channel_id']}").status_code == 204
    assert local.create(name="Zylker Support")["unique_name"] == "zylkersupport"
    nothing = local.post("/channels", json={"name": "#", "level": "private"})
    assert nothing.status_code == 400


def test_options_approval_auto_users_offset_and_page_size(clock: FakeClock) -> None:
    emu = CliqEmulator(
        clock=clock, approval_required=False, auto_create_users=True, utc_offset_minutes=330, default_page_size=2
    )
    token = emu.issue_access_token()
    with (
        emu,
        httpx.Client(
            transport=emu.transport(), base_url=emu.api_base_url, headers={"Authorization": f"Zoho-oauthtoken {token}"}
        ) as http,
    ):
        created = http.post(
            "/channels",
            json={"name": "Org", "level": "organization", "user_ids": ["100100"], "email_ids": ["new@zylker.com"]},
        ).json()
        assert created["status"] == "created"
        assert created["participant_count"] == 3
        assert created["creation_time"] == "2026-01-01T05:30:00+05:30"
        emu.seed_channels(3)
        page = http.get("/channels").json()
        assert len(page["channels"]) == 2
        assert page["has_more"] is True


def test_direct_helpers(local: Api, clock: FakeClock) -> None:
    emu = local.emu
    created = emu.create_channel("Helper-Made", level="private", description="no HTTP")
    assert created["status"] == "created"
    assert emu.get_channel(created["channel_id"]) == local.get(f"/channels/{created['channel_id']}").json()
    assert emu.get_channel("T0") is None
    assert emu.count() == 1  # the helper itself sent nothing
    emu.mute_channel(created["channel_id"], until=clock.now() + 60)
    assert "muted_interval" in local.get(f"/channels/{created['channel_id']}").json()
    emu.mute_channel(created["channel_id"], until=None)
    assert "muted_interval" not in local.get(f"/channels/{created['channel_id']}").json()
    emu.pin_channel(created["channel_id"])
    assert local.get(f"/channels/{created['channel_id']}").json()["pinned"] is True
    assert emu.expire_access_tokens() >= 1
    assert local.get("/channels").status_code == 401
