"""Copy the client into another project's tree as one self-contained package directory.

Teams that cannot add a dependency vendor the client instead:
``python -m codegen.vendor svc/_vendor/cliq_channels_client`` (``make vendor
DEST=...``) writes the generated package with its ``custom`` link replaced by
a real copy of ``custom/`` (no symlinks, no ``__pycache__``), plus a
``VENDORED.txt`` that records where the copy came from and what it needs.

The copy works under any final name (``.../cliq``) because every import inside
the package is relative; :func:`absolute_imports` checks that before anything
is written, so a stray ``import cliq_channels_client...`` fails here and not in
the other project.  A previous vendoring (``VENDORED.txt`` present) is replaced
by a rename; any other non-empty directory is left alone.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path

import attrs
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "cliq_channels_client"
MARKER = "VENDORED.txt"
# What a vendored copy must not contain: byte code and caches of the source tree.
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".mypy_cache", ".pytest_cache")
# Inputs of the package, for the "uncommitted changes" note in VENDORED.txt.
SOURCES = (PACKAGE, "custom", "openapi")


class VendorError(Exception):
    """The copy cannot be made; the message says why and nothing was written."""


@attrs.frozen
class ImportViolation:
    """An import that names the package absolutely, so it breaks once the copy is renamed."""

    path: Path
    line: int
    statement: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.statement}"


@attrs.frozen
class Provenance:
    """Where a vendored copy comes from and what it needs at run time."""

    package_version: str
    document_title: str
    document_version: str
    commit: str | None
    uncommitted_changes: bool
    requirements: tuple[str, ...]
    testing_requirements: tuple[str, ...]

    def render(self, package_name: str) -> str:
        """The text of ``VENDORED.txt``."""
        commit = self.commit or "unknown (not a git checkout)"
        if self.commit and self.uncommitted_changes:
            commit += f" plus uncommitted changes in {', '.join(SOURCES)}"
        lines = [
            f"Vendored copy of cliq-channels-client {self.package_version}, package renamed to {package_name!r}.",
            "Do not edit: re-run `make vendor DEST=<this directory>` in cliq-channels-client to update it.",
            "",
            f"source commit: {commit}",
            f"OpenAPI document: {self.document_title} {self.document_version}",
            "",
            "runtime requirements (add them to your project):",
            *(f"  {requirement}" for requirement in self.requirements),
            "",
            f"only for {package_name}.testing (the embedded emulator):",
            *(f"  {requirement}" for requirement in self.testing_requirements),
            "",
        ]
        return "\n".join(lines)


@attrs.frozen
class VendorResult:
    """What :func:`vendor` wrote."""

    destination: Path
    files: int
    replaced_previous: bool
    provenance: Provenance


def absolute_imports(root: Path, package: str = PACKAGE) -> list[ImportViolation]:
    """Every ``import package...`` / ``from package... import`` / ``import_module("package...")`` under ``root``."""
    violations: list[ImportViolation] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_bytes(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom | ast.Call) and any(
                name == package or name.startswith(f"{package}.") for name in _imported_names(node)
            ):
                violations.append(ImportViolation(path, node.lineno, ast.unparse(node)))
    return violations


def _imported_names(node: ast.Import | ast.ImportFrom | ast.Call) -> list[str]:
    """Absolute module names a statement imports (relative imports name none)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return [node.module] if node.level == 0 and node.module else []
    func = node.func
    called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if called in {"import_module", "__import__"} and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return [first.value]
    return []


def symlinks(root: Path) -> list[Path]:
    """Every symbolic link under ``root`` (a vendored copy must have none)."""
    found: list[Path] = []
    for directory, subdirectories, files in os.walk(root):
        found.extend(Path(directory, name) for name in [*subdirectories, *files] if Path(directory, name).is_symlink())
    return found


def read_provenance(repo_root: Path) -> Provenance:
    """Versions from pyproject.toml and the bundled document, commit from git (if any)."""
    project = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    document = yaml.safe_load((repo_root / PACKAGE / "openapi.yaml").read_text(encoding="utf-8"))
    commit = _git(repo_root, "rev-parse", "HEAD")
    status = _git(repo_root, "status", "--porcelain", "--", *SOURCES) if commit else None
    return Provenance(
        package_version=str(project["version"]),
        document_title=str(document["info"]["title"]),
        document_version=str(document["info"]["version"]),
        commit=commit,
        uncommitted_changes=bool(status),
        requirements=tuple(project["dependencies"]),
        testing_requirements=tuple(project.get("optional-dependencies", {}).get("testing", ())),
    )


def _git(repo_root: Path, *args: str) -> str | None:
    try:
        completed = subprocess.run(  # noqa: S603 -- fixed argv, no shell
            ["git", "-C", str(repo_root), *args],  # noqa: S607 -- git from PATH, like make
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return completed.stdout.strip()


def vendor(destination: Path, repo_root: Path = REPO_ROOT) -> VendorResult:
    """Write the package into ``destination``, replacing a previous vendoring there.

    Everything is assembled in a sibling staging directory and checked first;
    only then is the old copy moved aside and the new one renamed into place,
    so a failure never leaves a half-written package behind.
    """
    source = repo_root / PACKAGE
    if not (source / "__init__.py").is_file():
        raise VendorError(f"{source} is not a generated package: run `make generate` first")
    destination = Path(os.path.abspath(destination))
    if not destination.name.isidentifier():
        raise VendorError(f"{destination.name!r} is not a valid Python package name")
    for protected in (source.resolve(), (repo_root / "custom").resolve()):
        if destination.resolve().is_relative_to(protected):
            raise VendorError(f"{destination} is inside the source tree {protected}")
    replaced_previous = _check_destination(destination)
    provenance = read_provenance(repo_root)

    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.vendoring-", dir=destination.parent))
    try:
        package = staging / destination.name
        try:
            # symlinks=False: the `custom` link (and any other) becomes a real copy.
            shutil.copytree(source, package, symlinks=False, ignore=IGNORED)
        except shutil.Error as error:
            raise VendorError(f"cannot copy {source}: {error}") from error
        violations = absolute_imports(package)
        if violations:
            # Name the files of the source tree (custom/ through the link), not of the staging copy.
            listing = "\n  ".join(f"{source / v.path.relative_to(package)}:{v.line}: {v.statement}" for v in violations)
            raise VendorError(
                f"absolute imports of {PACKAGE} would break in a vendored copy; make them relative:\n  {listing}"
            )
        leftover_links = symlinks(package)
        if leftover_links:
            raise VendorError(f"symbolic links left in the copy: {', '.join(map(str, leftover_links))}")
        (package / MARKER).write_text(provenance.render(destination.name), encoding="utf-8")
        files = sum(1 for path in package.rglob("*") if path.is_file())
        _swap_into_place(package, destination, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return VendorResult(destination, files, replaced_previous, provenance)


def _check_destination(destination: Path) -> bool:
    """``True`` if ``destination`` holds a previous vendoring; raise if it holds anything else."""
    if not destination.exists() and not destination.is_symlink():
        return False
    if destination.is_symlink() or not destination.is_dir():
        raise VendorError(f"{destination} exists and is not a directory; refusing to replace it")
    if (destination / MARKER).is_file():
        return True
    if any(destination.iterdir()):
        raise VendorError(
            f"{destination} is not empty and has no {MARKER} (not a previous vendoring); refusing to overwrite it"
        )
    return False


def _swap_into_place(package: Path, destination: Path, staging: Path) -> None:
    """Rename ``package`` to ``destination``; an old copy is moved into ``staging`` first (and goes with it)."""
    previous = staging / "previous"
    if destination.exists():
        destination.rename(previous)
    try:
        package.rename(destination)
    except OSError:
        if previous.exists():
            previous.rename(destination)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.vendor", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "destination", type=Path, help="package directory to write, e.g. svc/_vendor/cliq_channels_client"
    )
    parser.add_argument("--repo-root", type=Path, default=REPO_ROOT, help="cliq-channels-client checkout to copy from")
    arguments = parser.parse_args(argv)
    try:
        result = vendor(arguments.destination, arguments.repo_root)
    except VendorError as error:
        print(f"vendor: error: {error}", file=sys.stderr)
        return 2
    provenance = result.provenance
    print(
        f"{'replaced' if result.replaced_previous else 'wrote'} {result.destination} ({result.files} files): "
        f"cliq-channels-client {provenance.package_version}, document {provenance.document_version}, "
        f"commit {provenance.commit or 'unknown'}"
    )
    print(f"runtime requirements: {', '.join(provenance.requirements)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
