"""Index the change log by (entity, key): the feed asks whether a product changes again later."""


def up(migrator, db):
    db.execute_sql("CREATE INDEX IF NOT EXISTS change_log_entity_key_xid_id ON change_log (entity, key, xid, id)")


def down(migrator, db):
    db.execute_sql("DROP INDEX IF EXISTS change_log_entity_key_xid_id")
