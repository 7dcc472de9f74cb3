"""The spec-update workflow, run in a temporary copy of the repository (never the working tree).

A modified document (a new optional field on Channel, a new ChannelLevel
value, a new operation, list_channels without its order_by parameter) goes
through ``python -m codegen.update_spec``; the summary, the regenerated
package, and the unchanged ``custom/`` layer on top of it are checked.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from codegen.normalise import dump, normalise_file

REPO_ROOT = Path(__file__).resolve().parents[2]
COPIED = ("openapi", "codegen", "custom", "cliq_channels_client", "generator-config.yaml", "pyproject.toml", "Makefile")
DOCUMENT = Path("openapi/channels.yaml")


def copy_repository(destination: Path) -> Path:
    """What the workflow needs, with the package's ``custom`` link kept a link (as in a checkout)."""
    destination.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    return destination


def run(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env}
    return subprocess.run(argv, cwd=cwd, env=environment, capture_output=True, text=True, check=False, timeout=120)


def run_update(repository: Path, new_document: Path, *options: str) -> subprocess.CompletedProcess[str]:
    # This venv's tools (openapi-python-client, ruff) drive codegen/generate.sh in the copy.
    argv = [sys.executable, "-m", "codegen.update_spec", str(new_document), "--repo-root", str(repository), *options]
    return run(argv, repository, VENV_BIN=str(Path(sys.executable).parent))


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def modified_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO_ROOT / DOCUMENT).read_text(encoding="utf-8"))
    document["info"]["version"] = "2.1.0"
    schemas = document["components"]["schemas"]
    schemas["Channel"]["properties"]["retention_days"] = {
        "type": "integer",
        "description": "Days messages are kept.",
    }
    schemas["ChannelLevel"]["enum"].append("announcement")
    list_channels = document["paths"]["/channels"]["get"]
    list_channels["parameters"] = [p for p in list_channels["parameters"] if p["name"] != "order_by"]
    archive = document["paths"]["/channels/{CHANNEL_ID}/archive"]
    pin = copy.deepcopy(archive["post"])
    pin.update(operationId="pin_channel", summary="Pin a channel", description="Pin a channel for the current user.")
    document["paths"]["/channels/{CHANNEL_ID}/pin"] = {"parameters": archive["parameters"], "post": pin}
    return document


# Run against a copy of the repository: which modules of custom/ import, and, after the update,
# whether the regenerated package carries the new operation, field and enum value into custom/.
PROBE = """
import importlib, json, pathlib, sys
import cliq_channels_client as package
custom = pathlib.Path(package.__file__).parent / "custom"
imports = {}
for path in sorted(custom.rglob("*.py")):
    name = ".".join(("cliq_channels_client.custom", *path.relative_to(custom).with_suffix("").parts))
    name = name.removesuffix(".__init__")
    try:
        importlib.import_module(name)
        imports[name] = "ok"
    except Exception as error:
        imports[name] = f"{type(error).__name__}: {error}"
result = {"package": package.__file__, "imports": imports}
if sys.argv[1] == "after":
    from cliq_channels_client.custom.operations import OPERATIONS_BY_ID, match_operation
    from cliq_channels_client.custom.errors import CliqError
    from cliq_channels_client.models import Channel, ChannelLevel
    from cliq_channels_client.api.channels import pin_channel
    pin = OPERATIONS_BY_ID["pin_channel"]
    channel = Channel.from_dict(
        {"channel_id": "T1", "name": "#Ops", "level": "announcement", "status": "created", "retention_days": 30}
    )
    result.update(
        pin=[pin.method, pin.path, list(pin.scopes), pin.rate_limit.threshold],
        matched=match_operation("POST", "/api/v2/channels/T1/pin").operation_id,
        list_channels_query=sorted(OPERATIONS_BY_ID["list_channels"].query_parameters),
        channel=[channel.name, channel.retention_days, channel.level.value, channel.level.is_known],
        level_member=ChannelLevel.ANNOUNCEMENT.value,
        round_trip=channel.to_dict(),
        cliq_error=issubclass(CliqError, Exception),
        pin_function=callable(pin_channel.sync_detailed),
    )
print(json.dumps(result))
"""


def probe(repository: Path, stage: str) -> dict[str, Any]:
    completed = run([sys.executable, "-c", PROBE, stage], repository, PYTHONPATH=str(repository))
    assert completed.returncode == 0, completed.stderr
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    # The copy, not the working tree (which this venv also has on sys.path, as an editable install).
    assert result["package"] == str(repository / "cliq_channels_client" / "__init__.py")
    return result


@attrs.frozen
class Update:
    repository: Path
    new_document: Path
    completed: subprocess.CompletedProcess[str]
    before: dict[str, Any]
    after: dict[str, Any]
    custom_digest_before: str


@pytest.fixture(scope="module")
def update(tmp_path_factory: pytest.TempPathFactory) -> Update:
    base = tmp_path_factory.mktemp("update-spec")
    repository = copy_repository(base / "repository")
    new_document = base / "downloaded-channels.yaml"
    new_document.write_text(yaml.safe_dump(modified_document(), sort_keys=False), encoding="utf-8")
    before = probe(repository, "before")
    custom_digest = tree_digest(repository / "custom")

    completed = run_update(repository, new_document, "--check")

    assert completed.returncode in {0, 1}, completed.stderr
    return Update(repository, new_document, completed, before, probe(repository, "after"), custom_digest)


def change_lines(output: str) -> list[str]:
    return [
        line for line in output.splitlines() if line[:12].strip() in {"", "BREAKING"} and line[12:13] in {"+", "-", "~"}
    ]


def test_summary_lists_each_change_with_its_breaking_flag(update: Update) -> None:
    output = update.completed.stdout

    assert "Public API changes, Zoho Cliq Channels 2.0.0 -> 2.1.0: 4 changes, 1 BREAKING" in output
    assert sorted(change_lines(output)) == sorted(
        [
            "            + added    pin_channel (POST /channels/{CHANNEL_ID}/pin)",
            "  BREAKING  - removed  list_channels: query parameter 'order_by' (ChannelOrder, optional)",
            "            ~ changed  ChannelLevel: enum values added: 'announcement'",
            "            + added    Channel.retention_days (integer, optional)",
        ]
    )
    lines = output.splitlines()
    enum_line = lines.index("            ~ changed  ChannelLevel: enum values added: 'announcement'")
    assert "keep values they do not know (is_known == False)" in lines[enum_line + 1]


def test_check_exits_1_on_a_breaking_change_and_still_applies_the_update(update: Update) -> None:
    assert update.completed.returncode == 1
    assert "regenerated cliq_channels_client/: 17 operations" in update.completed.stdout
    assert (update.repository / DOCUMENT).read_bytes() == update.new_document.read_bytes()


def test_regenerated_package_has_the_new_operation_field_and_enum_value(update: Update) -> None:
    package = update.repository / "cliq_channels_client"

    assert (package / "api" / "channels" / "pin_channel.py").is_file()
    assert "retention_days" in (package / "models" / "channel.py").read_text(encoding="utf-8")
    assert 'ANNOUNCEMENT = "announcement"' in (package / "models" / "channel_level.py").read_text(encoding="utf-8")
    list_channels = (package / "api" / "channels" / "list_channels.py").read_text(encoding="utf-8")
    assert "order_by" not in list_channels
    assert "sync_token" in list_channels
    # The emulator's copy is the normalised document: download -> ingest -> overlay.
    normalised = normalise_file(update.new_document, update.repository / "openapi" / "overlay.yaml")
    assert (package / "openapi.yaml").read_text(encoding="utf-8") == dump(normalised.document)
    assert re.search(r"""^    ["']pin_channel["']: \{$""", (package / "operation_table.py").read_text(), re.MULTILINE)
    assert (package / "custom").is_symlink()
    assert os.readlink(package / "custom") == "../custom"
    assert not (update.repository / "build" / "generate" / "cliq_channels_client").exists()


def test_custom_layer_works_unchanged_on_the_regenerated_package(update: Update) -> None:
    after = update.after

    assert tree_digest(update.repository / "custom") == update.custom_digest_before
    assert after["imports"]["cliq_channels_client.custom.operations"] == "ok"
    assert after["imports"]["cliq_channels_client.custom.errors"] == "ok"
    # Whatever of custom/ imported before the update imports after it.
    imported_before = {name for name, outcome in update.before["imports"].items() if outcome == "ok"}
    assert {name: after["imports"][name] for name in imported_before} == dict.fromkeys(imported_before, "ok")
    stated = modified_document()["paths"]["/channels/{CHANNEL_ID}/pin"]["post"]["x-zoho-rate-limit"]["threshold"]
    assert after["pin"] == ["POST", "/channels/{CHANNEL_ID}/pin", ["ZohoCliq.Channels.UPDATE"], stated]
    assert after["matched"] == "pin_channel"
    assert "order_by" not in after["list_channels_query"]
    assert "sync_token" in after["list_channels_query"]
    assert after["channel"] == ["#Ops", 30, "announcement", True]
    assert after["level_member"] == "announcement"
    assert after["round_trip"] == {
        "channel_id": "T1",
        "name": "#Ops",
        "level": "announcement",
        "status": "created",
        "retention_days": 30,
    }
    assert after["cliq_error"] is True
    assert after["pin_function"] is True


def test_failed_generation_restores_the_document_and_leaves_the_package(tmp_path: Path) -> None:
    repository = copy_repository(tmp_path / "repository")
    document = modified_document()
    # A response schema the document does not define: the generator fails on it.
    pin = document["paths"]["/channels/{CHANNEL_ID}/pin"]["post"]
    pin["responses"]["200"] = {
        "description": "x",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NoSuchSchema"}}},
    }
    new_document = tmp_path / "broken.yaml"
    new_document.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    original = (repository / DOCUMENT).read_bytes()
    package_digest = tree_digest(repository / "cliq_channels_client")

    completed = run_update(repository, new_document)

    assert completed.returncode == 2
    assert "generation failed; openapi/channels.yaml was restored" in completed.stderr
    assert "NoSuchSchema" in completed.stderr
    assert (repository / DOCUMENT).read_bytes() == original
    assert tree_digest(repository / "cliq_channels_client") == package_digest
    assert completed.stdout == ""


def test_an_operation_the_generator_skips_is_refused(tmp_path: Path) -> None:
    repository = copy_repository(tmp_path / "repository")
    document = modified_document()
    # Path template and parameters disagree: openapi-python-client drops the endpoint with a warning.
    # codegen/generate.sh passes --fail-on-warning, so generation itself fails (update_spec's own
    # skipped-operation check is the second line of defence, for generators run without it).
    document["paths"]["/channels/{CHANNEL_ID}/pin/{SLOT}"] = document["paths"].pop("/channels/{CHANNEL_ID}/pin")
    new_document = tmp_path / "skipped.yaml"
    new_document.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    original = (repository / DOCUMENT).read_bytes()
    package_digest = tree_digest(repository / "cliq_channels_client")

    completed = run_update(repository, new_document)

    assert completed.returncode == 2
    assert "openapi/channels.yaml was restored" in completed.stderr
    assert "Warning(s) encountered while generating" in completed.stderr
    assert (repository / DOCUMENT).read_bytes() == original
    assert tree_digest(repository / "cliq_channels_client") == package_digest


def test_a_file_that_is_not_an_openapi_document_changes_nothing(tmp_path: Path) -> None:
    repository = copy_repository(tmp_path / "repository")
    download = tmp_path / "channels.yaml"
    download.write_text("<!doctype html><title>Sign in</title>\n", encoding="utf-8")
    original = (repository / DOCUMENT).read_bytes()

    completed = run_update(repository, download)

    assert completed.returncode == 2
    assert "is not an OpenAPI document" in completed.stderr
    assert (repository / DOCUMENT).read_bytes() == original
