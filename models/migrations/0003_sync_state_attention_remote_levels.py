"""Sync's local memory (state, attention list, other locations' levels) and reservations."""
import peewee


def up(migrator, db):
    class Base(peewee.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Location(Base):
        class Meta:
            table_name = "location"

    class Product(Base):
        class Meta:
            table_name = "product"

    class SyncState(Base):
        name = peewee.CharField(primary_key=True, max_length=32)
        value = peewee.TextField(default="")

        class Meta:
            table_name = "sync_state"

    class Attention(Base):
        kind = peewee.CharField(max_length=32, index=True)
        ref = peewee.CharField(max_length=64)
        message = peewee.TextField()
        payload = peewee.TextField()
        created_at = peewee.DateTimeField()
        resolved = peewee.BooleanField(index=True)
        resolved_at = peewee.DateTimeField(null=True)
        resolved_by = peewee.CharField(max_length=32)

        class Meta:
            table_name = "attention"

    class RemoteLevel(Base):
        location_code = peewee.CharField(max_length=32)
        sku = peewee.CharField(max_length=64, index=True)
        on_hand = peewee.BigIntegerField()
        available = peewee.BigIntegerField()
        as_of = peewee.DateTimeField()

        class Meta:
            table_name = "remote_level"
            indexes = ((("location_code", "sku"), True),)

    class Reservation(Base):
        location = peewee.ForeignKeyField(Location, column_name="location_id", on_delete="CASCADE")
        product = peewee.ForeignKeyField(Product, column_name="product_id", on_delete="CASCADE")
        quantity = peewee.BigIntegerField()
        reference = peewee.CharField(max_length=64, index=True)
        created_at = peewee.DateTimeField()

        class Meta:
            table_name = "reservation"

    db.create_tables([SyncState, Attention, RemoteLevel, Reservation])


def down(migrator, db):
    for table in ("reservation", "remote_level", "attention", "sync_state"):
        db.execute_sql(f"DROP TABLE IF EXISTS {table}")
