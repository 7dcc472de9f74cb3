"""Take a newly downloaded Channels OpenAPI document: install it, regenerate, say what changed.

``python -m codegen.update_spec NEW_DOCUMENT [--repo-root PATH] [--check]``
(``make update-spec SPEC=...``) takes the document as downloaded (Zoho's own
file, or ours), runs it through ingest and ``openapi/overlay.yaml``
(:mod:`codegen.normalise`) -- a document that cannot be normalised is refused
before anything changes -- copies it over ``openapi/channels.yaml``,
regenerates ``cliq_channels_client/`` exactly as ``make generate`` does
(``codegen/generate.sh`` into ``build/``, then a swap), checks the result --
every operation has its module, the package imports and ``custom/`` sees every
operation in its table -- and prints the public API changes
(:mod:`codegen.spec_diff`, including each operation's limit, old -> new), the
corrections of the overlay applied or no longer needed, the new operations with
their derived names, and any limit that could not be read.

If generation fails or skips an operation (the generator only warns), the
previous document is put back and nothing else has changed.

Exit status: 0, or 1 with ``--check`` when a change is breaking or a limit
could not be read (the update is still applied, for review), 2 on an error.  To preview without touching the
tree: ``python -m codegen.spec_diff openapi/channels.yaml NEW``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import yaml

from .normalise import Normalised, normalise
from .overlay import corrections, load_overlay
from .spec_diff import SpecDiff, diff_documents, load_document, render

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = Path("openapi/channels.yaml")
OVERLAY = Path("openapi/overlay.yaml")
PACKAGE = "cliq_channels_client"
BUILD = Path("build/generate")
TOOLS = ("python", "openapi-python-client", "ruff")

# Run with the repository first on sys.path: imports every generated module (a
# skipped or broken endpoint shows here, not in a user's code) and the
# hand-written operation table, then names the operations it lacks.
SMOKE_TEST = """
import importlib, json, pathlib, sys
import cliq_channels_client as package
root = pathlib.Path(package.__file__).parent
assert root == pathlib.Path(sys.argv[1]), f"imported {root}, not {sys.argv[1]}"
for path in sorted(root.rglob("*.py")):
    parts = path.relative_to(root).with_suffix("").parts
    if parts[0] != "custom":
        importlib.import_module(".".join((package.__name__, *parts)).removesuffix(".__init__"))
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
print(json.dumps(sorted(OPERATIONS_BY_ID)))
"""


class UpdateError(Exception):
    """The update could not be completed; the message says what to do."""


@attrs.frozen
class UpdateResult:
    """The changes applied, and what the regenerated package offers."""

    diff: SpecDiff
    operations: tuple[str, ...]
    normalised: Normalised


def update_spec(new_document: Path, repo_root: Path = REPO_ROOT, venv_bin: Path | None = None) -> UpdateResult:
    """Install ``new_document``, regenerate the package in ``repo_root`` and return the API changes."""
    current = repo_root / DOCUMENT
    venv_bin = (venv_bin or Path(os.environ.get("VENV_BIN") or Path(sys.executable).parent)).absolute()
    missing_tools = [tool for tool in TOOLS if not (venv_bin / tool).exists()]
    if missing_tools:
        raise UpdateError(f"{', '.join(missing_tools)} not found in {venv_bin}: run `make setup` or set VENV_BIN")
    try:
        overlay = load_overlay(repo_root / OVERLAY)
        old_normalised = normalise(load_document(current), overlay)
        new_normalised = normalise(load_document(new_document), overlay)
    except (OSError, ValueError, yaml.YAMLError) as error:  # NormaliseError, OverlayError: ValueErrors
        raise UpdateError(f"{new_document} was refused, nothing changed: {error}") from error
    old, new = old_normalised.document, new_normalised.document

    previous = current.read_bytes()
    current.write_bytes(new_document.read_bytes())
    try:
        output = _generate(repo_root, venv_bin)
        _check_every_operation_generated(repo_root / BUILD / PACKAGE, new, output)
    except UpdateError:
        current.write_bytes(previous)
        raise
    _swap_into_place(repo_root)
    operations = _smoke_test(repo_root, venv_bin, new)
    return UpdateResult(diff_documents(old, new), operations, new_normalised)


def _generate(repo_root: Path, venv_bin: Path) -> str:
    """Run ``codegen/generate.sh`` into ``build/``; return what it said (the generator's warnings)."""
    completed = subprocess.run(  # noqa: S603 -- fixed argv, no shell
        ["bash", "codegen/generate.sh", str(BUILD)],  # noqa: S607 -- bash from PATH, like make
        cwd=repo_root,
        env={**os.environ, "VENV_BIN": str(venv_bin)},
        capture_output=True,
        text=True,
        check=False,
    )
    output = (completed.stdout + completed.stderr).strip()
    if completed.returncode != 0:
        raise UpdateError(f"generation failed; {DOCUMENT} was restored:\n{output}")
    return output


def _check_every_operation_generated(package: Path, document: Mapping[str, Any], output: str) -> None:
    """The generator skips an operation it cannot handle with only a warning (exit status 0): refuse that."""
    modules = {path.stem for path in package.glob("api/*/*.py")}
    skipped = [name for name in _operation_ids(document) if _snake_case(name) not in modules]
    if skipped:
        raise UpdateError(
            f"the generator skipped {', '.join(skipped)}; {DOCUMENT} was restored and {PACKAGE}/ left as it was."
            f" What the generator said:\n{output}"
        )


def _swap_into_place(repo_root: Path) -> None:
    """``rm -rf cliq_channels_client && mv build/generate/cliq_channels_client .``, as ``make generate``."""
    target, built = repo_root / PACKAGE, repo_root / BUILD / PACKAGE
    aside = repo_root / BUILD / f"{PACKAGE}.previous"
    shutil.rmtree(aside, ignore_errors=True)
    if target.exists() or target.is_symlink():
        target.rename(aside)
    built.rename(target)
    shutil.rmtree(aside, ignore_errors=True)


def _smoke_test(repo_root: Path, venv_bin: Path, document: Mapping[str, Any]) -> tuple[str, ...]:
    """Import the regenerated package and ``custom/``; fail if custom's operation table lacks an operation."""
    package = repo_root / PACKAGE
    python_path = os.pathsep.join(filter(None, [str(repo_root), os.environ.get("PYTHONPATH")]))
    completed = subprocess.run(  # noqa: S603 -- fixed argv, no shell
        [str(venv_bin / "python"), "-c", SMOKE_TEST, str(package.resolve())],
        cwd=repo_root,
        env={**os.environ, "PYTHONPATH": python_path},
        capture_output=True,
        text=True,
        check=False,
    )
    undo = f"undo with `git checkout -- {DOCUMENT} {PACKAGE}`"
    if completed.returncode != 0:
        raise UpdateError(f"the regenerated package does not import ({undo}):\n{completed.stderr.strip()}")
    in_table = tuple(str(name) for name in json.loads(completed.stdout.strip().splitlines()[-1]))
    not_in_table = sorted(set(_operation_ids(document)) - set(in_table))
    if not_in_table:
        raise UpdateError(f"custom's operation table lacks {', '.join(not_in_table)} ({undo})")
    return in_table


def _operation_ids(document: Mapping[str, Any]) -> list[str]:
    paths: Mapping[str, Any] = document["paths"]
    return [
        str(operation["operationId"])
        for item in paths.values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]


def _snake_case(name: str) -> str:
    """The module name openapi-python-client gives an operationId (``listChannels`` -> ``list_channels``)."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", words).strip("_").lower()


def render_pipeline(normalised: Normalised) -> str:
    """The overlay's corrections, the new operations and the unread limits, for the update report."""
    lines = ["Corrections of Zoho's document (openapi/overlay.yaml)"]
    for correction in corrections(normalised.actions):
        state = "applied" if correction.applied else "correction no longer needed (fixed upstream?)"
        lines.append(f"  {correction.name}: {state}")
    lines.append("")
    lines.append("New operations (not named in openapi/overlay.yaml; derived names, bind them there to keep them)")
    new = normalised.new_operations
    lines.extend(f"  {where} -> {name}" for where, name in sorted(new.items())) if new else lines.append("  none")
    unread = normalised.ingest.unread_limits
    if unread:
        lines.append("")
        lines.append("Limits that could not be read (paced by a conservative default; override with rate_limits=)")
        for limit in unread:
            rate = limit.applied
            lines.append(
                f"  {limit.method} {limit.path}: {limit.reason} ({limit.text[:160]!r})"
                f" -> {rate['threshold']}/{rate['window_seconds']}s, lock {rate['lock_seconds']}s"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.update_spec", description=__doc__.split("\n\n")[0])
    parser.add_argument("new_document", type=Path, help="the downloaded Channels OpenAPI document (YAML or JSON)")
    parser.add_argument("--repo-root", type=Path, default=REPO_ROOT, help="repository to update (default: this one)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a change is breaking")
    arguments = parser.parse_args(argv)
    try:
        result = update_spec(arguments.new_document.absolute(), arguments.repo_root.absolute())
    except UpdateError as error:
        print(f"update_spec: error: {error}", file=sys.stderr)
        return 2
    diff = result.diff
    print(f"{DOCUMENT} <- {arguments.new_document} ({diff.title} {diff.old_version} -> {diff.new_version})")
    print(f"regenerated {PACKAGE}/: {len(result.operations)} operations, custom/ imports and sees all of them")
    print()
    sys.stdout.write(render(diff))
    print()
    sys.stdout.write(render_pipeline(result.normalised))
    print()
    print(f"Next: review `git diff {DOCUMENT} {PACKAGE}`, run `make test`, commit both together.")
    return 1 if arguments.check and (diff.breaking or result.normalised.ingest.unread_limits) else 0


if __name__ == "__main__":
    sys.exit(main())
