"""The surface a user touches: docstrings that tell the truth, reprs, logging and refused inputs."""

from __future__ import annotations

import datetime
import importlib
import inspect
import logging
import subprocess
import sys
from importlib import resources

import httpx
import pytest
import yaml

from cliq_channels_client import ChannelPager, ChannelSync, Client, CliqValidationError, create_client
from cliq_channels_client.api.channels import list_channels
from cliq_channels_client.custom.operations import OPERATION_EXTENSION, OPERATIONS_BY_ID

FUNCTIONS = ("sync", "sync_detailed", "asyncio", "asyncio_detailed")
REAL_ERRORS = (
    "CliqValidationError",
    "CliqAPIError",
    "NotFoundError",
    "PermissionDeniedError",
    "UnexpectedStatusError",
    "RateLimitError",
    "ThrottledError",
    "TokenRefreshError",
    "CliqTransportError",
    "MalformedResponseError",
)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS_BY_ID))
def test_every_generated_function_names_its_scope_limit_and_real_errors(operation_id: str) -> None:
    module = importlib.import_module(f"cliq_channels_client.api.channels.{operation_id}")
    operation = OPERATIONS_BY_ID[operation_id]
    for name in FUNCTIONS:
        doc = inspect.getdoc(getattr(module, name))
        assert doc is not None, name
        for scope in operation.scopes:
            assert f"OAuth scope: {scope}" in doc
        limit = operation.rate_limit
        assert f"Rate limit: {limit.threshold} calls per {limit.window:g} s" in doc
        assert f"locks the operation for {limit.lock:g} s" in doc
        for error in REAL_ERRORS:
            assert error in doc, (name, error)
        assert "UnexpectedStatus:" not in doc
        assert "httpx.TimeoutException" not in doc
        assert "{scopes}" not in doc
        assert "{rate_limit}" not in doc


def _parameters_with_descriptions(operation_id: str) -> list[tuple[str, str]]:
    """(name, description) of the operation's parameters in the document the emulator and generator read."""
    document = yaml.safe_load(resources.files("cliq_channels_client").joinpath("openapi.yaml").read_text("utf-8"))
    shared = document["components"].get("parameters", {})
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                found = [
                    shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in operation.get("parameters", [])
                ]
                # a parameter whose schema is a named type shows the type's own description instead
                return [
                    (p["name"], p["description"]) for p in found if p.get("description") and "$ref" not in p["schema"]
                ]
    raise AssertionError(operation_id)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS_BY_ID))
def test_every_parameter_description_of_the_document_reaches_the_docstring(operation_id: str) -> None:
    """The generator drops a parameter's own description; codegen/describe_parameters.py hands it over."""
    module = importlib.import_module(f"cliq_channels_client.api.channels.{operation_id}")
    parameters = _parameters_with_descriptions(operation_id)
    for name in FUNCTIONS:
        doc = " ".join((inspect.getdoc(getattr(module, name)) or "").split())
        for parameter, description in parameters:
            assert " ".join(description.split()) in doc, (name, parameter)


def test_help_shows_the_reference_a_user_needs() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "from cliq_channels_client.api.channels import get_channel; help(get_channel.asyncio)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "-> cliq_channels_client.models.channel.Channel" in out  # no "| Error | None"
    assert "ZohoCliq.Channels.READ" in out
    assert "NotFoundError 404" in out


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS_BY_ID))
def test_every_request_names_its_operation(operation_id: str) -> None:
    module = importlib.import_module(f"cliq_channels_client.api.channels.{operation_id}")
    signature = inspect.signature(module._get_kwargs)
    arguments: dict[str, object] = {
        name: ("x" if parameter.annotation in ("str", str) else None)
        for name, parameter in signature.parameters.items()
        if parameter.default is inspect.Parameter.empty
    }
    if "body" in arguments:
        body_type = inspect.signature(module.sync).parameters["body"].annotation
        arguments["body"] = _any_body(module, body_type)
    kwargs = module._get_kwargs(**arguments)
    assert kwargs["extensions"] == {OPERATION_EXTENSION: operation_id}


def _any_body(module: object, annotation: object) -> object:
    from cliq_channels_client import models

    name = str(annotation).split(".")[-1].strip("'>")
    cls = getattr(models, name)
    required = {
        field.name: (["1"] if "ids" in field.name else ("admin" if field.name == "role" else "x"))
        for field in cls.__attrs_attrs__
        if field.default is not None and field.default.__class__.__name__ == "_Nothing"
    }
    if name == "CreateChannelRequest":
        required["level"] = models.ChannelLevel.PRIVATE
    if name == "UpdateChannelMemberRoleRequest":
        required["role"] = models.ChannelRole.ADMIN
    return cls(**required)


def test_reprs_are_short_and_useful() -> None:
    client = create_client(access_token="tok-secret-123", base_url="https://cliq.zoho.eu/api/v2")
    assert repr(client) == "Client(base_url='https://cliq.zoho.eu/api/v2', timeout=Timeout(timeout=30.0))"
    assert "tok-secret-123" not in repr(client)
    pager = ChannelPager(client, status="created", limit=50)
    assert repr(pager) == (
        "ChannelPager(limit=50, status=<ChannelStatus.CREATED: 'created'>, cursor='lc1:0:', pages_fetched=0)"
    )
    sync = ChannelSync(client, state="s" * 40, name="ops")
    assert repr(sync) == "ChannelSync(state=<40 chars>, limit=100, name='ops')"


def test_the_package_logger_has_a_null_handler_so_nothing_reaches_stderr_unasked() -> None:
    code = (
        "import logging, cliq_channels_client.custom.observability as o; "
        "o.RETRY_LOGGER.warning('retrying'); "
        "print([type(h).__name__ for h in logging.getLogger('cliq_channels_client').handlers])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['NullHandler']"
    assert done.stderr == ""  # the last-resort handler did not print the warning
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("cliq_channels_client").handlers)


def _no_requests(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"sent {request.url}")


def test_a_naive_datetime_is_refused_saying_timezone_aware() -> None:
    client = Client(
        base_url="https://cliq.zoho.com/api/v2", httpx_args={"transport": httpx.MockTransport(_no_requests)}
    )
    with pytest.raises(CliqValidationError) as raised:
        list_channels.sync(client=client, created_after=datetime.datetime(2026, 1, 1))
    assert raised.value.field == "query.created_after"
    assert "timezone-aware" in str(raised.value)
    with pytest.raises(CliqValidationError, match="timezone-aware"):
        next(ChannelPager(client, modified_before=datetime.datetime(2026, 1, 1)))


@pytest.mark.anyio
async def test_a_naive_datetime_is_refused_saying_timezone_aware_async() -> None:
    transport = httpx.MockTransport(_no_requests)
    client = Client(base_url="https://cliq.zoho.com/api/v2", httpx_args={"transport": transport})
    with pytest.raises(CliqValidationError, match="timezone-aware"):
        await list_channels.asyncio(client=client, modified_after=datetime.datetime(2026, 1, 1))
