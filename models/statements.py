"""Statements compiled once: the hot path's answer to query-building cost.

Building SQL from a peewee query costs ~50 µs; running it costs ~5 µs. The counter's busiest
transaction (a sale) issues about a dozen statements, so it compiles them once per database and
afterwards only binds values. The SQL still comes from peewee, so it fits SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import peewee

from .db import db

T = TypeVar("T")


CHUNK = 500  # rows or values per statement: well inside SQLite's and PostgreSQL's parameter limits


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items, for batch statements."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Slot(peewee.Node):
    """A named placeholder in a compiled statement, bound (and converted by `field`) at run time."""

    def __init__(self, name: str, field: peewee.Field | None = None) -> None:
        self.name = name
        self.field = field

    def __sql__(self, ctx: peewee.Context) -> peewee.Context:
        ctx._values.append(self)
        return ctx.literal(ctx.state.param or "?")

    def bind(self, values: dict[str, Any]) -> Any:
        value = values[self.name]
        return self.field.db_value(value) if self.field is not None else value


class AnyOf(Slot):
    """`field` is one of the values bound to `name` (a list), in one compiled statement whatever
    its length: an array parameter on PostgreSQL, a JSON array read by `json_each` on SQLite."""

    def __init__(self, field: peewee.Field, name: str) -> None:
        super().__init__(name, field)
        self.target = field

    def __sql__(self, ctx: peewee.Context) -> peewee.Context:
        ctx.sql(self.target)
        if _returns_ids():
            ctx.literal(" = ANY(")
            super().__sql__(ctx)
            return ctx.literal(")")
        ctx.literal(" IN (SELECT value FROM json_each(")
        super().__sql__(ctx)
        return ctx.literal("))")

    def bind(self, values: dict[str, Any]) -> Any:
        converted = [self.field.db_value(v) for v in values[self.name]]
        return converted if _returns_ids() else json.dumps(converted)


def _reader(node: object) -> Callable[[Any], Any] | None:
    """How a selected column is read back: None where the driver's value already is the Python one
    (integers and text from either engine), so a wide read does not pay a call per value."""
    if not isinstance(node, peewee.Field):
        return None
    target = node.rel_field if isinstance(node, peewee.ForeignKeyField) else node
    if type(target) in (peewee.IntegerField, peewee.AutoField, peewee.BigIntegerField, peewee.CharField,
                        peewee.TextField):
        return None
    return node.python_value


class Statement:
    """A query built by `build()` with `Slot`s where values go; compiled once per database."""

    def __init__(self, build: Callable[[], peewee.Query]) -> None:
        self._build = build
        # Weak keys: a closed database's SQL goes with it, and a new one never inherits it.
        self._compiled: weakref.WeakKeyDictionary[peewee.Database, tuple[str, list, list]] = \
            weakref.WeakKeyDictionary()

    def _compile(self) -> tuple[str, list, list]:
        database = db.obj
        compiled = self._compiled.get(database)
        if compiled is None:
            query = self._build()
            sql, params = database.get_sql_context().sql(query).query()
            # What turns each selected column back into its Python value (a field's own; none for
            # an expression such as a SUM, which the caller reads raw).
            readers = [_reader(node) for node in getattr(query, "_returning", None) or ()]
            compiled = self._compiled[database] = (sql, params, readers)
        return compiled

    def execute(self, **values: Any) -> Any:
        sql, params, _ = self._compile()
        return db.obj.execute_sql(sql, [p.bind(values) if isinstance(p, Slot) else p for p in params])

    def tuples(self, **values: Any) -> list[tuple]:
        """The rows of a compiled SELECT, each column read as its field reads it."""
        readers = self._compile()[2]
        rows = self.execute(**values).fetchall()
        if not any(readers):
            return rows
        return [tuple(value if read is None or value is None else read(value)
                      for read, value in zip(readers, row, strict=True)) for row in rows]

    def first(self, **values: Any) -> tuple | None:
        rows = self.tuples(**values)
        return rows[0] if rows else None


class RowInsert:
    """INSERT of one full row of `model`; fields left out take their defaults at call time."""

    def __init__(self, model: type[peewee.Model], *, ignore_conflicts: bool = False) -> None:
        self.model = model
        self.fields = [f for f in model._meta.sorted_fields if not isinstance(f, peewee.AutoField)]
        returning = model._meta.primary_key if isinstance(model._meta.primary_key, peewee.AutoField) else None

        def build() -> peewee.Query:
            query = model.insert({f: Slot(f.name, f) for f in self.fields})
            if ignore_conflicts:
                query = query.on_conflict_ignore()
            return query.returning(returning) if returning is not None and _returns_ids() else query

        self._statement = Statement(build)

    def __call__(self, **values: Any) -> Any:
        """Insert the row; returns the new id (auto ids) or the number of rows written."""
        for f in self.fields:
            if f.name not in values:
                default = f.default
                values[f.name] = default() if callable(default) else default
        cursor = self._statement.execute(**values)
        if isinstance(self.model._meta.primary_key, peewee.AutoField):
            if _returns_ids():
                row = cursor.fetchone()
                return row[0] if row else None
            return cursor.lastrowid
        return cursor.rowcount


def _returns_ids() -> bool:
    return isinstance(db.obj, peewee.PostgresqlDatabase)


def as_model(model: type[peewee.Model], cursor: Any, row: tuple) -> peewee.Model:
    """A model instance from a row of a compiled SELECT of that model's columns (extra columns are
    left out; read them from the row)."""
    return as_models(model, cursor, [row])[0]


def as_models(model: type[peewee.Model], cursor: Any, rows: Sequence[tuple] | None = None) -> list:
    """Model instances from the rows (default: the rest of `cursor`) of a compiled SELECT."""
    columns = model._meta.columns
    # The cursor's description is read once per call, not once per value.
    fields = [columns.get(column[0]) for column in cursor.description]
    out = []
    for row in cursor.fetchall() if rows is None else rows:
        instance = model(**{f.name: f.python_value(value) for f, value in zip(fields, row, strict=True)
                            if f is not None})
        instance._dirty.clear()
        out.append(instance)
    return out
