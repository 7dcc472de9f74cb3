"""The package's public surface: every public name of the hand-written layer is importable from the top."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys

import cliq_channels_client
from cliq_channels_client import custom

# Public in their module (used across modules and by tests) but not part of the top-level API.
INTERNAL = {
    "errors": {"error_for_status", "error_from_response", "is_throttle_response"},
    "retry": {"IDEMPOTENT_METHODS", "MAX_LOCK_SECONDS", "lock_delay", "may_have_been_sent", "parse_retry_after"},
    "operations": {
        "OPERATION_EXTENSION",
        "ORIGIN_EXTENSION",
        "RESTAMP_EXTENSION",
        "TOKEN_REQUEST_EXTENSION",
        "match_empty_path_parameter",
        "operation_of",
        "request_path",
        "request_target",
    },
    "tokens": {"credential_problem"},
    "validation": {"OperationValidator", "refuse_empty_path_parameter", "validator_for"},
    "observability": {"RATELIMIT_LOGGER", "RETRY_LOGGER", "TRANSPORT_LOGGER", "TransportReporter"},
    "factory": {"user_fingerprint"},
    "redis_backend": {"BackendSwitch", "FallbackMode", "LuaScript", "RedisArgument"},
    "redis_store": {"ACQUIRE", "RELEASE", "SAVE", "TokenKeys"},
    "redis_limiter": {"ADMIT", "LOCK", "RELEASE", "FullBudget", "SlotKeys", "earliest_turn"},
}


def test_every_exported_name_resolves_from_the_package_to_its_defining_module() -> None:
    for name, module_name in custom._EXPORTS.items():
        module = importlib.import_module(f"cliq_channels_client.custom.{module_name}")
        assert getattr(cliq_channels_client, name) is getattr(module, name), name


def test_every_public_name_of_every_module_is_exported_or_declared_internal() -> None:
    for module_name in sorted(set(custom._EXPORTS.values())):
        module = importlib.import_module(f"cliq_channels_client.custom.{module_name}")
        public = set(module.__all__) - INTERNAL.get(module_name, set())
        exported = {n for n, m in custom._EXPORTS.items() if m == module_name}
        assert public == exported, module_name


def test_testing_subpackage_is_importable_from_the_package() -> None:
    from cliq_channels_client import testing

    assert testing.CliqEmulator.__module__.startswith("cliq_channels_client.custom.testing")


def test_import_of_the_package_loads_no_hand_written_module() -> None:
    code = (
        "import sys, cliq_channels_client; "
        "print(sorted(m for m in sys.modules if m.startswith('cliq_channels_client.custom')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unknown_names_raise_attribute_error_and_generated_submodules_win() -> None:
    import pytest

    with pytest.raises(AttributeError):
        _ = cliq_channels_client.no_such_name  # type: ignore[attr-defined]  # the checker flags it too: good
    from cliq_channels_client import errors

    assert hasattr(errors, "UnexpectedStatus")


def test_all_is_exactly_the_export_table() -> None:
    runtime_all = vars(custom)["__all__"]  # defined for the run time only; checkers read the imports
    assert runtime_all == sorted(custom._EXPORTS)
    assert len(runtime_all) == len(set(runtime_all)) == 68  # 66 + ExchangeSummary, trusted_cliq_origin


def test_the_public_names_are_listed_once_in_the_type_checking_block() -> None:
    """One source: what checkers import (``X as X``) is what the run time serves."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(custom.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name: (node.module, alias.name, alias.asname)
        for block in tree.body
        if isinstance(block, ast.If)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert set(imported) == set(custom._EXPORTS)
    assert all(asname == name for _, name, asname in imported.values())  # re-exported for checkers
    assert "__all__ =" not in Path(custom.__file__).read_text(encoding="utf-8").split("_exports()")[0]


def test_star_import_of_the_package_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from cliq_channels_client import *", namespace)  # noqa: S102  (the statement under test)
    names = set(namespace) - {"__builtins__"}
    assert names == {"AuthenticatedClient", "Client", *sorted(custom._EXPORTS)}
    assert namespace["NotFoundError"] is cliq_channels_client.NotFoundError
    assert set(dir(cliq_channels_client)) >= names
    assert cliq_channels_client.__version__ == importlib.metadata.version("cliq-channels-client")


def test_emulator_has_a_short_import_path_and_a_command() -> None:
    import cliq_channels_client.testing as short
    from cliq_channels_client.custom import testing as long

    assert short.CliqEmulator is long.CliqEmulator
    out = subprocess.run(
        [sys.executable, "-m", "cliq_channels_client.testing", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "serve" in out
