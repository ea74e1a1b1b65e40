"""A product's category and a location's name in Simplified Chinese too, beside the English ones
(shown on Chinese screens; empty falls back to the English)."""
import peewee


def _text() -> peewee.CharField:
    # A default in the database too: rows written by other programs (or raw SQL) get "" as well.
    return peewee.CharField(default="", constraints=[peewee.SQL("DEFAULT ''")])


def up(migrator, db):
    migrator.migrate(migrator.add_column("product", "category_zh", _text()),
                     migrator.add_column("location", "name_zh", _text()))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("product", "category_zh"), migrator.drop_column("location", "name_zh"))
