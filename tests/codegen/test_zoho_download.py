"""`make update-spec` on Zoho's own downloaded document, then on a next version of it, in a temporary copy.

The real file (``../shared/zoho-openapi/channels.yml``: OpenAPI 3.0, no
operationIds, limits as prose) must keep the 16 function names, pace by the
limits it states, and leave the demo passing.  A next version made by editing
it (a new operation, a changed threshold, the doubled path fixed upstream, a
new query parameter) must update cleanly with each change in the report; an
unreadable limit is paced conservatively and flagged; a malformed document is
refused with the previous one kept.  One copy is shared, runs in order.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from .test_update_spec import REPO_ROOT, copy_repository, run, run_update, tree_digest
from .zoho_download import ZOHO_DOWNLOAD, zoho_document

DOUBLED = "/channels/{CHANNEL_ID}/members/{USER_ID}/members"
SINGLE = "/channels/{CHANNEL_ID}/members/{USER_ID}"
NAMES = frozenset(
    {
        "create_channel",
        "list_channels",
        "get_channel",
        "update_channel",
        "delete_channel",
        "add_channel_members",
        "get_channel_members",
        "remove_channel_members",
        "update_channel_member_role",
        "add_bot_to_channel",
        "approve_channel",
        "reject_channel",
        "join_channel",
        "leave_channel",
        "archive_channel",
        "unarchive_channel",
    }
)

# What the regenerated copy offers: each operation's (method, path, threshold, window, lock) and its module.
PROBE = """
import json, pathlib, sys
import cliq_channels_client as package
from cliq_channels_client.operation_table import OPERATIONS
root = pathlib.Path(package.__file__).parent
assert root == pathlib.Path(sys.argv[1]), root
print(json.dumps({
    "operations": {name: [op["method"], op["path"], op["rate_limit"]["threshold"], op["rate_limit"]["window_seconds"],
                          op["rate_limit"]["lock_seconds"]] for name, op in OPERATIONS.items()},
    "modules": sorted(p.stem for p in root.glob("api/*/*.py") if p.stem != "__init__"),
}))
"""


@attrs.frozen
class Run:
    returncode: int
    stdout: str
    stderr: str
    operations: dict[str, list[Any]]
    modules: list[str]


def update_and_probe(repository: Path, document: Path, *options: str) -> Run:
    completed = run_update(repository, document, *options)
    probed = run(
        [sys.executable, "-c", PROBE, str(repository / "cliq_channels_client")], repository, PYTHONPATH=str(repository)
    )
    assert probed.returncode == 0, probed.stderr
    state = json.loads(probed.stdout.strip().splitlines()[-1])
    return Run(completed.returncode, completed.stdout, completed.stderr, state["operations"], state["modules"])


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repository = copy_repository(tmp_path_factory.mktemp("zoho-download") / "repository")
    shutil.copytree(REPO_ROOT / "examples", repository / "examples")
    return repository


@pytest.fixture(scope="module")
def real(repository: Path) -> Run:
    return update_and_probe(repository, ZOHO_DOWNLOAD, "--check")


@pytest.fixture(scope="module")
def demo(repository: Path, real: Run) -> str:
    completed = run([sys.executable, "examples/demo.py"], repository, PYTHONPATH=str(repository))
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed.stdout


def next_version() -> dict[str, Any]:
    document = zoho_document()
    document["info"]["version"] = "1.1.0"
    get_channel = document["paths"]["/channels/{CHANNEL_ID}"]["get"]
    get_channel["description"] = get_channel["description"].replace("30 requests per min", "40 requests per min")
    document["paths"][SINGLE] = document["paths"].pop(DOUBLED)
    document["paths"]["/channels"]["get"]["parameters"].append(
        {"name": "include_archived", "in": "query", "required": False, "schema": {"type": "boolean"}}
    )
    pin = copy.deepcopy(document["paths"]["/channels/{CHANNEL_ID}/archive"]["post"])
    pin["summary"] = "Pin a Channel"
    pin["description"] = (
        pin["description"].replace("archive a channel", "pin a channel").replace("10 requests", "7 requests")
    )
    document["paths"]["/channels/{CHANNEL_ID}/pin"] = {"post": pin}
    return document


@pytest.fixture(scope="module")
def upgraded(repository: Path, demo: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return update_and_probe(repository, write(tmp_path_factory.mktemp("next") / "channels.yml", next_version()))


@pytest.fixture(scope="module")
def unreadable(repository: Path, upgraded: Run, tmp_path_factory: pytest.TempPathFactory) -> Run:
    document = next_version()
    join = document["paths"]["/channels/{CHANNEL_ID}/join"]["post"]
    join["description"] = "Use this API to join a channel.<br><b>Threshold limit</b> : generous, within reason."
    return update_and_probe(
        repository, write(tmp_path_factory.mktemp("unreadable") / "channels.yml", document), "--check"
    )


def test_the_real_download_keeps_the_16_names(real: Run) -> None:
    assert real.returncode == 0, real.stderr
    assert set(real.operations) == NAMES
    assert set(real.modules) == NAMES
    assert real.operations["update_channel_member_role"][:2] == ["PUT", SINGLE]


def test_the_real_download_paces_by_the_limits_it_states(real: Run) -> None:
    from codegen.ingest import ingest, iter_operations
    from codegen.limit_prose import parse_limit_prose

    stated = {
        (method, SINGLE if path == DOUBLED else path): parse_limit_prose(operation["description"])
        for method, path, operation in iter_operations(zoho_document())
    }
    paced = {(method, path): limits for method, path, *limits in real.operations.values()}
    assert len(stated) == len(paced) == 16
    for route, facts in stated.items():
        assert paced[route] == [facts.threshold, facts.window_seconds, facts.lock_seconds], route
    assert ingest(zoho_document())[1].unread_limits == ()


def test_the_report_of_the_real_run_lists_limits_and_corrections(real: Run) -> None:
    assert "get_channel_members: rate limit 20/60s (lock 600s) -> 100/60s (lock 300s)" in real.stdout
    assert "doubled-member-role-path: applied" in real.stdout
    assert "implicit-oauth-flow: applied" in real.stdout
    assert "New operations" in real.stdout


def test_the_demo_passes_on_the_regenerated_package(demo: str) -> None:
    assert "checks passed" in demo


def test_a_next_version_updates_cleanly_and_the_report_says_each_change(upgraded: Run) -> None:
    assert upgraded.returncode == 0, upgraded.stderr
    assert set(upgraded.operations) == NAMES | {"post_channels_by_channel_id_pin"}
    assert "POST /channels/{CHANNEL_ID}/pin -> post_channels_by_channel_id_pin" in upgraded.stdout
    assert upgraded.operations["post_channels_by_channel_id_pin"][2:] == [7, 60, 300]
    assert "get_channel: rate limit 30/60s (lock 300s) -> 40/60s (lock 300s)" in upgraded.stdout
    assert upgraded.operations["get_channel"][2] == 40
    assert "doubled-member-role-path: correction no longer needed" in upgraded.stdout
    assert upgraded.operations["update_channel_member_role"][:2] == ["PUT", SINGLE]
    assert "include_archived" in upgraded.stdout


def test_an_unreadable_limit_is_paced_conservatively_and_flagged(unreadable: Run) -> None:
    assert unreadable.returncode == 1, unreadable.stderr  # --check: needs a human
    assert "Limits that could not be read" in unreadable.stdout
    assert "POST /channels/{CHANNEL_ID}/join" in unreadable.stdout
    assert "generous, within reason" in unreadable.stdout
    others = [op[2] for name, op in unreadable.operations.items() if name != "join_channel"]
    assert unreadable.operations["join_channel"][2:] == [min(others), 60, 600]


def test_a_malformed_document_is_refused_and_the_previous_one_kept(
    repository: Path, unreadable: Run, tmp_path: Path
) -> None:
    document_before = (repository / "openapi/channels.yaml").read_bytes()
    package_before = tree_digest(repository / "cliq_channels_client")
    for text in (
        "openapi: 3.0.0\npaths: [1, 2]\n",
        "openapi: 3.0.0\npaths: {/a: {get: {operationId: 'no such name'}}}\n",
        "{",
    ):
        malformed = tmp_path / "channels.yml"
        malformed.write_text(text, encoding="utf-8")
        completed = run_update(repository, malformed)
        assert completed.returncode == 2, completed.stdout
        assert "refused" in completed.stderr or "error" in completed.stderr
        assert (repository / "openapi/channels.yaml").read_bytes() == document_before
        assert tree_digest(repository / "cliq_channels_client") == package_before
