"""The change log leaves out orders with no location (a channel's orders at head office): no
terminal gets them, and each of their state changes would otherwise be a row every pull reads."""
import peewee


def up(migrator, db):
    from hq.changelog import install_triggers

    if not isinstance(db, peewee.PostgresqlDatabase):
        for op in ("insert", "update", "delete"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS change_log_order_{op}")
    install_triggers(db)  # PostgreSQL: replaces the functions; SQLite: creates what was dropped
