"""Where Zoho's own downloaded Channels document is, for the tests that feed it to the pipeline.

The file lives beside the checkout (``../shared/zoho-openapi/channels.yml``) and is not
copied into the project (its README asks so).  A clone elsewhere finds it beside the
repository it was cloned from (a local ``origin``), or where ``CLIQ_ZOHO_DOWNLOAD`` says.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
_BESIDE = Path("shared/zoho-openapi/channels.yml")


def _origin_checkout() -> Path | None:
    """The local repository this checkout was cloned from, if it was cloned from one."""
    found = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    origin = Path(found.removeprefix("file://")) if found else None
    return origin if origin is not None and origin.is_absolute() and origin.is_dir() else None


def zoho_download_path() -> Path:
    """The download's path: ``CLIQ_ZOHO_DOWNLOAD``, else beside this checkout, else beside its origin."""
    if os.environ.get("CLIQ_ZOHO_DOWNLOAD"):
        return Path(os.environ["CLIQ_ZOHO_DOWNLOAD"])
    beside = REPO_ROOT.parent / _BESIDE
    origin = _origin_checkout()
    if not beside.exists() and origin is not None and (origin.parent / _BESIDE).exists():
        return origin.parent / _BESIDE
    return beside


ZOHO_DOWNLOAD = zoho_download_path()


def zoho_document() -> dict[str, Any]:
    """The download, parsed; a clear failure (never a skip) when it cannot be found."""
    if not ZOHO_DOWNLOAD.exists():  # pragma: no cover -- the shared file is part of the workspace
        pytest.fail(f"Zoho's download is expected at {ZOHO_DOWNLOAD} (or set CLIQ_ZOHO_DOWNLOAD)")
    document: dict[str, Any] = yaml.safe_load(ZOHO_DOWNLOAD.read_text(encoding="utf-8"))
    return document
