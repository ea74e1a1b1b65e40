"""PostgreSQL: change-log triggers per statement (transition tables) instead of per row."""
import peewee


def up(migrator, db):
    from hq.changelog import postgres_trigger_sql

    if isinstance(db, peewee.PostgresqlDatabase):
        for statement in postgres_trigger_sql():
            db.execute_sql(statement)
