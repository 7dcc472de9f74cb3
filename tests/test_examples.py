"""The examples: the demo keeps its promises, real_zoho refuses without credentials, the application works.

The demo and real_zoho.py run as scripts (a subprocess), the way ``make demo``
and a user run them.  The application functions (``examples/channel_admin.py``)
run in-process against the emulator's in-process transport -- no sockets --
under asyncio and trio.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from cliq_channels_client import (
    BadRequestError,
    Client,
    FakeClock,
    NotFoundError,
    PermissionDeniedError,
    RateLimitWaitExceededError,
    create_client,
    testing,
)
from cliq_channels_client.models import ChannelRole, ChannelStatus

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))  # the examples import each other as scripts do: ``import channel_admin``

import channel_admin as app  # noqa: E402
import demo  # noqa: E402
import real_zoho  # noqa: E402

#: The emulator class (served lazily by the package, so spelled through ``testing``).
Emulator = testing.CliqEmulator

#: What real_zoho.py reads; removed from the environment of the scripts under test.
ZOHO_VARIABLES = (*real_zoho.REQUIRED, "CLIQ_NETWORK", "ZOHO_TOKEN_FILE")


def run_script(name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ZOHO_VARIABLES}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **(env or {})},
        check=False,
    )


# --- the demo, as `make demo` runs it ---------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_run() -> subprocess.CompletedProcess[str]:
    return run_script("demo.py")


def test_demo_succeeds_and_says_so(demo_run: subprocess.CompletedProcess[str]) -> None:
    assert demo_run.returncode == 0, demo_run.stdout[-3000:] + demo_run.stderr[-3000:]
    assert re.search(r"^All \d+ checks passed\.$", demo_run.stdout, re.M)
    assert "FAIL" not in demo_run.stdout
    assert demo_run.stderr == ""


def test_demo_shows_token_refreshes(demo_run: subprocess.CompletedProcess[str]) -> None:
    out = demo_run.stdout
    assert "token refreshed for Patricia (org admin): its first token" in out
    assert "token refreshed for Patricia (org admin): the old one was about to expire" in out
    assert "token refreshed for Patricia (org admin): the server rejected the old one" in out
    tokens = re.search(r"throttle responses: (\d+); token requests: (\d+)", out)
    assert tokens is not None
    assert int(tokens.group(2)) >= 3


def test_demo_stays_inside_the_rate_limit(demo_run: subprocess.CompletedProcess[str]) -> None:
    out = demo_run.stdout
    assert "throttle responses from the emulator: 0" in out
    assert re.search(r"throttle responses: 0;", out)
    assert re.search(r"the client paused the job [1-9]\d* time\(s\)", out)  # it had to pace, and did
    rows = re.findall(r"^  (\S.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", out, re.M)
    table = {name: [int(n) for n in numbers] for name, *numbers in rows}
    assert {"list_channels", "update_channel", "create_channel", "token requests (oauth_token)"} <= set(table)
    for name, (_requests, _ok, _refused, throttled, peak) in table.items():
        assert throttled == 0, name
        if "oauth_token" not in name:
            assert peak <= demo.rate_limit(name), name  # each operation's limit, from the operation table
    assert table["update_channel"][0] > 3 * demo.rate_limit("update_channel")  # bigger than three minutes' allowance


def test_demo_lists_every_channel_once(demo_run: subprocess.CompletedProcess[str]) -> None:
    match = re.search(r"every channel seen exactly once \((\d+) unique of (\d+)\)", demo_run.stdout)
    assert match is not None
    assert match.group(1) == match.group(2)
    assert int(match.group(1)) >= 3000
    assert "exactly the 4 changed channels and the 1 deleted one" in demo_run.stdout


def test_demo_runs_on_trio() -> None:
    result = run_script("demo.py", "--channels", "300", "--backend", "trio")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "every channel seen exactly once (302 unique of 302)" in result.stdout


def test_demo_exits_1_when_a_check_fails(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A stricter (wrong) limit than the client keeps makes the pacing checks fail, and the exit code says so."""
    stricter = demo.rate_limit("update_channel") // 2
    monkeypatch.setattr(demo, "rate_limit", lambda operation_id: stricter)
    assert demo.main(["--channels", "150"]) == 1
    out = capsys.readouterr().out
    assert f"FAIL never more than {stricter} calls in any 60 s" in out
    assert "checks FAILED" in out


# --- real_zoho.py without credentials ------------------------------------------------------------


def test_real_zoho_refuses_without_credentials() -> None:
    result = run_script("real_zoho.py")
    assert result.returncode == 2
    assert "missing environment variable ZOHO_CLIENT_ID" in result.stderr
    assert result.stdout == ""


def test_real_zoho_names_the_one_missing_variable_and_prints_no_secret() -> None:
    secret = "0123456789abcdef0123456789abcdef01"
    refresh = "1000.aaaabbbbccccdddd.eeeeffff00001111"
    result = run_script(
        "real_zoho.py",
        "--write",
        env={"ZOHO_CLIENT_ID": "1000.CLIENT", "ZOHO_CLIENT_SECRET": secret, "ZOHO_REFRESH_TOKEN": refresh},
    )
    assert result.returncode == 2
    assert "missing environment variable ZOHO_DC." in result.stderr
    assert "also missing" not in result.stderr
    assert secret not in result.stdout + result.stderr
    assert refresh not in result.stdout + result.stderr


def test_real_zoho_refuses_an_unknown_data_centre(capsys: pytest.CaptureFixture[str]) -> None:
    env = {"ZOHO_CLIENT_ID": "id", "ZOHO_CLIENT_SECRET": "s", "ZOHO_REFRESH_TOKEN": "r", "ZOHO_DC": "mars"}
    assert real_zoho.main([], env=env) == 2
    err = capsys.readouterr().err
    assert "ZOHO_DC" in err
    assert "'mars'" in err


def test_real_zoho_settings_keep_secrets_out_of_repr() -> None:
    env = {"ZOHO_CLIENT_ID": "id-1", "ZOHO_CLIENT_SECRET": "sekrit", "ZOHO_REFRESH_TOKEN": "rt-1", "ZOHO_DC": "eu"}
    settings = real_zoho.settings_from_env({**env, "CLIQ_NETWORK": "zylker", "ZOHO_TOKEN_FILE": "~/t.json"})
    assert (settings.data_centre, settings.network) == ("eu", "zylker")
    assert settings.token_file == Path("~/t.json").expanduser()
    assert "sekrit" not in repr(settings)
    assert "rt-1" not in repr(settings)


# --- the application, in-process against the emulator (asyncio and trio) ----------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[Emulator]:
    with Emulator(clock=clock, token_ttl=600, validate_responses=True) as emulator:
        yield emulator


def make_client(emu: Emulator, clock: FakeClock, user: Any = None, **options: Any) -> Client:
    """``create_client`` as an application would call it, on the emulator's in-process transport."""
    credentials = emu.credentials if user is None else emu.create_refresh_token(user)
    client: Client = create_client(
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        refresh_token=credentials.refresh_token,
        base_url=emu.api_base_url,
        accounts_url=emu.accounts_url,
        async_transport=emu.async_transport(),
        clock=clock,
        **options,
    )
    return client


@pytest.fixture
async def client(emu: Emulator, clock: FakeClock) -> AsyncIterator[Client]:
    async with make_client(emu, clock) as client:
        yield client


def arrivals(emu: Emulator, operation_id: str) -> list[float]:
    return [r.time for r in emu.requests if r.operation_id == operation_id]


@pytest.mark.anyio
async def test_project_channel_members_role_and_bot(emu: Emulator, client: Client) -> None:
    scott, amelia, noah = (emu.create_user(name) for name in ("Scott", "Amelia", "Noah"))
    emu.create_bot("standupbot")
    channel = await app.create_project_channel(client, "Falcon", member_ids=[scott.user_id])
    channel_id = str(channel.channel_id)
    assert channel.status == ChannelStatus.CREATED

    await app.add_members(client, channel_id, [amelia.user_id, noah.user_id])
    await app.set_member_role(client, channel_id, amelia.user_id, ChannelRole.MODERATOR)
    await app.add_bot(client, "standupbot", channel)

    roles = await app.member_roles(client, channel_id)
    assert roles == {
        emu.default_user.user_id: "super_admin",
        scott.user_id: "member",
        amelia.user_id: "moderator",
        noah.user_id: "member",
    }
    assert emu.channel_members(channel_id) == roles
    assert emu.channel_bots(channel_id) == frozenset({"standupbot"})


@pytest.mark.anyio
async def test_add_members_sends_at_most_50_per_request(emu: Emulator, client: Client) -> None:
    users = [emu.create_user(f"User {i}").user_id for i in range(120)]
    channel = await app.create_project_channel(client, "Big")
    await app.add_members(client, str(channel.channel_id), users)
    sizes = [len(r.body["user_ids"]) for r in emu.requests if r.operation_id == "add_channel_members"]
    assert sizes == [50, 50, 20]
    assert len(emu.channel_members(str(channel.channel_id))) == 121


@pytest.mark.anyio
async def test_org_channel_is_pending_until_approved(emu: Emulator, client: Client, clock: FakeClock) -> None:
    channel = await app.create_org_channel(client, "All Hands")
    assert channel.status == ChannelStatus.PENDING
    member = emu.create_user("Liam")
    async with make_client(emu, clock, member) as liam:
        with pytest.raises(PermissionDeniedError) as refused:
            await app.approve(liam, str(channel.channel_id))
    assert refused.value.status_code == 403
    approved = await app.approve(client, str(channel.channel_id))
    assert approved.status == ChannelStatus.CREATED

    other = await app.create_org_channel(client, "Rumours")
    await app.reject(client, str(other.channel_id))
    assert await app.find_channel(client, str(other.channel_id)) is None


@pytest.mark.anyio
async def test_archive_unarchive_and_typed_errors(emu: Emulator, client: Client) -> None:
    (channel_id,) = emu.seed_channels(1)
    await app.archive(client, channel_id)
    assert (await app.get(client, channel_id)).status == ChannelStatus.ARCHIVED
    with pytest.raises(BadRequestError) as refused:
        await app.add_members(client, channel_id, [emu.create_user("Noah").user_id])
    assert refused.value.code == "operation_not_allowed"
    await app.unarchive(client, channel_id)
    assert (await app.get(client, channel_id)).status == ChannelStatus.CREATED
    await app.delete(client, channel_id)
    assert await app.find_channel(client, channel_id) is None
    with pytest.raises(NotFoundError):
        await app.get(client, channel_id)


@pytest.mark.anyio
async def test_inventory_sees_every_channel_once(emu: Emulator, client: Client) -> None:
    emu.seed_channels(230)
    emu.seed_channels(20, status="archived")
    inventory = await app.inventory(client, page_size=40)
    assert (inventory.count, inventory.unique, inventory.duplicates) == (250, 250, ())
    assert inventory.pages == 7
    assert inventory.by_status == {"created": 230, "archived": 20}
    assert emu.count(operation_id="list_channels") == 7
    archived = await app.inventory(client, page_size=100, status=ChannelStatus.ARCHIVED)
    assert archived.count == 20


@pytest.mark.anyio
async def test_mirror_full_run_then_only_the_changes(emu: Emulator, client: Client) -> None:
    ids = emu.seed_channels(150)
    mirror = app.ChannelMirror()
    first = await mirror.refresh(client)
    assert (first.full, first.reason, first.pages) == (True, "initial", 2)
    assert set(mirror.channels) == set(ids)

    await app.archive(client, ids[0])
    await app.set_description(client, ids[1], "new")
    await app.delete(client, ids[2])
    created = await app.create_project_channel(client, "Osprey")
    second = await mirror.refresh(client)
    assert (second.full, second.reason, second.pages) == (False, None, 1)
    assert set(second.changed) == {ids[0], ids[1], str(created.channel_id)}
    assert second.removed == (ids[2],)
    assert set(mirror.channels) == (set(ids) - {ids[2]}) | {str(created.channel_id)}
    assert mirror.channels[ids[1]].description == "new"
    assert mirror.channels[ids[0]].status == ChannelStatus.ARCHIVED

    third = await mirror.refresh(client)
    assert (third.full, third.changed, third.removed) == (False, (), ())


@pytest.mark.anyio
async def test_mirror_falls_back_to_a_full_listing_after_many_changes(emu: Emulator, client: Client) -> None:
    ids = emu.seed_channels(80)
    mirror = app.ChannelMirror()
    await mirror.refresh(client)
    result = await app.bulk_set_description(client, ids[:55], "bulk", concurrency=4)
    assert len(result.done) == 55
    report = await mirror.refresh(client)
    assert (report.full, report.reason) == (True, "sync_limit_exceeded")
    assert sum(1 for c in mirror.channels.values() if c.description == "bulk") == 55
    assert len(mirror.channels) == 80


@pytest.mark.anyio
async def test_bulk_job_is_paced_inside_the_limit(emu: Emulator, client: Client, clock: FakeClock) -> None:
    ids = emu.seed_channels(45)
    start = clock.now()
    result = await app.bulk_set_description(client, ids, "paced", concurrency=6)
    assert sorted(result.done) == sorted(ids)
    assert (result.failed, result.skipped) == ({}, [])
    assert emu.count(status=429) == 0
    allowed = demo.rate_limit("update_channel")  # from the operation table
    assert demo.max_in_window(arrivals(emu, "update_channel")) <= allowed
    assert clock.now() - start >= 60 * ((45 - 1) // allowed)  # 45 calls at `allowed` a minute take this many windows


@pytest.mark.anyio
async def test_bulk_job_records_failures_and_goes_on(emu: Emulator, client: Client) -> None:
    ids = emu.seed_channels(3)
    result = await app.bulk_set_description(client, [ids[0], "T4000000099999", ids[1]], "x", concurrency=1)
    assert result.done == [ids[0], ids[1]]
    assert isinstance(result.failed["T4000000099999"], NotFoundError)


@pytest.mark.anyio
async def test_bulk_job_stops_when_the_limit_would_need_too_long_a_wait(emu: Emulator, clock: FakeClock) -> None:
    allowed = demo.rate_limit("update_channel")  # the document's limit, from the operation table
    ids = emu.seed_channels(allowed + 10)
    async with make_client(emu, clock, max_wait=10) as impatient:
        result = await app.bulk_set_description(impatient, ids, "x", concurrency=1)
    assert result.done == ids[:allowed]
    assert list(result.failed) == [ids[allowed]]
    assert isinstance(result.failed[ids[allowed]], RateLimitWaitExceededError)
    assert result.skipped == ids[allowed + 1 :]
    assert emu.count(operation_id="update_channel") == allowed  # the next was never sent
    assert emu.count(status=429) == 0


@pytest.mark.anyio
async def test_an_expired_token_is_refreshed_before_use(emu: Emulator, client: Client, clock: FakeClock) -> None:
    (channel_id,) = emu.seed_channels(1)
    await app.get(client, channel_id)
    clock.advance(400)  # past half of the 600 s lifetime: the client refreshes ahead of expiry
    await app.get(client, channel_id)
    clock.advance(700)  # past expiry
    await app.get(client, channel_id)
    assert emu.count(operation_id="oauth_token") == 3
    assert emu.count(status=401) == 0


@pytest.mark.anyio
async def test_real_zoho_flows_against_the_emulator(
    emu: Emulator, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """real_zoho.py's read-only and --write steps, minus the network: they run and clean up after themselves."""
    emu.seed_channels(120)
    member = emu.create_user("Scott")
    emu.create_bot("standupbot")
    mirror = await real_zoho.read_only(client, page_size=50)
    assert len(mirror.channels) == 120
    await real_zoho.write_steps(client, mirror, [member.user_id], "standupbot", org_channel=True)
    out = capsys.readouterr().out
    assert "120 channels in 3 page(s)" in out
    assert "approved: status created" in out
    assert out.count("cleaned up: deleted") == 2
    assert emu.channel_count() == 120
    assert emu.count(status=429) == 0


def test_the_typed_application_runs_on_the_emulator() -> None:
    """examples/typed_app.py: written from the README, checked by mypy --strict and pyright in `make typecheck`."""
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "typed_app.py")], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "(private, created)" in out
    assert out.count("\nmember ") == 3
    assert "recent T" in out
    assert "sync 1: 1 channels, full=True" in out
    assert "sync 2: 0 changed" in out
    assert "not found: HTTP 404 get_channel" in out
    assert "refused: path.CHANNEL_ID (minLength)" in out


def test_the_typed_application_needs_no_cast_assert_or_ignore() -> None:
    source = (EXAMPLES / "typed_app.py").read_text(encoding="utf-8")
    code = source.split('"""', 2)[2]  # after the module docstring, which names them
    for forbidden in ("cast(", "assert ", "type: ignore", "pyright: ignore", "isinstance("):
        assert forbidden not in code, forbidden


def test_the_readme_quick_start_type_checks_without_casts(tmp_path: Path) -> None:
    """The README's first Python block, as a user would paste it: clean under mypy --strict and pyright."""
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert "cast(" not in quick_start
    assert "type: ignore" not in quick_start
    app = tmp_path / "quick_start.py"
    app.write_text(
        quick_start.replace("anyio.run(main, None)", "if __name__ == '__main__':\n    anyio.run(main, None)")
    )
    bin_dir = Path(sys.executable).parent
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(app)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert mypy.returncode == 0, mypy.stdout
    pyright = subprocess.run(
        [str(bin_dir / "basedpyright"), "--level", "error", "--pythonpath", sys.executable, str(app)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert pyright.returncode == 0, pyright.stdout
    assert "0 errors" in pyright.stdout
