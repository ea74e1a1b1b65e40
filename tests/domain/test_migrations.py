"""A store made by an earlier schema upgrades in place and keeps its data."""

from __future__ import annotations

import peewee

from models import schema
from models.catalog import Product
from models.db import db, open_sqlite


def test_upgrade_from_the_baseline_schema_keeps_rows(tmp_path):
    database = open_sqlite(tmp_path / "old.db")
    assert schema.migrate(target="0001_initial") == ["0001_initial"]
    columns = {c.name for c in database.get_columns("product")}
    assert "tax_rate" not in columns
    # A row written by the old program, through SQL of the old shape.
    database.execute_sql("INSERT INTO product (sku, name, name_zh, category, unit, unit_precision, track_lot, "
                         "track_serial, track_expiry, weight_priced, active, updated_at) "
                         "VALUES ('OLD1', 'Old tea', '', '', 'pcs', 0, 0, 0, 0, 0, 1, '2025-01-01 00:00:00')")
    applied = schema.migrate()
    assert applied and applied[0] == "0002_product_tax_and_count_flag"
    assert schema.pending() == []
    old = Product.get(Product.sku == "OLD1")
    assert old.name == "Old tea" and old.tax_rate == 0 and old.needs_count is False
    database.close()
    db.initialize(None)


def test_migrated_schema_matches_the_models(tmp_path):
    database = open_sqlite(tmp_path / "new.db")
    schema.migrate()
    for model in schema.ALL_MODELS:
        have = {c.name for c in database.get_columns(model._meta.table_name)}
        want = {f.column_name for f in model._meta.sorted_fields}
        assert have == want, model.__name__
    assert isinstance(database, peewee.SqliteDatabase)
    database.close()
    db.initialize(None)
