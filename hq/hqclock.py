"""Head office's clock: its own UTC reading, never a terminal's corrected one.

`models.clock` carries the offset a terminal learned from sync; a head office running in the same
process (demo, tests) must not pick that up, or the two clocks would chase each other. The source
is a context variable so a test can run a head office whose clock is deliberately wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextvars import ContextVar


def system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


source: ContextVar[Callable[[], dt.datetime]] = ContextVar("counter_hq_clock", default=system_now)


def now() -> dt.datetime:
    return source.get()()
