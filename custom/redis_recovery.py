"""What a process puts back into Redis after Redis lost the shared budget (issue 12 item 6).

A Redis restart without persistence, a failover to a replica that missed
writes, or evicted keys empty the budget while calls of the last window still
count at Zoho.  Each process therefore remembers its own calls of the last
widened window -- completion stamps and leases in flight -- and sends them
with every admission it asks for; :data:`~.redis_scripts.ADMIT` adds those
Redis no longer has (``ZADD NX``: nothing is counted twice).
"""

from __future__ import annotations

import secrets
from collections import deque

__all__ = ["OwnCalls"]


class OwnCalls:
    """This process's calls of one key within the last widened window; guarded by the limiter's lock."""

    __slots__ = ("flying", "recent")

    def __init__(self) -> None:
        self.flying: dict[str, float] = {}  # Redis leases in flight -> lease deadline
        self.recent: deque[tuple[float, str]] = deque()  # completions, oldest first: (stamp, slot id)

    def admitted(self, lease: str, deadline: float) -> None:
        """Redis admitted a call under ``lease``, in flight until ``deadline`` at the latest."""
        self.flying[lease] = deadline

    def completed(self, lease: str | None, now: float, horizon: float) -> None:
        """A call completed at ``now``: admitted by Redis under ``lease``, or by the stand-in (``None``).

        A stand-in's call gets an id of its own, so it fills a slot in Redis too.
        """
        if lease is None:
            slot = f"local-{secrets.token_hex(8)}"
        else:
            slot = lease
            self.flying.pop(lease, None)
        self._forget(horizon)
        self.recent.append((now, slot))

    def restore_args(self, horizon: float) -> list[str | int]:
        """ADMIT's optional arguments: n stamps, m leases, the n (stamp, id) and m (deadline, id) pairs."""
        if not (self.recent or self.flying):
            return []
        self._forget(horizon)
        args: list[str | int] = [len(self.recent), len(self.flying)]
        for stamp, slot in self.recent:
            args += [repr(stamp), slot]
        for lease, deadline in self.flying.items():
            args += [repr(deadline), lease]
        return args

    def _forget(self, horizon: float) -> None:
        """Drop completions at or before ``horizon``: they no longer count in any window."""
        recent = self.recent
        while recent and recent[0][0] <= horizon:
            recent.popleft()
