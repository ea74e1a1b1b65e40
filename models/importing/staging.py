"""The keys and barcodes of a file's rows, staged in temporary tables of the import's connection.

A file can be of any size, so its keys are not held in memory. The first pass stages the key and
barcodes of every row good on its own and asks, chunk by chunk, whether any is on another line; the
second, reading the file again a chunk at a time, asks which of a chunk's lines share a key or a
barcode with other lines (the first few are named). Checking a row again costs less than storing
and loading it. The tables live inside the import's
transaction and go with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import peewee

from ..db import db

KEY, BARCODE = "key", "barcode"
NAMED = 5  # other lines named in a message; the rest are counted
_TABLE, _DUPLICATED = "import_key", "import_duplicated"
_TABLES = (_TABLE, _DUPLICATED)


def _text(value: tuple | str) -> str:
    if isinstance(value, str):
        return value
    if len(value) == 1 and isinstance(value[0], str):  # a SKU or a customer code: most files
        return value[0]
    # None (a cell not given) is kept apart from any text a cell can hold.
    return "\x1f".join("\x00" if v is None else v.isoformat() if isinstance(v, dt.datetime) else str(v)
                       for v in value)


class Staging:
    """The keys and barcodes of the rows good on their own, by line."""

    any = False  # whether anything is on more than one line (known after the first pass)

    def __init__(self) -> None:
        self._keys: list[tuple[int, str, str]] = []
        self._param = db.obj.param
        self.clear()

    def clear(self) -> None:
        """No keys staged (the tables made anew)."""
        self.drop()
        self._keys = []
        self.any = False
        database = db.obj
        database.execute_sql(f"CREATE TEMPORARY TABLE {_TABLE} (line INTEGER NOT NULL, kind VARCHAR(8) NOT NULL, "
                             "value TEXT NOT NULL)")
        database.execute_sql(f"CREATE INDEX {_TABLE}_line ON {_TABLE} (line)")
        database.execute_sql(f"CREATE INDEX {_TABLE}_value ON {_TABLE} (kind, value, line)")

    def add(self, line: int, key: tuple, barcodes: Sequence[str] = ()) -> None:
        """Stage the key (and barcodes) of a row good on its own."""
        self._keys.append((line, KEY, _text(key)))
        self._keys.extend((line, BARCODE, code) for code in barcodes)
        if len(self._keys) >= 5000:
            self._flush()

    def repeated(self, first: int) -> bool:
        """Whether a key or barcode of line `first` or later is on another line too (staging what
        was added)."""
        self._flush()
        p = self._param
        return bool(db.obj.execute_sql(
            f"SELECT 1 FROM {_TABLE} k WHERE k.line >= {p} AND EXISTS (SELECT 1 FROM {_TABLE} o "
            f"WHERE o.kind = k.kind AND o.value = k.value AND o.line <> k.line) LIMIT 1", (first,)).fetchone())

    def _flush(self) -> None:
        p = self._param
        cursor = db.obj.cursor()
        try:
            if self._keys:
                cursor.executemany(f"INSERT INTO {_TABLE} (line, kind, value) VALUES ({p}, {p}, {p})", self._keys)
        finally:
            cursor.close()
        self._keys = []

    def close_first_pass(self) -> None:
        """Every key is in: find the keys and barcodes that are on more than one line."""
        self._flush()
        database = db.obj
        database.execute_sql(f"CREATE TEMPORARY TABLE {_DUPLICATED} AS SELECT kind, value, COUNT(*) AS copies "
                             f"FROM {_TABLE} GROUP BY kind, value HAVING COUNT(*) > 1")
        database.execute_sql(f"CREATE INDEX {_DUPLICATED}_value ON {_DUPLICATED} (kind, value)")
        self.any = bool(database.execute_sql(f"SELECT 1 FROM {_DUPLICATED} LIMIT 1").fetchone())

    def shared(self, first: int, last: int) -> dict[int, dict[tuple[str, str], str]]:
        """For lines `first`..`last`: {line: {(kind, value): "3, 9 and 12 more"}} for each key or
        barcode of that line that other lines have too."""
        if not self.any:
            return {}
        p = self._param
        rows = db.obj.execute_sql(
            f"SELECT k.line, k.kind, k.value, d.copies FROM {_TABLE} k JOIN {_DUPLICATED} d "
            f"ON d.kind = k.kind AND d.value = k.value WHERE k.line BETWEEN {p} AND {p}", (first, last)).fetchall()
        named: dict[tuple[str, str], list[int]] = {}
        for kind, value in {(kind, value) for _, kind, value, _ in rows}:
            named[(kind, value)] = [line for (line,) in db.obj.execute_sql(
                f"SELECT line FROM {_TABLE} WHERE kind = {p} AND value = {p} ORDER BY line LIMIT {NAMED + 1}",
                (kind, value)).fetchall()]
        found: dict[int, dict[tuple[str, str], str]] = {}
        for line, kind, value, copies in rows:
            others = [n for n in named[(kind, value)] if n != line][:NAMED]
            text = ", ".join(str(n) for n in others)
            rest = copies - 1 - len(others)
            found.setdefault(line, {})[(kind, value)] = text + (f" and {rest:,} more" if rest > 0 else "")
        return found

    def key_text(self, key: tuple) -> str:
        return _text(key)

    def drop(self) -> None:
        try:
            for name in _TABLES:
                db.obj.execute_sql(f"DROP TABLE IF EXISTS {name}")
        except peewee.DatabaseError:
            pass  # a failed transaction: the tables go with its rollback
