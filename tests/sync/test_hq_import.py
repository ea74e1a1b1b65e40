"""Head office imports the catalogue on its own engine: the file's keys in a temporary table of the
import's transaction, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from hq.server import connect_database, prepare
from models.catalog import Product
from models.importing import IMPORTED, REFUSED, importer, run_import
from tests.factories import ean13

from .conftest import at


def test_head_office_imports_products_in_chunks_and_refuses_duplicates(hq_url, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 3)
    database = connect_database(hq_url)
    prepare(database)
    rows = "".join(f"H{i},Item {i},{ean13(f'21000000{i:04d}')}\n" for i in range(10))
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("sku,name,barcode\n" + rows)
    bad.write_text("sku,name,barcode\n" + rows.replace("H1,", "X1,") + "H9,Again,\n")
    with at(database):
        refused = run_import("products", bad, terminal="")
        assert refused.status == REFUSED
        assert [r.line for r in refused.rejected] == [11, 12]
        assert Product.select().count() == 0
        imported = run_import("products", good, terminal="")
        assert imported.status == IMPORTED and imported.created == 10
        again = run_import("products", good, terminal="")
        assert again.unchanged == 10 and again.created == 0
    database.close()
