"""A product's category and a location's name in Simplified Chinese too, beside the English ones
(shown on Chinese screens; empty falls back to the English)."""
import peewee


def up(migrator, db):
    migrator.migrate(migrator.add_column("product", "category_zh", peewee.CharField(default="")),
                     migrator.add_column("location", "name_zh", peewee.CharField(default="")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("product", "category_zh"), migrator.drop_column("location", "name_zh"))
