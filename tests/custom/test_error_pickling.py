"""Every CliqError round-trips through pickle (process pools, multiprocessing, Celery) without carrying a secret.

The classes are found by introspection -- every ``CliqError`` subclass defined
anywhere in the hand-written layer -- and built from their ``__init__``
signatures with the samples below, so a new error class is covered as soon as
it exists (or this test names the parameter it needs a sample for).
"""

from __future__ import annotations

import concurrent.futures
import importlib
import inspect
import multiprocessing
import pickle
import pkgutil
from typing import Any

import httpx
import pytest

from cliq_channels_client import custom
from cliq_channels_client.custom.errors import (
    AuthenticationError,
    CliqError,
    ExchangeSummary,
    error_from_response,
)
from tests.secret_audit import register_secret

ACCESS_TOKEN = "1000.feedfacecafebeef0123456789abcdef.abcdef0123456789feedfacecafebeef"
PROXY_PASSWORD = "pr0xy-pa55w0rd"
register_secret(ACCESS_TOKEN, PROXY_PASSWORD)


def answered(status: int = 401) -> httpx.Response:
    """An answer whose request carries everything an error must not: the token, user info, a query."""
    request = httpx.Request(
        "GET",
        f"https://user:{PROXY_PASSWORD}@cliq.zoho.com/api/v2/channels/T1?fields=all",
        headers={"Authorization": f"Zoho-oauthtoken {ACCESS_TOKEN}", "Cookie": f"session={ACCESS_TOKEN}"},
    )
    return httpx.Response(
        status,
        json={"code": "oauthtoken_invalid", "message": "Request was rejected because of invalid AuthToken."},
        headers={"Retry-After": "30", "Set-Cookie": f"session={ACCESS_TOKEN}"},
        request=request,
    )


#: A value for every ``__init__`` parameter of the error classes, by name.
SAMPLES: dict[str, Any] = {
    "message": "the message",
    "operation_id": "get_channel",
    "field": "name",
    "rule": "maxLength",
    "detail": "at most 50 characters",
    "attempts": 2,
    "may_have_been_sent": True,
    "status_code": 401,
    "response": None,  # replaced by a fresh answered() per build
    "code": "oauthtoken_invalid",
    "body": {"code": "oauthtoken_invalid", "message": "Request was rejected because of invalid AuthToken."},
    "required_scopes": ("ZohoCliq.Channels.READ",),
    "retry_at": 1_767_226_200.0,
    "retry_after": 600.0,
    "max_wait": 120.0,
    "error_code": "invalid_code",
}
#: Fields compared before and after the trip, where a class has them.
FIELDS = (*SAMPLES.keys() - {"response", "message"}, "message", "args")


def error_classes() -> list[type[CliqError]]:
    for module in pkgutil.iter_modules(custom.__path__):
        if not module.ispkg:
            importlib.import_module(f"{custom.__name__}.{module.name}")
    found: set[type[CliqError]] = set()
    pending = [CliqError]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending.extend(cls.__subclasses__())
    return sorted((cls for cls in found if cls.__module__.startswith(custom.__name__)), key=lambda cls: cls.__name__)


def init_parameters(cls: type[CliqError]) -> list[inspect.Parameter] | None:
    """The named ``__init__`` parameters along the MRO (following ``**kwargs``); ``None``: Exception's own."""
    parameters: dict[str, inspect.Parameter] = {}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass in (Exception, BaseException):
            return None if not parameters else list(parameters.values())
        signature = inspect.signature(init)
        for parameter in list(signature.parameters.values())[1:]:
            if parameter.kind not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
                parameters.setdefault(parameter.name, parameter)
        if not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
            break
    return list(parameters.values())


def build(cls: type[CliqError]) -> CliqError:
    parameters = init_parameters(cls)
    if parameters is None:
        return cls("the message")
    missing = [p.name for p in parameters if p.name not in SAMPLES]
    if missing:
        pytest.fail(f"{cls.__name__}: add a sample for {missing} to SAMPLES in {__name__}")
    kwargs = {p.name: answered() if p.name == "response" else SAMPLES[p.name] for p in parameters}
    return cls(**kwargs)


CLASSES = error_classes()


def test_introspection_finds_the_whole_hierarchy() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert {"CliqError", "AuthenticationError", "ThrottledError", "MalformedResponseError", "PaginationError"} <= names
    assert len(CLASSES) >= 20


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_every_error_round_trips_through_pickle_without_secrets(cls: type[CliqError], protocol: int) -> None:
    error = build(cls)
    data = pickle.dumps(error, protocol=protocol)
    for secret in (ACCESS_TOKEN, PROXY_PASSWORD, "fields=all"):
        assert secret.encode() not in data, f"{cls.__name__} pickles {secret[:8]}..."
    restored = pickle.loads(data)  # noqa: S301 -- bytes this test made
    assert type(restored) is cls
    assert (str(restored), repr(restored)) == (str(error), repr(error))
    for name in FIELDS:
        if hasattr(error, name):
            assert getattr(restored, name) == getattr(error, name), name
    if getattr(error, "response", None) is not None:
        assert getattr(restored, "response") is None  # noqa: B009 -- the live response (and its request's headers) stayed behind
        assert (
            restored.summary
            == error.summary
            == ExchangeSummary(
                method="GET",
                url="https://cliq.zoho.com/api/v2/channels/T1",
                status_code=401,
                reason_phrase="Unauthorized",
                headers=(
                    ("content-type", "application/json"),
                    ("content-length", str(len(answered().content))),
                    ("retry-after", "30"),
                ),
            )
        )
    else:
        assert restored.summary is None
    assert pickle.loads(pickle.dumps(restored)).summary == restored.summary  # noqa: S301 -- twice is fine too


def test_the_cause_chain_and_traceback_are_not_pickled() -> None:
    try:
        try:
            raise ValueError(f"Illegal header value b'Zoho-oauthtoken {ACCESS_TOKEN}'")
        except ValueError as inner:
            raise AuthenticationError(
                status_code=401, message="m", code=None, operation_id="get_channel", response=None
            ) from inner
    except AuthenticationError as error:
        data = pickle.dumps(error)
    assert ACCESS_TOKEN.encode() not in data
    restored = pickle.loads(data)  # noqa: S301 -- bytes this test made
    assert (restored.__cause__, restored.__traceback__) == (None, None)


def fail_in_a_worker() -> None:
    """Runs in another process: raises what a real 401 raises, response attached."""
    raise error_from_response(answered(), operation_id="get_channel")


def test_an_error_raised_in_a_process_pool_reaches_the_parent_intact() -> None:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(fail_in_a_worker)
        with pytest.raises(AuthenticationError) as caught:
            future.result(timeout=60)
    error = caught.value
    assert (error.status_code, error.code, error.operation_id) == (401, "oauthtoken_invalid", "get_channel")
    assert error.summary is not None
    assert error.summary.url == "https://cliq.zoho.com/api/v2/channels/T1"
