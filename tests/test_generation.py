"""Generation is deterministic and the committed package is exactly what the document produces.

Runs ``codegen/generate.sh`` (the same script ``make generate`` and ``make
check-generated`` use) twice into temporary directories, with the tools of the
interpreter running the tests (so a fresh venv anywhere works).
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cliq_channels_client
from codegen.normalise import dump, normalise_file

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "cliq_channels_client"
IGNORED = {"__pycache__"}


def tree(root: Path) -> dict[str, bytes | str]:
    """relative path -> file bytes, or ``"-> target"`` for a symlink (never followed)."""
    entries: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if name not in IGNORED)
        for name in [*filenames, *dirnames]:
            path = Path(dirpath) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                entries[relative] = f"-> {os.readlink(path)}"
            elif path.is_file() and not name.endswith(".pyc"):
                entries[relative] = path.read_bytes()
    return entries


def generate(destination: Path) -> dict[str, bytes | str]:
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / "openapi-python-client").exists(), venv_bin
    subprocess.run(
        ["bash", "codegen/generate.sh", str(destination)],
        cwd=REPO_ROOT,
        env={**os.environ, "VENV_BIN": str(venv_bin)},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return tree(destination / PACKAGE)


@pytest.fixture(scope="module")
def generated_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes | str], dict[str, bytes | str]]:
    return generate(tmp_path_factory.mktemp("first")), generate(tmp_path_factory.mktemp("second"))


def describe_difference(left: dict[str, bytes | str], right: dict[str, bytes | str]) -> list[str]:
    differences = [f"only in generated: {p}" for p in sorted(set(left) - set(right))]
    differences += [f"only in committed: {p}" for p in sorted(set(right) - set(left))]
    differences += [f"differs: {p}" for p in sorted(set(left) & set(right)) if left[p] != right[p]]
    return differences


def test_regeneration_is_byte_identical(
    generated_twice: tuple[dict[str, bytes | str], dict[str, bytes | str]],
) -> None:
    first, second = generated_twice
    assert describe_difference(first, second) == []
    assert first == second


def test_committed_package_is_what_the_document_produces(
    generated_twice: tuple[dict[str, bytes | str], dict[str, bytes | str]],
) -> None:
    generated, _ = generated_twice
    committed = tree(REPO_ROOT / PACKAGE)
    assert describe_difference(generated, committed) == [], "run `make generate` and commit"


def test_generated_tree_has_the_expected_shape(
    generated_twice: tuple[dict[str, bytes | str], dict[str, bytes | str]],
) -> None:
    generated, _ = generated_twice
    assert generated["custom"] == "-> ../custom"
    assert generated["py.typed"] == b""
    # the emulator validates against the document the generator saw: channels.yaml after ingest + overlay
    normalised = normalise_file(REPO_ROOT / "openapi" / "channels.yaml", REPO_ROOT / "openapi" / "overlay.yaml")
    assert generated["openapi.yaml"] == dump(normalised.document).encode("utf-8")
    endpoint_modules = {p for p in generated if p.startswith("api/channels/") and p != "api/channels/__init__.py"}
    assert len(endpoint_modules) == 16
    assert "operation_table.py" in generated
    # nothing of custom/ is copied into the generated tree: it is only linked
    assert not [p for p in generated if p.startswith("custom/")]


def test_committed_custom_link_points_to_the_hand_written_layer() -> None:
    link = REPO_ROOT / PACKAGE / "custom"
    assert link.is_symlink()
    assert os.readlink(link) == "../custom"
    assert link.resolve() == (REPO_ROOT / "custom").resolve()


def generated_top_level_names() -> set[str]:
    """Modules, packages and names the generated package defines at its top level."""
    package = REPO_ROOT / PACKAGE
    names = {
        path.stem if path.suffix == ".py" else path.name
        for path in package.iterdir()
        if path.name != "custom" and path.name not in IGNORED and not path.name.startswith(".")
    }
    module = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names.update(alias.asname or alias.name for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.FunctionDef | ast.ClassDef) and node.col_offset == 0:
            names.add(node.name)
    return names - {"__init__"}


def custom_public_names() -> set[str]:
    """What ``custom/__init__.py`` serves from the package top level (its TYPE_CHECKING imports), unimported."""
    module = ast.parse((REPO_ROOT / "custom" / "__init__.py").read_text(encoding="utf-8"))
    return {
        alias.asname or alias.name
        for node in module.body
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for statement in node.body
        if isinstance(statement, ast.ImportFrom)
        for alias in statement.names
    }


def test_custom_names_do_not_collide_with_generated_top_level_names() -> None:
    """custom/ is served as ``cliq_channels_client.custom`` (its modules never land beside the generated
    ones) and its public names are served from the package top level; a public name equal to a generated
    module or name would be shadowed by it and silently never reach the user.
    """
    generated = generated_top_level_names()
    assert {
        "client",
        "errors",
        "types",
        "api",
        "models",
        "operation_table",
        "AuthenticatedClient",
        "Client",
    } <= generated
    assert "custom" not in generated  # the link's name is reserved for the hand-written layer
    served = custom_public_names()
    assert {"FakeClock", "CliqAPIError", "match_operation"} <= served
    assert sorted(served & generated) == []


def test_every_custom_name_reaches_the_user_through_the_package() -> None:
    """The end-to-end form of the check above: nothing the hand-written layer exports is shadowed."""
    custom = importlib.import_module(f"{PACKAGE}.custom")
    assert set(custom.__all__) == custom_public_names()
    shadowed = [name for name in custom.__all__ if getattr(cliq_channels_client, name) is not getattr(custom, name)]
    assert shadowed == []
    assert set(custom.__all__) <= set(dir(cliq_channels_client))
