"""The parts of RedisRateLimiter, without a Redis: script arguments, the calls a process restores, the head's wait."""

from __future__ import annotations

from cliq_channels_client.custom.operations import RateLimitRule
from cliq_channels_client.custom.redis_limiter import head_wait
from cliq_channels_client.custom.redis_recovery import OwnCalls
from cliq_channels_client.custom.redis_scripts import BudgetScripts, FullBudget, Locked, SlotKeys, parse_admit

RULE = RateLimitRule(threshold=3, window=10.0, lock=100.0)
SCRIPTS = BudgetScripts(prefix="p:", margin=1.05, lease=120.0)


def test_keys_live_under_the_prefix_and_the_key() -> None:
    assert SCRIPTS.keys("u:op") == SlotKeys(
        slots="p:rl:u:op:slots", flying="p:rl:u:op:flying", locked="p:rl:u:op:locked"
    )


def test_admit_arguments_carry_clock_times_exactly_and_the_restore_tail_last() -> None:
    keys, args = SCRIPTS.admit("u:op", RULE, 100.1, "lease1", [1, 0, "95.5", "old"])
    assert keys == ["p:rl:u:op:slots", "p:rl:u:op:flying", "p:rl:u:op:locked"]
    horizon = 100.1 - 10.0 * 1.05
    assert args == [repr(100.1), repr(horizon), 3, repr(220.1), "lease1", 131_500, 1, 0, "95.5", "old"]
    assert float(args[1]) == horizon  # repr round-trips the float exactly
    assert SCRIPTS.release("u:op", RULE, 101.0, "lease1") == (
        ["p:rl:u:op:slots", "p:rl:u:op:flying"],
        [repr(101.0), "lease1", 131_500],
    )
    assert SCRIPTS.lock("u:op", 700.0, 100.0) == (["p:rl:u:op:locked"], [repr(700.0), 601_000])
    assert SCRIPTS.lock("u:op", 90.0, 100.0)[1] == [repr(90.0), 1000]  # a lock already over: a short marker


def test_admit_answers_are_parsed_from_bytes_or_text() -> None:
    assert parse_admit([b"admitted"]) is None
    assert parse_admit(["locked", "700.5"]) == Locked(700.5)
    assert parse_admit([b"full", 1, 2, [b"a", b"101.5", b"b", b"102"]]) == FullBudget(
        flying=1, stamped=2, stamps=(101.5, 102.0)
    )


def test_own_calls_restore_leases_in_flight_and_completions_of_the_window_only() -> None:
    own = OwnCalls()
    assert own.restore_args(horizon=0.0) == []  # nothing to put back: ADMIT gets no tail
    own.admitted("l1", deadline=220.0)
    own.admitted("l2", deadline=221.0)
    own.completed("l1", now=105.0, horizon=94.5)
    own.completed(None, now=106.0, horizon=95.5)  # admitted by the stand-in: an id of its own
    args = own.restore_args(horizon=95.5)
    assert args[:2] == [2, 1]
    assert args[2:4] == [repr(105.0), "l1"]
    assert args[4] == repr(106.0)
    assert str(args[5]).startswith("local-")
    assert args[6:] == [repr(221.0), "l2"]
    assert own.restore_args(horizon=105.0)[:2] == [1, 1]  # a completion at or before the horizon no longer counts


def test_the_head_waits_for_its_own_releases_then_on_the_clock_then_polls_for_others() -> None:
    full = FullBudget(flying=0, stamped=3, stamps=(101.0, 102.0, 103.0))
    ours = head_wait(full, 3, 10.0, 105.0, ours_in_flight=True, poll=0.25)
    assert (ours.wake_at, ours.on_clock, ours.timeout) == (111.0, False, 0.25)
    stamped = head_wait(full, 3, 10.0, 105.0, ours_in_flight=False, poll=0.25)
    assert (stamped.wake_at, stamped.on_clock) == (111.0, True)
    others = FullBudget(flying=3, stamped=0, stamps=())  # another process's calls in flight: no stamp says when
    polling = head_wait(others, 3, 10.0, 105.0, ours_in_flight=False, poll=0.25)
    assert (polling.wake_at, polling.on_clock) == (115.0, True)
    # "full" from Redis although this rule has room (another process paces the key by a stricter rule):
    # nothing to sleep until, so it looks again after a poll.
    due = head_wait(FullBudget(flying=1, stamped=1, stamps=(101.0,)), 3, 10.0, 105.0, ours_in_flight=False, poll=0.25)
    assert (due.wake_at, due.on_clock, due.timeout) == (105.0, False, 0.25)
