"""Vendoring: the copy is self-contained and works under another name with only the runtime requirements.

The end-to-end check calls the project's emulator (``CliqEmulator.serve()``,
on 127.0.0.1) from a fresh venv without system site packages that holds only
pyproject's ``[project].dependencies``; there, neither ``cliq_channels_client``
nor the test tools are importable, so any absolute import or undeclared
dependency of the vendored code fails the call.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from cliq_channels_client.custom.testing import CliqEmulator, fingerprint
from codegen.vendor import MARKER, VendorError, absolute_imports, symlinks, vendor

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS: list[str] = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
    "dependencies"
]


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def runtime_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with only the runtime requirements (installed by this venv's pip from the configured index)."""
    venv = tmp_path_factory.mktemp("runtime-venv")
    created = run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    installed = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", *REQUIREMENTS])
    assert installed.returncode == 0, installed.stderr
    return python


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another project's tree with the client vendored twice: under its own name and renamed ``cliq``."""
    root = tmp_path_factory.mktemp("project")
    for directory in (root / "svc", root / "svc" / "_vendor"):
        directory.mkdir()
        (directory / "__init__.py").touch()
    for name in ("cliq_channels_client", "cliq"):
        completed = run_vendor_cli(root / "svc" / "_vendor" / name)
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.startswith(f"wrote {root / 'svc' / '_vendor' / name} (")
    return root


@attrs.frozen
class LoopbackCliq:
    """The project's emulator on a real socket, with one channel and a token for it."""

    base_url: str
    channel_id: str
    token: str
    emulator: CliqEmulator


@pytest.fixture
def cliq() -> Iterator[LoopbackCliq]:
    with CliqEmulator() as emulator, emulator.serve() as url:
        channel = emulator.create_channel("Zylker-Support", description="Support tickets")
        yield LoopbackCliq(str(url), channel["channel_id"], emulator.issue_access_token(), emulator)


def extra_import_names() -> list[str]:
    """Top-level modules of pyproject's optional dependencies (the emulator's, Redis), from this venv."""
    optional = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    wanted = {canonical(requirement) for group in optional.values() for requirement in group}
    return sorted(
        module
        for module, distributions in importlib.metadata.packages_distributions().items()
        if any(canonical(distribution) in wanted for distribution in distributions)
    )


def canonical(requirement: str) -> str:
    """``PyYAML>=6`` -> ``pyyaml`` (PEP 503 name of the distribution)."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name is not None
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def run(
    argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120)


def run_vendor_cli(destination: Path) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "codegen.vendor", str(destination)], cwd=REPO_ROOT)


# -- the vendored copy, used from another project ----------------------------------------------------

# Runs in the runtime-only venv, from the other project's root.  {name} is the vendored package name.
CALLER = """
import asyncio, importlib, importlib.util, json, pathlib, sys

assert importlib.util.find_spec("cliq_channels_client") is None, "the source package must not be reachable"
blocked = [name for name in ("starlette", "uvicorn", "pytest", "yaml") if importlib.util.find_spec(name)]

import svc._vendor.{name} as package
from svc._vendor.{name}.client import AuthenticatedClient
from svc._vendor.{name}.api.channels import get_channel

# Every module imports with the runtime requirements alone, except the emulator and modules that
# need a declared extra (argv[1]: the import names of pyproject's optional dependencies).
extras = set(json.loads(sys.argv[1]))
root = pathlib.Path(package.__file__).parent
modules, need_extras = [], {{}}
for path in sorted(root.rglob("*.py")):
    parts = path.relative_to(root).with_suffix("").parts
    if parts[:2] == ("custom", "testing") or parts == ("custom", "pytest_plugin"):  # loaded by pytest only
        continue
    module = ".".join(parts).removesuffix("__init__").rstrip(".")
    try:
        importlib.import_module(".".join(("svc._vendor.{name}", *parts)).removesuffix(".__init__"))
        modules.append(module)
    except ImportError as error:  # ModuleNotFoundError, or a friendlier ImportError raised from one
        missing = error.name or getattr(error.__cause__, "name", None) or ""
        if missing.split(".")[0] not in extras:
            raise
        need_extras[module] = missing

base_url, channel_id, token = sys.argv[2:5]
client = AuthenticatedClient(base_url=base_url, token=token, prefix="Zoho-oauthtoken")
channel = get_channel.sync(client=client, channel_id=channel_id)
async_channel = asyncio.run(get_channel.asyncio(client=client, channel_id=channel_id))
print(json.dumps({{
    "blocked": blocked,
    "modules": modules,
    "need_extras": need_extras,
    "name": channel.name,
    "level": channel.level.value,
    "level_known": channel.level.is_known,
    "async_name": async_channel.name,
    "lazy_export": package.CliqError.__module__,
    "get_channel_path": package.OPERATIONS_BY_ID["get_channel"].path,
    "httpx": importlib.import_module("httpx").__file__,
}}))
"""


@pytest.mark.parametrize("name", ["cliq_channels_client", "cliq"])
def test_vendored_package_calls_the_emulator_with_only_runtime_requirements(
    name: str, project: Path, runtime_python: Path, cliq: LoopbackCliq
) -> None:
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(project),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",  # keep the vendored tree as written, for the checks below
    }

    extras = json.dumps(extra_import_names())
    argv = [str(runtime_python), "-c", CALLER.format(name=name), extras, cliq.base_url, cliq.channel_id, cliq.token]

    completed = run(argv, project, environment)

    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["blocked"] == []
    assert len(result["modules"]) > 40
    assert {"", "client", "api.channels.get_channel", "custom", "custom.operations", "custom.errors"} <= set(
        result["modules"]
    )
    # Only the optional Redis backend and the emulator's short import path may need an extra;
    # the client itself never does.
    assert set(result["need_extras"]) <= {
        "custom.redis_backend",
        "custom.redis_limiter",
        "custom.redis_scripts",
        "custom.redis_store",
        "testing",
    }
    assert result["need_extras"].get("testing", "openapi_core") != "httpx"
    assert (result["name"], result["async_name"]) == ("#Zylker-Support", "#Zylker-Support")
    assert (result["level"], result["level_known"]) == ("organization", True)
    assert result["lazy_export"] == f"svc._vendor.{name}.custom.errors"
    assert result["get_channel_path"] == "/channels/{CHANNEL_ID}"
    assert result["httpx"].startswith(str(runtime_python.parent.parent))
    calls = [r for r in cliq.emulator.requests if r.operation_id == "get_channel"]
    assert [(r.method, r.path, r.status) for r in calls] == [("GET", f"/api/v2/channels/{cliq.channel_id}", 200)] * 2
    assert {r.headers["authorization"] for r in calls} == {"Zoho-oauthtoken ***"}
    assert {r.token_fingerprint for r in calls} == {fingerprint(cliq.token)}


def test_runtime_venv_has_the_runtime_requirements_and_nothing_of_the_dev_tools(runtime_python: Path) -> None:
    probe = (
        "import importlib.util, sys;"
        "print(sys.prefix != sys.base_prefix,"
        " [m for m in ('httpx', 'attrs', 'dateutil', 'fastjsonschema') if not importlib.util.find_spec(m)],"
        " [m for m in ('starlette', 'pytest', 'yaml', 'cliq_channels_client') if importlib.util.find_spec(m)])"
    )
    # Not from the repository: `-c` puts the working directory on sys.path.
    completed = run([str(runtime_python), "-c", probe], runtime_python.parent, {"PATH": os.environ["PATH"]})

    assert completed.stdout.strip() == "True [] []"


def test_vendored_copy_has_no_links_no_caches_and_all_of_custom(project: Path) -> None:
    for name in ("cliq_channels_client", "cliq"):
        package = project / "svc" / "_vendor" / name

        assert symlinks(project) == []
        assert not package.joinpath("custom").is_symlink()
        assert list(package.rglob("__pycache__")) == []
        assert list(package.rglob("*.pyc")) == []
        custom_files = {p.relative_to(REPO_ROOT / "custom") for p in (REPO_ROOT / "custom").rglob("*.py")}
        assert custom_files
        assert {p.relative_to(package / "custom") for p in (package / "custom").rglob("*.py")} >= custom_files
        assert (package / "operation_table.py").is_file()
        assert (package / "openapi.yaml").read_bytes() == (
            REPO_ROOT / "cliq_channels_client" / "openapi.yaml"
        ).read_bytes()
        assert absolute_imports(package) == []


def test_vendored_txt_names_commit_document_version_and_requirements(project: Path) -> None:
    text = (project / "svc" / "_vendor" / "cliq" / MARKER).read_text(encoding="utf-8")
    fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)

    commit = fields["source commit"].split()[0]
    assert len(commit) == 40
    # HEAD may have moved on since (others commit too): the recorded commit must be in its history.
    ancestry = run(["git", "-C", str(REPO_ROOT), "merge-base", "--is-ancestor", commit, "HEAD"])
    assert ancestry.returncode == 0
    assert fields["OpenAPI document"] == "Zoho Cliq Channels 2.0.0"
    requirement_lines = [line.strip() for line in text.splitlines() if line.startswith("  ")]
    assert requirement_lines[: len(REQUIREMENTS)] == REQUIREMENTS
    assert "package renamed to 'cliq'" in text


# -- refusing and replacing ---------------------------------------------------------------------------


def test_refuses_a_non_empty_directory_that_is_not_a_vendoring(tmp_path: Path) -> None:
    destination = tmp_path / "cliq"
    destination.mkdir()
    (destination / "precious.py").write_text("KEEP = True\n", encoding="utf-8")

    completed = run_vendor_cli(destination)

    assert completed.returncode == 2
    assert f"has no {MARKER}" in completed.stderr
    assert [p.name for p in destination.iterdir()] == ["precious.py"]
    assert [p.name for p in tmp_path.iterdir()] == ["cliq"]  # no staging directory left behind


def test_refuses_a_name_python_cannot_import(tmp_path: Path) -> None:
    with pytest.raises(VendorError, match="not a valid Python package name"):
        vendor(tmp_path / "cliq-client")


def test_revendoring_replaces_the_previous_copy(tmp_path: Path) -> None:
    destination = tmp_path / "_vendor" / "cliq"
    first = vendor(destination)
    (destination / "stale_module.py").write_text("STALE = True\n", encoding="utf-8")
    (destination / "custom" / "local_patch.py").write_text("PATCHED = True\n", encoding="utf-8")

    second = vendor(destination)

    assert (first.replaced_previous, second.replaced_previous) == (False, True)
    assert not (destination / "stale_module.py").exists()
    assert not (destination / "custom" / "local_patch.py").exists()
    assert (destination / MARKER).is_file()
    assert second.files == sum(1 for p in destination.rglob("*") if p.is_file())
    assert sorted(p.name for p in destination.parent.iterdir()) == ["cliq"]


def test_an_empty_directory_is_filled(tmp_path: Path) -> None:
    destination = tmp_path / "cliq"
    destination.mkdir()

    result = vendor(destination)

    assert (destination / "__init__.py").is_file()
    assert result.provenance.requirements == tuple(REQUIREMENTS)


# -- the absolute-import check ---------------------------------------------------------------------


ABSOLUTE = """\
from __future__ import annotations
import logging
from importlib import import_module
import cliq_channels_client.models
from .client import Client
from cliq_channels_client import errors
import cliq_channels_client_extras
LOG = logging.getLogger("cliq_channels_client.auth")
api = import_module("cliq_channels_client.api")
relative = import_module(".api", __package__)
"""


def test_absolute_imports_are_found_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "module.py").write_text(ABSOLUTE, encoding="utf-8")
    (tmp_path / "clean.py").write_text("from . import sub\n", encoding="utf-8")

    found = [(v.path.name, v.line, v.statement) for v in absolute_imports(tmp_path)]

    assert found == [
        ("module.py", 4, "import cliq_channels_client.models"),
        ("module.py", 6, "from cliq_channels_client import errors"),
        ("module.py", 9, "import_module('cliq_channels_client.api')"),
    ]


def fake_repository(root: Path, custom_init: str) -> Path:
    """The smallest tree vendor() reads: a package linking to custom/, its document, pyproject.toml."""
    (root / "custom").mkdir(parents=True)
    (root / "custom" / "__init__.py").write_text(custom_init, encoding="utf-8")
    package = root / "cliq_channels_client"
    package.mkdir()
    (package / "__init__.py").write_text("from .client import Client\n", encoding="utf-8")
    (package / "client.py").write_text("class Client: ...\n", encoding="utf-8")
    (package / "openapi.yaml").write_text("info: {title: Fake, version: '9.9'}\n", encoding="utf-8")
    (package / "custom").symlink_to("../custom")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0.0.1"\ndependencies = ["httpx>=0.27"]\n', encoding="utf-8"
    )
    return root


def test_an_absolute_import_in_custom_fails_loudly_and_writes_nothing(tmp_path: Path) -> None:
    repository = fake_repository(tmp_path / "repo", "from cliq_channels_client.client import Client\n")
    out = tmp_path / "out"

    with pytest.raises(VendorError, match="absolute imports") as raised:
        vendor(out / "cliq", repository)

    source = repository / "cliq_channels_client" / "custom" / "__init__.py"
    assert f"\n  {source}:1: from cliq_channels_client.client import Client" in str(raised.value)

    assert list(out.iterdir()) == []


def test_a_tree_outside_git_is_vendored_with_an_unknown_commit(tmp_path: Path) -> None:
    repository = fake_repository(tmp_path / "repo", "from .. import client\n")

    result = vendor(tmp_path / "out" / "cliq", repository)

    text = (tmp_path / "out" / "cliq" / MARKER).read_text(encoding="utf-8")
    assert "source commit: unknown (not a git checkout)" in text
    assert "OpenAPI document: Fake 9.9" in text
    assert result.provenance.requirements == ("httpx>=0.27",)
    assert (tmp_path / "out" / "cliq" / "custom" / "__init__.py").read_text(
        encoding="utf-8"
    ) == "from .. import client\n"
    assert symlinks(tmp_path / "out") == []
