"""Read Zoho's rate limits out of the HTML prose of an operation's ``description``.

Zoho's downloadable document states each operation's limit only as text
("<b>Threshold limit</b> : 20 requests per min per user", "100 users per
request can be added. 10 requests can be made per minute.", "<b>Lock
period</b>: 5 minutes"); the client paces by the ``x-zoho-rate-limit`` facts.
An overlay cannot derive numbers from prose, so this is code.  A text that
does not parse raises :class:`UnreadableLimit`: the caller decides what a
limit it cannot read becomes (never "unlimited").
"""

from __future__ import annotations

import html
import re
from typing import Any

import attrs

__all__ = ["LimitFacts", "UnreadableLimit", "parse_limit_prose"]

_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}  # by the unit's first letter
_UNIT = r"(?P<unit>sec(?:ond)?|min(?:ute)?|h(?:ou)?r|day)s?"
_THRESHOLD_SECTION = re.compile(r"threshold\s+limit\s*:?\s*(?P<text>.*?)(?=number of api calls|lock period|$)", re.I)
_THRESHOLD = re.compile(
    r"(?P<count>\d+)\s+(?:api\s+)?(?:requests?|calls?)\s+(?:can\s+be\s+made\s+)?per\s+" + _UNIT, re.I
)
_ITEMS = re.compile(r"(?P<count>\d+)\s+(?:users?|members?|items?)\s+per\s+request", re.I)
_LOCK = re.compile(r"lock\s+period\s*:?\s*(?P<count>\d+)\s*" + _UNIT, re.I)


class UnreadableLimit(ValueError):
    """The description states no limit, or states it in words this parser does not know."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason
        self.text = text


@attrs.frozen
class LimitFacts:
    """One operation's limit as ``x-zoho-rate-limit`` carries it."""

    threshold: int
    window_seconds: int
    lock_seconds: int | None
    items_per_request: int | None = None

    def extension(self, default_lock: int) -> dict[str, Any]:
        """The ``x-zoho-rate-limit`` value (a missing lock period becomes ``default_lock``)."""
        facts: dict[str, Any] = {
            "threshold": self.threshold,
            "window_seconds": self.window_seconds,
            "lock_seconds": self.lock_seconds if self.lock_seconds is not None else default_lock,
            "per": "user",
        }
        if self.items_per_request is not None:
            facts["items_per_request"] = self.items_per_request
        return facts


def plain_text(description: str) -> str:
    """The description without HTML tags and entities, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", description)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _seconds(count: str, unit: str) -> int:
    return int(count) * _SECONDS[unit[0].lower()]


def parse_limit_prose(description: str) -> LimitFacts:
    """The limit a Zoho description states; :class:`UnreadableLimit` when there is none or it does not parse."""
    text = plain_text(description)
    section = _THRESHOLD_SECTION.search(text)
    if section is None:
        raise UnreadableLimit("no 'Threshold limit' in the description", text)
    threshold = _THRESHOLD.search(section["text"])
    if threshold is None:
        raise UnreadableLimit("the threshold is not in a known phrasing", section["text"].strip())
    if int(threshold["count"]) <= 0:
        raise UnreadableLimit("the threshold is not a positive number", section["text"].strip())
    items = _ITEMS.search(section["text"])
    lock = _LOCK.search(text)
    return LimitFacts(
        threshold=int(threshold["count"]),
        window_seconds=_seconds("1", threshold["unit"]),
        lock_seconds=_seconds(lock["count"], lock["unit"]) if lock else None,
        items_per_request=int(items["count"]) if items else None,
    )
