"""create_client(rate_limits=...): an operation paced by the caller's rule instead of the document's."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cliq_channels_client import CliqValidationError, FakeClock, LocalRateLimiter, RateLimitRule, create_client
from cliq_channels_client.api.channels import get_channel, list_channels
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.custom.rate_limit_overrides import OverridingRateLimiter
from tests.bodies import channel_json


class RuleSpy(LocalRateLimiter):
    """Records the rule each admitted request was paced by."""

    def __init__(self) -> None:
        super().__init__(clock=FakeClock())
        self.rules: dict[str, RateLimitRule] = {}

    def acquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        self.rules[operation_id] = rule
        super().acquire(key, rule, operation_id=operation_id, max_wait=max_wait)


def answer(request: httpx.Request) -> httpx.Response:
    listing = request.url.path.endswith("/channels")
    return httpx.Response(200, json={"channels": []} if listing else channel_json("T1"))


def client(**options: Any) -> Any:
    mock = httpx.MockTransport(answer)
    return create_client(access_token="t", transport=mock, async_transport=mock, clock=FakeClock(), **options)


def test_the_named_operation_is_paced_by_the_callers_rule_the_others_by_the_document() -> None:
    document_rule = OPERATIONS_BY_ID["get_channel"].rate_limit
    mine = RateLimitRule(threshold=document_rule.threshold + 7, window=document_rule.window * 2, lock=1)
    spy = RuleSpy()
    with client(rate_limiter=spy, rate_limits={"get_channel": mine}) as cliq:
        get_channel.sync("T1", client=cliq)
        list_channels.sync(client=cliq)
    assert spy.rules["get_channel"] == mine
    assert spy.rules["list_channels"] == OPERATIONS_BY_ID["list_channels"].rate_limit


def test_the_override_bounds_the_pace() -> None:
    one_a_minute = RateLimitRule(threshold=1, window=60, lock=60)
    limiter = OverridingRateLimiter(LocalRateLimiter(clock=FakeClock()), {"get_channel": one_a_minute})
    document_rule = OPERATIONS_BY_ID["get_channel"].rate_limit
    limiter.acquire("u:get_channel", document_rule, operation_id="get_channel", max_wait=0)
    limiter.release("u:get_channel", document_rule)
    with pytest.raises(Exception, match="get_channel"):  # the second call within the minute would have to wait
        limiter.acquire("u:get_channel", document_rule, operation_id="get_channel", max_wait=0)


@pytest.mark.parametrize(
    ("rate_limits", "field", "rule"),
    [
        ({"get_chanel": RateLimitRule(threshold=1, window=60, lock=60)}, "rate_limits.get_chanel", "enum"),
        ({"get_channel": (1, 60, 60)}, "rate_limits.get_channel", "type"),
    ],
)
def test_an_unknown_operation_or_a_bad_rule_is_refused(rate_limits: Any, field: str, rule: str) -> None:
    with pytest.raises(CliqValidationError) as caught:
        client(rate_limits=rate_limits)
    assert (caught.value.field, caught.value.rule) == (field, rule)
