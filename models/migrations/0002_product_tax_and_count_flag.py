"""Products carry their included tax rate, and a flag set when a store sold below zero."""
import peewee


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("product", "tax_rate", peewee.BigIntegerField(default=0)),
        migrator.add_column("product", "needs_count", peewee.BooleanField(default=False)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("product", "tax_rate"),
        migrator.drop_column("product", "needs_count"),
    )
