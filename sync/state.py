"""The terminal's sync memory (`models.hq.SyncState`) read and written with compiled statements.

A sync reads the cursor and writes the cursor, last sync, last error and clock offset every time;
building each of those small statements with peewee cost more than running it.
"""

from __future__ import annotations

import peewee

from models import bulk
from models.hq import SyncState
from models.statements import Slot, Statement

_read = Statement(lambda: SyncState.select(SyncState.value).where(SyncState.name == Slot("name")))


def read(name: str, default: str = "") -> str:
    """Like `models.hq.get_state`."""
    row = _read.execute(name=name).fetchone()
    return row[0] if row is not None else default


def _replace(query: peewee.Insert) -> peewee.Insert:
    return query.on_conflict(conflict_target=[SyncState.name], update={SyncState.value: peewee.EXCLUDED.value})


def write(values: dict[str, str]) -> None:
    """Like `models.hq.set_state` for each item, in one prepared statement."""
    bulk.insert_rows("sync_state_upsert", [SyncState.name, SyncState.value], list(values.items()), _replace)
