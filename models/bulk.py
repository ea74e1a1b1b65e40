"""Batch reads and writes: push batches, pull pages, the ledger's event batches.

Peewee builds SQL node by node: a 500-row `insert_many` or a 500-value `IN (...)` costs far more to
build than to run. Batches bring hundreds to thousands of rows, so these helpers write the SQL out
(rendered once from peewee where it has to fit both engines, e.g. ON CONFLICT) and hand the values
to the driver: one statement per chunk or `executemany`; on PostgreSQL a batch INSERT's rows travel
as one JSON document and an `IN` list as one array.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import weakref
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import peewee

from .db import db
from .statements import Slot, chunks

# Weak keys, as in models.statements: a closed database's SQL goes with it, a new one never inherits it.
_compiled: weakref.WeakKeyDictionary[peewee.Database, dict[str, str]] = weakref.WeakKeyDictionary()


def insert_rows(name: str, fields: Sequence[peewee.Field], rows: Sequence[Sequence[Any]],
                customize: Callable[[peewee.Insert], peewee.Insert] | None = None) -> None:
    """INSERT every row (values in `fields` order, Python values) with one prepared statement.

    Columns not in `fields` take their defaults (evaluated once per call). `name` keys the compiled
    SQL; `customize` may add an ON CONFLICT clause to the one-row INSERT.
    """
    if not rows:
        return
    model = fields[0].model
    columns = [f for f in model._meta.sorted_fields if not isinstance(f, peewee.AutoField)]
    given = {f.name: i for i, f in enumerate(fields)}
    database = db.obj
    compiled = _compiled.setdefault(database, {})
    sql = compiled.get(name)
    if sql is None:
        query = model.insert({f: Slot(f.name) for f in columns})
        if customize is not None:
            query = customize(query)
        sql, _ = database.get_sql_context().sql(query).query()
        compiled[name] = sql
    # Built a column at a time, then zipped into rows: a call per value cost more than the INSERT.
    values = []
    for f in columns:
        if f.name not in given:
            values.append([f.db_value(f.default() if callable(f.default) else f.default)] * len(rows))
            continue
        position = given[f.name]
        convert = _needed(f.db_value, (row[position] for row in rows))
        values.append([row[position] for row in rows] if convert is None
                      else [convert(row[position]) for row in rows])
    params = list(zip(*values, strict=True))
    cursor = database.cursor()
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def insert_values(fields: Sequence[peewee.Field], rows: Sequence[Sequence[Any]],
                  returning: Sequence[peewee.Field] = (), *, skip_conflicts: bool = False,
                  add_on_conflict: tuple[Sequence[peewee.Field], peewee.Field] | None = None) -> list[tuple]:
    """INSERT `rows` (Python values in `fields` order) with one statement per chunk.

    For a batch of rows, one statement is cheaper than `executemany` (one round trip) and than
    peewee's `insert_many` (which builds the SQL node by node). Columns not in `fields` take their
    defaults. Returns the `returning` columns of the inserted rows (raw database values).
    `skip_conflicts` leaves out, silently, rows a unique index already has; `add_on_conflict=(key,
    column)` adds a row's `column` to the stored row with the same `key` instead.

    SQLite gets multi-row VALUES. PostgreSQL gets the rows as one JSON parameter
    (`json_populate_recordset`): its driver rewrites every placeholder of a query on the client,
    and a 500-row VALUES list has thousands; one array per column cost three times the JSON.
    """
    if not rows:
        return []
    model = fields[0].model
    columns = [f for f in model._meta.sorted_fields if not isinstance(f, peewee.AutoField)]
    given = {f.name: i for i, f in enumerate(fields)}
    defaults = {f.name: f.db_value(f.default() if callable(f.default) else f.default)
                for f in columns if f.name not in given}
    database = db.obj
    quote = _quoter(database)
    names = ", ".join(quote(f.column_name) for f in columns)
    head = f"INSERT INTO {quote(model._meta.table_name)} ({names}) "
    tail = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    if add_on_conflict is not None:
        key, added = add_on_conflict
        table, column = quote(model._meta.table_name), quote(added.column_name)
        tail += (f" ON CONFLICT ({', '.join(quote(f.column_name) for f in key)}) "
                 f"DO UPDATE SET {column} = {table}.{column} + EXCLUDED.{column}")
    tail += f" RETURNING {', '.join(quote(f.column_name) for f in returning)}" if returning else ""
    found: list[tuple] = []
    if isinstance(database, peewee.PostgresqlDatabase):
        # The record type is the table's own, so each value is read as its column's type, and
        # refused, like an INSERT would, if it does not fit (a too-long text is an error, not cut).
        sql = (f"{head}SELECT {names} FROM json_populate_recordset(NULL::{quote(model._meta.table_name)}, "
               f"{database.param}){tail}")
        for part in chunks(rows, 5000):
            documents = [{f.column_name: f.db_value(row[given[f.name]]) if f.name in given else defaults[f.name]
                          for f in columns} for row in part]
            cursor = database.execute_sql(sql, [json.dumps(documents, default=_json_value)])
            if returning:
                found += cursor.fetchall()
        return found
    group = "(" + ", ".join([database.param] * len(columns)) + ")"
    for part in chunks(rows, max(1, 5000 // len(columns))):
        params = [f.db_value(row[given[f.name]]) if f.name in given else defaults[f.name]
                  for row in part for f in columns]
        cursor = database.execute_sql(f"{head}VALUES {', '.join([group] * len(part))}{tail}", params)
        if returning:
            found += cursor.fetchall()
    return found


def _json_value(value: Any) -> str:
    """A database value JSON has no type for, as the text PostgreSQL reads back as that type."""
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (dt.date, dt.time)):  # a datetime is a date
        return value.isoformat()
    raise TypeError(f"No JSON form for a {type(value).__name__} column value.")


def in_list(column: str, values: Sequence[Any]) -> tuple[str, list]:
    """`column IN (...)` for one chunk of values: one array parameter on PostgreSQL (its driver parses
    every placeholder of a query client-side), plain placeholders on SQLite."""
    database = db.obj
    if isinstance(database, peewee.PostgresqlDatabase):
        return f"{column} = ANY({database.param})", [list(values)]
    return f"{column} IN ({', '.join([database.param] * len(values))})", list(values)


def among(field: peewee.Field, values: Sequence[Any]) -> peewee.Expression:
    """`field IN values` for a peewee query: one array parameter on PostgreSQL, where a long IN
    list of placeholders costs more to rewrite on the client than to run."""
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        return field == peewee.fn.ANY(peewee.Value(list(values), unpack=False))
    return field.in_(list(values))


def select_in(columns: Sequence[peewee.Field], key: peewee.Field, values: Sequence[Any],
              order_by: Sequence[peewee.Field] = ()) -> list[tuple]:
    """Rows of `columns` (Python values) whose `key` is one of `values`, in chunks (ordered per chunk)."""
    model = key.model
    database = db.obj
    quote = _quoter(database)
    head = (f"SELECT {', '.join(quote(c.column_name) for c in columns)} FROM {quote(model._meta.table_name)} "
            "WHERE ")
    tail = f" ORDER BY {', '.join(quote(c.column_name) for c in order_by)}" if order_by else ""
    found = []
    for part in chunks(list(values)):
        condition, params = in_list(quote(key.column_name), [key.db_value(v) for v in part])
        cursor = database.execute_sql(head + condition + tail, params)
        rows = cursor.fetchall()
        converters = [(i, convert) for i, column in enumerate(columns)
                      if (convert := _needed(column.python_value, (row[i] for row in rows))) is not None]
        if not converters:
            found += rows
            continue
        for row in rows:
            row = list(row)
            for i, convert in converters:
                row[i] = convert(row[i])
            found.append(tuple(row))
    return found


def _needed(convert: Callable[[Any], Any], values: Iterator[Any]) -> Callable[[Any], Any] | None:
    """`convert`, or None if it leaves this column's values as they are (judged on the first non-None
    value: a column's values come back from the driver as one type). Converting 100,000 strings to
    the strings they already are was a good part of applying a catalogue."""
    for value in values:
        if value is None:
            continue
        out = convert(value)
        return None if type(out) is type(value) and out == value else convert
    return None


def delete_in(key: peewee.Field, values: Sequence[Any]) -> None:
    model = key.model
    database = db.obj
    quote = _quoter(database)
    for part in chunks(list(values)):
        condition, params = in_list(quote(key.column_name), [key.db_value(v) for v in part])
        database.execute_sql(f"DELETE FROM {quote(model._meta.table_name)} WHERE {condition}", params)


def _quoter(database: peewee.Database) -> Callable[[str], str]:
    opening, closing = database.quote  # the engine's identifier quotes, e.g. '""'
    return lambda name: f"{opening}{name}{closing}"
