"""Every operation's happy path and documented errors, in-process and over real HTTP on 127.0.0.1.

Every response is checked against the OpenAPI document (``Api.request``), and
the emulator itself runs with ``validate_responses=True``.
"""

from __future__ import annotations

import re

import httpx

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import THROTTLE_CODE
from cliq_channels_client.custom.testing import CliqEmulator
from cliq_channels_client.custom.testing.state import PERMISSION_NAMES as PERMISSIONS

from .conftest import Api

MSG_400 = "The request cannot be performed. Usually because of malformed parameter or missing parameter."
MSG_403 = (
    "The user does not have enough permission or possibly not an user of the respective organization "
    "to access the resource."
)
MSG_404 = (
    "The URL you've sent is wrong. It's possible that the resource you've requested has been moved to another URL."
)


def test_create_channel_returns_every_field_of_the_reference(api: Api) -> None:
    emu = api.emu
    scott = emu.create_user("Scott Fisher", email="scott.fisher@zylker.com")
    ryan = emu.create_user("Ryan West", email="ryan.west@zylker.com")
    olivia = emu.create_user("Olivia Palmer")
    sales = emu.create_team("SALES", [scott])
    marketing = emu.create_team("MARKETING")
    response = api.post(
        "/channels",
        json={
            "name": "Zylker-Support",
            "description": "To post all the support tickets from customers",
            "level": "team",
            "team_ids": [sales.team_id, marketing.team_id],
            "user_ids": [scott.user_id],
            "email_ids": ["ryan.west@zylker.com"],
            "admin_ids": [olivia.user_id],
            "moderator_ids": [scott.user_id, olivia.user_id],
            "config": {"reply_mode": "threads", "meeting_chat_type": "channel"},
            "member_permission": {"send_message": False},
        },
    )
    assert response.status_code == 200
    channel = response.json()
    assert channel["name"] == "#Zylker-Support"
    assert channel["unique_name"] == "zylkersupport"
    assert re.fullmatch(r"T\d{13}", channel["channel_id"])
    assert re.fullmatch(r"CT_\d{19}_\d{8}", channel["chat_id"])
    assert channel["level"] == "team"
    assert channel["status"] == "created"
    assert channel["invite_only"] is False
    assert channel["creator_id"] == emu.default_user.user_id
    assert channel["creator_name"] == "Patricia James"
    assert channel["organization_id"] == "4435792"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", channel["creation_time"])
    assert channel["last_modified_time"] == channel["creation_time"]
    assert channel["current_user_role"] == "super_admin"
    assert channel["participant_count"] == 4
    assert channel["teams"] == {sales.team_id: "SALES", marketing.team_id: "MARKETING"}
    assert channel["joined"] is True
    assert channel["pinned"] is False
    assert channel["total_message_count"] == "0"
    assert channel["unread_message_count"] == 0
    assert channel["image_url"].endswith("/photo.do")
    for key in ("admin_permission", "moderator_permission", "member_permission"):
        assert set(channel[key]) == set(PERMISSIONS)
        assert all(isinstance(value, bool) for value in channel[key].values())
    assert channel["member_permission"]["send_message"] is False
    assert channel["config"] == {
        "reply_mode": "threads",
        "leave_join_info": "enable",
        "add_remove_info": "enable",
        "meeting_chat_type": "channel",
    }
    assert emu.channel_members(channel["channel_id"]) == {
        emu.default_user.user_id: "super_admin",
        scott.user_id: "moderator",
        ryan.user_id: "member",
        olivia.user_id: "admin",
    }


def test_create_channel_errors(api: Api) -> None:
    missing = api.post("/channels", json={"level": "private"})
    assert missing.status_code == 400
    assert missing.json() == {"code": "invalid_parameter", "message": f"{MSG_400} (field 'name': is required)"}
    unknown_user = api.post("/channels", json={"name": "x", "level": "private", "user_ids": ["999"]})
    assert unknown_user.status_code == 400
    assert "field 'user_ids'" in unknown_user.json()["message"]
    no_team = api.post("/channels", json={"name": "x", "level": "team"})
    assert no_team.status_code == 400
    assert "field 'team_ids'" in no_team.json()["message"]
    reader = api.as_user(api.emu.default_user, scopes=["ZohoCliq.Channels.READ"])
    forbidden = reader.post("/channels", json={"name": "x", "level": "private"})
    assert forbidden.status_code == 403
    assert forbidden.json()["message"].startswith(MSG_403)
    assert api.emu.channel_count() == 0


def test_get_channel_and_its_errors(api: Api) -> None:
    channel = api.create()
    response = api.get(f"/channels/{channel['channel_id']}")
    assert response.status_code == 200
    assert response.json() == channel
    unknown = api.get("/channels/T4000000049999")
    assert unknown.status_code == 404
    assert unknown.json()["message"].startswith(MSG_404)
    outsider = api.as_user(api.emu.create_user("Outsider"))
    hidden = outsider.get(f"/channels/{channel['channel_id']}")
    assert hidden.status_code == 403


def test_update_channel_merges_and_checks_permissions(api: Api, clock: FakeClock) -> None:
    channel = api.create(name="Support")
    clock.advance(5)
    response = api.put(
        f"/channels/{channel['channel_id']}",
        json={
            "name": "Customer-Support",
            "description": "new",
            "config": {"reply_mode": "normal_reply"},
            "admin_permission": {"delete_channel": False},
        },
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["name"] == "#Customer-Support"
    assert updated["unique_name"] == channel["unique_name"]  # kept on rename
    assert updated["description"] == "new"
    assert updated["config"]["reply_mode"] == "normal_reply"
    assert updated["config"]["leave_join_info"] == channel["config"]["leave_join_info"]
    assert updated["admin_permission"]["delete_channel"] is False
    assert updated["admin_permission"]["send_message"] is True
    assert updated["last_modified_time"] > channel["last_modified_time"]

    member = api.emu.create_user("Member")
    assert (
        api.post(f"/channels/{channel['channel_id']}/members", json={"user_ids": [member.user_id]}).status_code == 204
    )
    denied = api.as_user(member).put(f"/channels/{channel['channel_id']}", json={"name": "mine"})
    assert denied.status_code == 403
    assert api.post(f"/channels/{channel['channel_id']}/archive").status_code == 204
    archived = api.put(f"/channels/{channel['channel_id']}", json={"name": "again"})
    assert archived.status_code == 400
    assert archived.json()["code"] == "operation_not_allowed"
    too_long = api.put(f"/channels/{channel['channel_id']}", json={"name": "x" * 51})
    assert too_long.status_code == 400
    assert "field 'name'" in too_long.json()["message"]


def test_delete_channel(api: Api) -> None:
    channel = api.create()
    member = api.emu.create_user("Member")
    api.post(f"/channels/{channel['channel_id']}/members", json={"user_ids": [member.user_id]})
    assert api.as_user(member).delete(f"/channels/{channel['channel_id']}").status_code == 403
    response = api.delete(f"/channels/{channel['channel_id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/channels/{channel['channel_id']}").status_code == 404
    assert api.delete(f"/channels/{channel['channel_id']}").status_code == 404
    reader = api.as_user(api.emu.default_user, scopes=["ZohoCliq.Channels.UPDATE"])
    assert reader.delete(f"/channels/{api.create()['channel_id']}").status_code == 403


def test_members_add_get_remove(api: Api) -> None:
    emu = api.emu
    channel = api.create()
    cid = channel["channel_id"]
    scott = emu.create_user("Scott Fisher", email="scott.fisher@zylker.com")
    li = emu.create_user("Li Jung")
    assert api.post(f"/channels/{cid}/members", json={"user_ids": [scott.user_id, li.user_id]}).status_code == 204
    members = api.get(f"/channels/{cid}/members")
    assert members.status_code == 200
    assert members.json()["members"] == [
        {
            "user_id": emu.default_user.user_id,
            "email_id": "patricia.james@zylker.com",
            "name": "Patricia James",
            "user_role": "super_admin",
        },
        {
            "user_id": scott.user_id,
            "email_id": "scott.fisher@zylker.com",
            "name": "Scott Fisher",
            "user_role": "member",
        },
        {"user_id": li.user_id, "email_id": li.email, "name": "Li Jung", "user_role": "member"},
    ]
    assert api.get(f"/channels/{cid}").json()["participant_count"] == 3

    unknown = api.post(f"/channels/{cid}/members", json={"user_ids": ["123456"]})
    assert unknown.status_code == 400
    too_many = api.post(f"/channels/{cid}/members", json={"user_ids": [str(i) for i in range(51)]})
    assert too_many.status_code == 400
    assert "field 'user_ids'" in too_many.json()["message"]
    empty = api.post(f"/channels/{cid}/members", json={"user_ids": []})
    assert empty.status_code == 400

    assert api.as_user(scott).delete(f"/channels/{cid}/members", json={"user_ids": [li.user_id]}).status_code == 403
    removed = api.delete(f"/channels/{cid}/members", json={"user_ids": [li.user_id], "silent": True})
    assert removed.status_code == 204
    assert li.user_id not in emu.channel_members(cid)
    assert api.as_user(li).get(f"/channels/{cid}/members").status_code == 403
    assert api.get("/channels/T4000000049999/members").status_code == 404


def test_update_member_role_uses_the_single_path(api: Api) -> None:
    emu = api.emu
    cid = api.create()["channel_id"]
    scott = emu.create_user("Scott")
    olivia = emu.create_user("Olivia")
    api.post(f"/channels/{cid}/members", json={"user_ids": [scott.user_id, olivia.user_id]})
    response = api.put(f"/channels/{cid}/members/{scott.user_id}", json={"role": "admin"})
    assert response.status_code == 204
    assert emu.channel_members(cid)[scott.user_id] == "admin"
    # an admin may promote to moderator but not grant super_admin
    as_scott = api.as_user(scott)
    assert as_scott.put(f"/channels/{cid}/members/{olivia.user_id}", json={"role": "moderator"}).status_code == 204
    assert as_scott.put(f"/channels/{cid}/members/{olivia.user_id}", json={"role": "super_admin"}).status_code == 403
    assert (
        api.as_user(olivia).put(f"/channels/{cid}/members/{scott.user_id}", json={"role": "member"}).status_code == 403
    )
    bad_role = api.put(f"/channels/{cid}/members/{scott.user_id}", json={"role": "boss"})
    assert bad_role.status_code == 400
    assert "field 'role'" in bad_role.json()["message"]
    stranger = emu.create_user("Stranger")
    assert api.put(f"/channels/{cid}/members/{stranger.user_id}", json={"role": "admin"}).status_code == 404
    me = emu.default_user.user_id
    last = api.put(f"/channels/{cid}/members/{me}", json={"role": "member"})
    assert last.status_code == 400  # a channel keeps a super_admin
    doubled = f"/channels/{cid}/members/{scott.user_id}/members"
    no_route = api.put(doubled, json={"role": "admin"}, check=False)
    assert no_route.status_code == 404  # the reference samples' doubled path, corrected by openapi/overlay.yaml


def test_add_bot_to_channel(api: Api) -> None:
    emu = api.emu
    channel = api.create()
    emu.create_bot("supportbot", "Support Bot")
    response = api.post("/bots/supportbot/associate", json={"channel_unique_name": channel["unique_name"]})
    assert response.status_code == 204
    assert emu.channel_bots(channel["channel_id"]) == {"supportbot"}
    unknown_bot = api.post("/bots/nobot/associate", json={"channel_unique_name": channel["unique_name"]})
    assert unknown_bot.status_code == 404
    unknown_channel = api.post("/bots/supportbot/associate", json={"channel_unique_name": "nochannel"})
    assert unknown_channel.status_code == 404
    missing = api.post("/bots/supportbot/associate", json={})
    assert missing.status_code == 400
    assert "field 'channel_unique_name'" in missing.json()["message"]


def test_organization_channels_wait_for_approval(api: Api) -> None:
    emu = api.emu
    employee = api.as_user(emu.create_user("Employee"))
    pending = employee.create(name="All-Hands", level="organization")
    assert pending["status"] == "pending"
    cid = pending["channel_id"]
    assert employee.post(f"/channels/{cid}/approve").status_code == 403  # not an organization admin
    assert employee.post(f"/channels/{cid}/archive").status_code == 400  # pending
    assert api.get(f"/channels/{cid}").json()["status"] == "pending"  # admins see pending channels
    assert api.post(f"/channels/{cid}/approve").status_code == 204
    assert api.get(f"/channels/{cid}").json()["status"] == "created"
    again = api.post(f"/channels/{cid}/approve")
    assert again.status_code == 400
    rejected = employee.create(name="Spam", level="organization")
    assert api.post(f"/channels/{rejected['channel_id']}/reject").status_code == 204
    assert employee.get(f"/channels/{rejected['channel_id']}").status_code == 404
    assert api.post("/channels/T4000000049999/reject").status_code == 404


def test_join_and_leave(api: Api) -> None:
    emu = api.emu
    cid = emu.seed_channels(1, level="organization")[0]
    private = api.create(name="Secret", level="private")
    guest = api.as_user(emu.create_user("Guest"))
    joined = guest.post(f"/channels/{cid}/join")
    assert joined.status_code == 200
    assert joined.json()["joined"] is True
    assert joined.json()["current_user_role"] == "member"
    assert joined.json()["channel_id"] == cid
    assert guest.post(f"/channels/{cid}/join").status_code == 200  # idempotent
    assert guest.post(f"/channels/{private['channel_id']}/join").status_code == 403
    assert guest.post(f"/channels/{cid}/leave").status_code == 204
    assert guest.get(f"/channels/{cid}").json()["joined"] is False
    not_member = guest.post(f"/channels/{cid}/leave")
    assert not_member.status_code == 400
    assert guest.post("/channels/T4000000049999/join").status_code == 404


def test_archive_and_unarchive(api: Api) -> None:
    cid = api.create()["channel_id"]
    assert api.post(f"/channels/{cid}/archive").status_code == 204
    assert api.get(f"/channels/{cid}").json()["status"] == "archived"
    assert api.post(f"/channels/{cid}/archive").status_code == 400
    assert api.post(f"/channels/{cid}/members", json={"user_ids": [api.emu.default_user.user_id]}).status_code == 400
    unarchived = api.post(f"/channels/{cid}/unarchive")
    assert unarchived.status_code == 204
    assert unarchived.content == b""
    assert api.get(f"/channels/{cid}").json()["status"] == "created"
    assert api.post(f"/channels/{cid}/unarchive").status_code == 400
    member = api.emu.create_user("Member")
    api.post(f"/channels/{cid}/members", json={"user_ids": [member.user_id]})
    assert api.as_user(member).post(f"/channels/{cid}/archive").status_code == 403


def test_unarchive_may_answer_200_with_the_reference_body() -> None:
    emu = CliqEmulator(unarchive_status=200, validate_responses=True)
    token = emu.issue_access_token()
    with httpx.Client(
        transport=emu.transport(), base_url=emu.api_base_url, headers={"Authorization": f"Zoho-oauthtoken {token}"}
    ) as http:
        cid = emu.seed_channels(1, level="private")[0]
        assert http.post(f"/channels/{cid}/archive").status_code == 204
        response = http.post(f"/channels/{cid}/unarchive")
        assert response.status_code == 200
        assert response.json() == {"status": "success", "message": "Operation completed successfully."}
    emu.close()


def test_list_channels_answers_a_page_with_tokens(api: Api) -> None:
    api.emu.seed_channels(3, level="private")
    response = api.get("/channels", params={"limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert len(body["channels"]) == 2
    assert body["has_more"] is True
    assert re.fullmatch(r"[0-9a-f]+", body["next_token"])
    assert re.fullmatch(r"[0-9a-f]+", body["sync_token"])
    bad = api.get("/channels", params={"limit": 101})
    assert bad.status_code == 400
    assert bad.json()["message"] == f"{MSG_400} (field 'limit': 101 is greater than the maximum of 100)"
    assert THROTTLE_CODE not in bad.text


def test_network_prefix_serves_the_same_api(api: Api) -> None:
    cid = api.create()["channel_id"]
    # A network's root comes before /api/v2.
    response = api.get(str(api.http.base_url.copy_with(path=f"/network/zylkerpartners/api/v2/channels/{cid}")))
    assert response.status_code == 200
    assert response.json()["channel_id"] == cid
    record = api.emu.last_request("get_channel")
    assert record is not None
    assert record.network == "zylkerpartners"
