"""The commit-ordered change log: triggers that fill it, and the cursor rule that reads it.

Every insert/update/delete of a synced table appends a `change_log` row *in the writer's own
transaction* (a trigger), so a change and its log row commit together or not at all, whichever
program wrote it (the sync API, an import, a manager's SQL).

Why not just "rows with id > cursor": a sequence hands out ids at insert time, not commit time. On
PostgreSQL transaction A may take id 5, B id 6, B commit, a pull read 6 and move the cursor to 6,
then A commit: 5 would never be sent. The rule used here instead:

* each row carries `xid`, the writing transaction's 64-bit id (`pg_current_xact_id()`);
* a pull reads only rows with `xid < pg_snapshot_xmin(pg_current_snapshot())`: every transaction
  below that horizon has finished, so all of its rows are visible now and no row with such an xid
  can ever appear later;
* rows are returned in `(xid, id)` order and the cursor is the last `(xid, id)` returned.

A row that appears later belongs to a transaction that was running (xid >= horizon) or not yet
started (xid > horizon) at the time of the pull, so it sorts after every cursor handed out before:
the cursor never skips a change. A long transaction delays pulls (it holds the horizon back) but
never loses a change. SQLite allows one writer at a time, so its ids are already in commit order
and `xid` stays 0 there.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import peewee

from models.bulk import in_list
from models.db import db, is_postgres

EVENT, LEVEL = "event", "level"

# table -> (entity, key expression, location expression, operations). `{r}` is the new (or, for a
# delete, the old) row. A location of NULL goes to every terminal; see `pending` for the routing.
_PRODUCT_OF = "(SELECT sku FROM product WHERE id = {r}.product_id)"
TRACKED: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "location": ("location", "{r}.code", "NULL", ("INSERT", "UPDATE", "DELETE")),
    "product": ("product", "{r}.sku", "NULL", ("INSERT", "UPDATE", "DELETE")),
    "barcode": ("product", _PRODUCT_OF, "NULL", ("INSERT", "UPDATE", "DELETE")),
    "price": ("product", _PRODUCT_OF, "NULL", ("INSERT", "UPDATE", "DELETE")),
    "user": ("user", "{r}.code", "NULL", ("INSERT", "UPDATE", "DELETE")),
    "delivery": ("delivery", "{r}.number", "{r}.location_id", ("INSERT", "UPDATE", "DELETE")),
    "delivery_line": ("delivery", "(SELECT number FROM delivery WHERE id = {r}.delivery_id)",
                      "(SELECT location_id FROM delivery WHERE id = {r}.delivery_id)", ("INSERT", "UPDATE", "DELETE")),
    "transfer": ("transfer", "{r}.number", "{r}.destination_id", ("INSERT", "UPDATE", "DELETE")),
    "transfer_line": ("transfer", "(SELECT number FROM transfer WHERE id = {r}.transfer_id)",
                      "(SELECT destination_id FROM transfer WHERE id = {r}.transfer_id)",
                      ("INSERT", "UPDATE", "DELETE")),
    "order": ("order", "{r}.number", "{r}.location_id", ("INSERT", "UPDATE", "DELETE")),
    "stock_event": (EVENT, "{r}.id", "{r}.location_id", ("INSERT",)),
    "stock_level": (LEVEL, _PRODUCT_OF, "{r}.location_id", ("INSERT", "UPDATE")),
    "reservation": (LEVEL, _PRODUCT_OF, "{r}.location_id", ("INSERT", "UPDATE", "DELETE")),
}


# Rows only a location's terminals get, and only once they have a location: a channel's order at head
# office belongs to no terminal (its allocations are what a location works on), so its many state
# changes are not logged for every terminal to read past.
LOCATED_ONLY = {"order"}


def sqlite_trigger_sql() -> list[str]:
    statements = []
    for table, (entity, key, loc, ops) in TRACKED.items():
        for op in ops:
            r = "OLD" if op == "DELETE" else "NEW"
            when = f" WHEN {r}.location_id IS NOT NULL" if table in LOCATED_ONLY else ""
            statements.append(
                f'CREATE TRIGGER IF NOT EXISTS change_log_{table}_{op.lower()} AFTER {op} ON "{table}"{when} '
                f"BEGIN INSERT INTO change_log (xid, entity, key, location_id) "
                f"VALUES (0, '{entity}', COALESCE({key.format(r=r)}, ''), {loc.format(r=r)}); END")
    return statements


def postgres_trigger_sql() -> list[str]:
    """Statement-level triggers: one INSERT ... SELECT per statement writes all of its log rows.

    A row trigger runs a PL/pgSQL call and an INSERT per changed row (about 0.2 ms each); a
    statement trigger reads the statement's transition table once. The rows still carry the
    writing transaction's xid, so the cursor rule is unchanged. PostgreSQL allows a transition
    table only on a trigger for one event, hence one trigger per table and operation. An INSERT
    ... ON CONFLICT DO UPDATE fires the INSERT trigger for the rows it inserted and the UPDATE
    trigger for the rows it updated.
    """
    statements = []
    for table, (entity, key, loc, ops) in TRACKED.items():
        # The row triggers of the first version, if this database still has them.
        statements.append(f'DROP TRIGGER IF EXISTS change_log_{table} ON "{table}"')
        for op in ops:
            fn = f"change_log_{table}_{op.lower()}"
            rows = "old_rows" if op == "DELETE" else "new_rows"
            statements.append(
                f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n"
                f"  INSERT INTO change_log (xid, entity, key, location_id)\n"
                f"  SELECT pg_current_xact_id()::text::bigint, '{entity}', COALESCE({key.format(r='r')}, ''),"
                f" {loc.format(r='r')} FROM {rows} AS r"
                f"{' WHERE r.location_id IS NOT NULL' if table in LOCATED_ONLY else ''};\n"
                f"  RETURN NULL;\nEND $$")
            statements.append(f'DROP TRIGGER IF EXISTS {fn} ON "{table}"')
            statements.append(f'CREATE TRIGGER {fn} AFTER {op} ON "{table}" '
                              f"REFERENCING {'OLD' if op == 'DELETE' else 'NEW'} TABLE AS {rows} "
                              f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()")
        statements.append(f"DROP FUNCTION IF EXISTS change_log_{table}()")
    return statements


def install_triggers(database: peewee.Database) -> None:
    is_pg = isinstance(database, peewee.PostgresqlDatabase)
    for statement in postgres_trigger_sql() if is_pg else sqlite_trigger_sql():
        database.execute_sql(statement)


# Both halves fit a signed 64-bit column (18 digits always do): a cursor no pull wrote is refused.
CURSOR_PATTERN = r"^(\d{1,18}-\d{1,18})?$"


@dataclass(frozen=True, order=True, slots=True)
class Cursor:
    """A position in the change log: everything up to and including (xid, id) has been sent."""

    xid: int = 0
    id: int = 0

    def __str__(self) -> str:
        return f"{self.xid}-{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        if not text:
            return cls()
        if not re.fullmatch(CURSOR_PATTERN, text):
            raise ValueError(f"Bad cursor {text[:40]!r}: expected '<xid>-<id>' as a pull returned it.")
        xid, _, ident = text.partition("-")
        return cls(int(xid), int(ident))


@dataclass(frozen=True, slots=True)
class Change:
    xid: int
    id: int
    entity: str
    key: str
    location_id: int | None


def horizon_sql() -> str:
    """SQL for the lowest xid that may still be running (all lower ones have finished)."""
    return "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


def pending(after: Cursor, location_id: int, limit: int) -> tuple[list[Change], bool]:
    """The next changes for a terminal of `location_id` after `after`, and whether more follow.

    Routing: unscoped rows (catalogue, users, locations) go to everyone; levels go to the *other*
    locations (a snapshot of stock elsewhere); the rest (events, deliveries, transfers, orders) only
    to the location they belong to.
    """
    visible = f" AND xid < {horizon_sql()}" if is_postgres() else ""
    route = (" AND (location_id IS NULL OR (entity = %s AND location_id <> %s)"
             " OR (entity <> %s AND location_id = %s))")
    columns = "xid, id, entity, key, location_id"
    # "(xid, id) after the cursor" as two index ranges, the rest of the cursor's own transaction and
    # the later ones: an OR of both makes the engines scan the log from its start on every page.
    sql = (f"SELECT {columns} FROM ("
           f"SELECT {columns} FROM change_log WHERE xid = %s AND id > %s{visible}{route} ORDER BY id LIMIT %s"
           f") AS same_xid UNION ALL SELECT {columns} FROM ("
           f"SELECT {columns} FROM change_log WHERE xid > %s{visible}{route} ORDER BY xid, id LIMIT %s"
           f") AS later_xid ORDER BY xid, id LIMIT %s")
    routing = (LEVEL, location_id, LEVEL, location_id)
    rows = db.execute_sql(sql.replace("%s", db.param), (
        after.xid, after.id, *routing, limit + 1, after.xid, *routing, limit + 1, limit + 1)).fetchall()
    changes = [Change(int(x), int(i), e, k, loc) for x, i, e, k, loc in rows]
    return changes[:limit], len(changes) > limit


def products_changed_after(after: Cursor, skus: set[str] | list[str], chunk: int = 1000) -> set[str]:
    """The SKUs among `skus` with a visible change-log row after `after`: a later page will send them.

    Reads below the same horizon as `pending` (or a later one, which only sees more), so every row
    this finds is delivered by a later page of the same pull.
    """
    visible = f" AND xid < {horizon_sql()}" if is_postgres() else ""
    wanted = sorted(set(skus))
    found: set[str] = set()
    for start in range(0, len(wanted), chunk):
        part = wanted[start:start + chunk]
        # The cursor test sits in HAVING, not WHERE: in WHERE it tempts the planner into walking the
        # (xid, id) index over the rest of the log instead of looking the keys up.
        keys, params = in_list("key", part)
        sql = (f"SELECT key FROM change_log WHERE entity = %s AND {keys}{visible} GROUP BY key "
               "HAVING MAX(CASE WHEN xid > %s OR (xid = %s AND id > %s) THEN 1 ELSE 0 END) = 1")
        rows = db.execute_sql(sql.replace("%s", db.param), ("product", *params, after.xid, after.xid, after.id))
        found.update(key for (key,) in rows.fetchall())
    return found


_STATS_CHECK_EVERY = 1.0  # seconds between looks at the planner statistics (per process)
_STATS_LOCK = 0x5D  # advisory lock key: one ANALYZE at a time
_last_stats_check = 0.0


def refresh_statistics() -> bool:
    """ANALYZE the change log and the catalogue if they changed much since last analysed (PostgreSQL).

    Right after a bulk import PostgreSQL has no statistics for the new rows until autovacuum gets
    round to them (a minute or more); meanwhile the planner reads the page queries' index ranges as
    a few rows and answers each page with a bitmap scan over the whole import (50-60 ms a page
    instead of 1-3 ms). Looked at no more than once a second; returns True if it analysed.
    """
    global _last_stats_check
    if not is_postgres() or time.monotonic() - _last_stats_check < _STATS_CHECK_EVERY:
        return False
    _last_stats_check = time.monotonic()
    row = db.execute_sql(
        "SELECT COALESCE(s.n_mod_since_analyze, 0), GREATEST(c.reltuples, 0) FROM pg_stat_user_tables s "
        "JOIN pg_class c ON c.oid = s.relid WHERE s.relname = 'change_log' AND s.schemaname = current_schema()"
    ).fetchone()
    # Autovacuum's own rule is 50 rows + 10 %; a pull only cares once pages are many.
    if row is None or row[0] < 10_000 or row[0] < 0.2 * row[1]:
        return False
    if not db.execute_sql("SELECT pg_try_advisory_lock(%s)", (_STATS_LOCK,)).fetchone()[0]:
        return False  # another request is analysing; its statistics will do
    try:
        db.execute_sql('ANALYZE change_log, product, barcode, price')
    finally:
        db.execute_sql("SELECT pg_advisory_unlock(%s)", (_STATS_LOCK,))
    return True


def backlog() -> int:
    """Rows written by transactions still running (PostgreSQL): how far pulls are held back."""
    if not is_postgres():
        return 0
    return int(db.execute_sql(f"SELECT COUNT(*) FROM change_log WHERE xid >= {horizon_sql()}").fetchone()[0])


_BACKFILL = {
    "location": ("location", "code", "NULL"),
    "product": ("product", "sku", "NULL"),
    "user": ("user", "code", "NULL"),
    "delivery": ("delivery", "number", "location_id"),
    "transfer": ("transfer", "number", "destination_id"),
    "order": ("order", "number", "location_id"),
    "stock_event": (EVENT, "id", "location_id"),
    "stock_level": (LEVEL, "(SELECT sku FROM product WHERE id = stock_level.product_id)", "location_id"),
}


def backfill(database: peewee.Database) -> None:
    """Log the rows that existed before the triggers did, so a new terminal still gets them."""
    for table, (entity, key, loc) in _BACKFILL.items():
        database.execute_sql(
            f"INSERT INTO change_log (xid, entity, key, location_id) "
            f"SELECT 0, '{entity}', {key}, {loc} FROM \"{table}\" ORDER BY id")
