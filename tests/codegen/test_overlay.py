"""openapi/overlay.yaml over our own document and over Zoho's download: same names, same shapes, corrections named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.ingest import iter_operations
from codegen.normalise import NormaliseError, normalise
from codegen.overlay import OverlayError, corrections, load_overlay

from .zoho_download import zoho_document as zoho

REPO_ROOT = Path(__file__).resolve().parents[2]
OURS: dict[str, Any] = yaml.safe_load((REPO_ROOT / "openapi/channels.yaml").read_text(encoding="utf-8"))
OVERLAY = load_overlay(REPO_ROOT / "openapi/overlay.yaml")
DOUBLED = "/channels/{CHANNEL_ID}/members/{USER_ID}/members"
SINGLE = "/channels/{CHANNEL_ID}/members/{USER_ID}"


def limits_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {operation["operationId"]: operation["x-zoho-rate-limit"] for _, _, operation in iter_operations(document)}


def operations(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {operation["operationId"]: (method, path) for method, path, operation in iter_operations(document)}


def test_our_document_goes_through_unchanged_in_meaning_except_the_corrected_path() -> None:
    normalised = normalise(OURS, OVERLAY).document
    expected = copy.deepcopy(OURS)
    expected["paths"][SINGLE] = expected["paths"].pop(DOUBLED)
    assert normalised["components"] == expected["components"]
    assert normalised["servers"] == expected["servers"]
    assert normalised["security"] == expected["security"]
    assert normalised["paths"] == expected["paths"], "the overlay's responses or bodies drifted from ours"


def test_zohos_download_gets_the_16_names_and_the_shapes_of_our_document() -> None:
    ours, downloaded = normalise(OURS, OVERLAY).document, normalise(zoho(), OVERLAY).document
    assert operations(downloaded) == operations(ours)
    assert len(operations(downloaded)) == 16
    assert downloaded["components"] == ours["components"]
    for method, path, operation in iter_operations(ours):
        theirs = downloaded["paths"][path][method.lower()]
        assert theirs["responses"] == operation["responses"], operation["operationId"]
        assert theirs.get("requestBody") == operation.get("requestBody"), operation["operationId"]
        assert theirs["security"] == operation["security"], operation["operationId"]


def test_zohos_download_paces_by_its_own_stated_limits() -> None:
    stated = {  # the "Threshold limit" of each operation in Zoho's download; 5-minute lock everywhere
        "create_channel": 20,
        "list_channels": 30,
        "get_channel": 30,
        "update_channel": 50,
        "delete_channel": 10,
        "get_channel_members": 100,
        "add_channel_members": 10,
        "remove_channel_members": 10,
        "add_bot_to_channel": 5,
        "update_channel_member_role": 10,
        "approve_channel": 10,
        "reject_channel": 10,
        "join_channel": 10,
        "leave_channel": 10,
        "archive_channel": 10,
        "unarchive_channel": 10,
    }
    limits = limits_of(normalise(zoho(), OVERLAY).document)
    assert {name: limit["threshold"] for name, limit in limits.items()} == stated
    assert {(limit["window_seconds"], limit["lock_seconds"]) for limit in limits.values()} == {(60, 300)}
    assert limits["add_channel_members"]["items_per_request"] == 100


def test_our_document_paces_by_the_stricter_of_reference_and_download() -> None:
    reference_threshold, reference_lock = 20, 600  # the reference page: 20/min, 10-minute lock, every operation
    ours, theirs = limits_of(OURS), limits_of(normalise(zoho(), OVERLAY).document)
    for name, limit in ours.items():
        assert limit["threshold"] == min(reference_threshold, theirs[name]["threshold"]), name
        assert limit["lock_seconds"] == max(reference_lock, theirs[name]["lock_seconds"]), name


def test_corrections_name_their_evidence_and_report_when_no_longer_needed() -> None:
    applied = {c.name: c for c in corrections(normalise(zoho(), OVERLAY).actions)}
    assert set(applied) == {"doubled-member-role-path", "implicit-oauth-flow", "image-data-example-is-a-url"}
    assert all(c.applied and c.evidence for c in applied.values())
    fixed_upstream = zoho()
    fixed_upstream["paths"][SINGLE] = fixed_upstream["paths"].pop(DOUBLED)
    result = normalise(fixed_upstream, OVERLAY)
    by_name = {c.name: c for c in corrections(result.actions)}
    assert by_name["doubled-member-role-path"].applied is False
    assert operations(result.document)["update_channel_member_role"] == ("PUT", SINGLE)


def test_the_member_role_path_is_one_correction_away(tmp_path: Path) -> None:
    raw = yaml.safe_load((REPO_ROOT / "openapi/overlay.yaml").read_text(encoding="utf-8"))
    raw["actions"] = [a for a in raw["actions"] if a.get("x-correction") != "doubled-member-role-path"]
    (tmp_path / "overlay.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    for document in (zoho(), OURS):
        normalised = normalise(document, load_overlay(tmp_path / "overlay.yaml")).document
        assert operations(normalised)["update_channel_member_role"] == ("PUT", DOUBLED)
        assert len(operations(normalised)) == 16


def test_an_unknown_operation_keeps_a_derived_name_and_is_listed_as_new() -> None:
    document = zoho()
    document["paths"]["/channels/{CHANNEL_ID}/pin"] = {
        "post": {"description": "Pin.<br><b>Threshold limit</b> : 7 requests per min per user", "responses": {}}
    }
    result = normalise(document, OVERLAY)
    assert result.new_operations == {"POST /channels/{CHANNEL_ID}/pin": "post_channels_by_channel_id_pin"}
    pin = result.document["paths"]["/channels/{CHANNEL_ID}/pin"]["post"]
    assert pin["x-zoho-rate-limit"]["threshold"] == 7
    assert pin["tags"] == ["channels"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"openapi": "3.0.0"}, "no 'paths'"),
        ({"openapi": "2.0", "paths": {}}, "not an OpenAPI 3"),
        ({"openapi": "3.0.0", "paths": {"/a": {"get": {"operationId": "not a name"}}}}, "not a Python name"),
    ],
)
def test_a_malformed_document_is_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(NormaliseError, match=message):
        normalise(document, OVERLAY)


def test_a_malformed_overlay_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "overlay.yaml"
    path.write_text("overlay: 1.0.0\ninfo: {title: x, version: '1'}\nactions:\n  - target: $.paths\n", encoding="utf-8")
    with pytest.raises(OverlayError, match="exactly one of"):
        load_overlay(path)
