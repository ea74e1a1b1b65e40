"""What head office takes from a request, before it does any work: its size, and the times it believes.

Set by environment (or `create_app(limits=...)`):

    COUNTER_HQ_BODY_LIMIT_MB     largest request body, after gzip is inflated (default 16)
    COUNTER_HQ_PAST_DAYS         oldest event time taken, in days before head office's clock (400)
    COUNTER_HQ_FUTURE_HOURS      newest event time taken, in hours after head office's clock (24)

A terminal offline for longer than the past window cannot push what it did then: its items are
refused with the reason, and land on its "Needs attention" list; raise the window to take them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    body_bytes: int = 16 * MB
    past: dt.timedelta = dt.timedelta(days=400)
    future: dt.timedelta = dt.timedelta(hours=24)

    @classmethod
    def from_env(cls) -> Limits:
        def number(name: str, default: float) -> float:
            text = os.environ.get(name, "").strip()
            try:
                value = float(text) if text else default
            except ValueError:
                raise ValueError(f"{name}={text!r} is not a number.") from None
            if not 0 < value < 10**6:
                raise ValueError(f"{name}={text!r} must be more than 0 and less than 1,000,000.")
            return value

        return cls(body_bytes=int(number("COUNTER_HQ_BODY_LIMIT_MB", 16) * MB),
                   past=dt.timedelta(days=number("COUNTER_HQ_PAST_DAYS", 400)),
                   future=dt.timedelta(hours=number("COUNTER_HQ_FUTURE_HOURS", 24)))
