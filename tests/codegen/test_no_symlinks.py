"""A checkout where symbolic links are not supported (git ``core.symlinks=false``, Windows) still works.

There ``cliq_channels_client/custom`` is a text file holding ``../custom``
instead of the link; the package's ``__init__`` then adds the checkout's root
to its search path, so the top-level ``custom/`` is still
``cliq_channels_client.custom``.  Wheels get a real copy (pyproject force-include).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    # the clone's package first; the generator and formatter of this environment (a clone has no .venv)
    env = {**os.environ, "PYTHONPATH": str(cwd), "VENV_BIN": str(Path(sys.executable).parent)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def test_a_checkout_without_links_imports_generates_and_tests(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "-c", "core.symlinks=false", str(REPO), str(clone)], check=True, timeout=120
    )
    link = clone / "cliq_channels_client" / "custom"
    assert link.is_file()  # not a link, not a directory: what such a checkout holds
    assert link.read_text(encoding="utf-8") == "../custom"

    code = (
        "import cliq_channels_client as c; from cliq_channels_client.api.channels import get_channel; "
        "from cliq_channels_client.testing import CliqEmulator; "
        "print(c.__file__); print(c.custom.__file__); print(c.NotFoundError.__module__); "
        "print(get_channel.sync.__doc__.count('ZohoCliq.Channels.READ'))"
    )
    imported = _run([sys.executable, "-c", code], clone)
    assert imported.returncode == 0, imported.stderr
    package_file, custom_file, error_module, scopes = imported.stdout.split()
    assert Path(package_file).is_relative_to(clone)
    assert Path(custom_file) == clone / "custom" / "__init__.py"
    assert error_module == "cliq_channels_client.custom.errors"
    assert scopes == "1"

    tested = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/custom/test_exports.py"], clone
    )
    assert tested.returncode == 0, tested.stdout[-2000:]

    generated = _run(["codegen/generate.sh", "build/check"], clone)
    assert generated.returncode == 0, generated.stderr
    diff = subprocess.run(
        ["diff", "-r", "--exclude=custom", "build/check/cliq_channels_client", "cliq_channels_client"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert diff.returncode == 0, diff.stdout[-2000:]
