"""A count states its bin or the product's whole stock at the location (stock_event.scope); a
transferred lot carries its expiry (transfer_line.expiry)."""
import peewee


def up(migrator, db):
    migrator.migrate(migrator.add_column("stock_event", "scope", peewee.CharField(max_length=8, default="")),
                     migrator.add_column("transfer_line", "expiry", peewee.DateField(null=True)))
    db.execute_sql("CREATE INDEX stock_event_location_count ON stock_event (product_id, location_id) "
                   "WHERE scope = 'location'")


def down(migrator, db):
    db.execute_sql("DROP INDEX IF EXISTS stock_event_location_count")
    migrator.migrate(migrator.drop_column("stock_event", "scope"), migrator.drop_column("transfer_line", "expiry"))
