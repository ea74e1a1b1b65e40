"""A file of any size: read a chunk at a time (twice when a key is on two lines), written whole or
not at all, the report bounded.

`CHUNK` is made small here so that a few dozen rows span many chunks, as 10 million would."""

from __future__ import annotations

import pytest

from models.catalog import Barcode, Product
from models.importing import IMPORTED, REFUSED, importer, report, run_import
from tests.factories import ean13

from .conftest import table_counts


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 4)


def products(n: int, extra: str = "") -> str:
    return "sku,name,barcode\n" + "".join(f"S{i:03d},Item {i},{ean13(f'20000000{i:04d}')}\n" for i in range(n)) + extra


def test_a_file_of_many_chunks_imports_every_row(shop, write):
    result = run_import("products", write("p.csv", products(30)))
    assert result.status == IMPORTED and result.created == 30 and result.rejected_count == 0
    assert Product.select().where(Product.sku.startswith("S")).count() == 30
    assert Barcode.select().join(Product).where(Product.sku.startswith("S")).count() == 30


def test_a_duplicate_sku_chunks_apart_is_refused_on_both_lines(shop, write):
    result = run_import("products", write("p.csv", products(30, "S001,Again,\n")))
    assert result.status == REFUSED
    assert [(r.line, r.reason) for r in result.rejected] == [
        (3, "duplicate SKU S001 (also on line 32)"), (32, "duplicate SKU S001 (also on line 3)")]


def test_a_barcode_chunks_apart_is_refused_on_both_lines(shop, write):
    code = ean13("200000000005")
    result = run_import("products", write("p.csv", products(30, f"X1,Other,{code}\n")))
    assert [(r.line, r.reason) for r in result.rejected] == [
        (7, f"barcode {code} is also on line 32"), (32, f"barcode {code} is also on line 7")]


def test_a_bad_row_in_the_last_chunk_undoes_the_chunks_already_written(shop, write):
    before = table_counts()
    # Good on its own, bad against the store (P1 has this barcode): found in the second pass, after
    # seven chunks were written.
    taken = ean13("400638133393")
    result = run_import("products", write("p.csv", products(30, f"S999,Late,{taken}\n")))
    assert result.status == REFUSED and [(r.line, r.reason) for r in result.rejected] == [
        (32, f"barcode {taken} already belongs to SKU P1")]
    assert result.created == 30  # what it would have done
    assert table_counts() == before


def test_skip_bad_keeps_the_good_chunks_and_writes_every_bad_row(shop, write):
    path = write("p.csv", products(30, "S001,Again,\n"))
    result = run_import("products", path, skip_bad=True)
    assert result.status == IMPORTED and result.created == 29 and result.rejected_count == 2
    assert path.with_name("p.rejected.csv").read_text(encoding="utf-8-sig").count("duplicate SKU S001") == 2
    assert not path.with_name("p.rejected.csv.part").exists()
    # S001 on line 3 was written before line 32 was read: the import started again without it.
    assert not Product.select().where(Product.sku == "S001").exists()
    assert Product.select().where(Product.sku.startswith("S")).count() == 29


def test_progress_is_one_pass_unless_a_key_repeats(shop, write):
    steps = []
    run_import("products", write("p.csv", products(10)), progress=lambda *step: steps.append(step))
    assert steps == [("written", 4, None), ("written", 8, None), ("written", 10, None)]
    steps.clear()
    run_import("products", write("q.csv", products(10, "S001,Again,\n")), dry_run=True,
               progress=lambda *step: steps.append(step))
    assert steps == [("planned", 4, None), ("planned", 8, None), ("checked", 4, None), ("checked", 8, None), ("checked", 11, None),
                     ("planned", 4, 11), ("planned", 8, 11), ("planned", 11, 11)]


def test_a_file_written_to_during_the_import_is_refused_and_nothing_is_written(shop, write):
    before = table_counts()
    path = write("p.csv", products(10))

    def append(*_step):
        with path.open("a", encoding="utf-8") as more:
            more.write("S900,Appended,\n")

    with pytest.raises(importer.reading.ImportFileError, match="changed while it was being imported"):
        run_import("products", path, progress=append)
    assert table_counts() == before


def test_the_report_keeps_a_bounded_number_of_rows_and_counts_the_rest(shop, write, monkeypatch):
    monkeypatch.setattr(report, "SHOWN", 5)
    text = "sku,name\n" + "".join(f"B{i},\n" for i in range(12)) + "".join(f"G{i},Good\n" for i in range(9))
    result = run_import("products", write("p.csv", text), skip_bad=True)
    assert result.rejected_count == 12 and len(result.rejected) == 5
    assert result.created == 9 and len(result.changes) == 5
    data = result.as_dict()
    assert data["rejected_not_shown"] == 7 and data["changes_not_shown"] == 4


def test_many_copies_of_one_key_name_a_few_lines_and_count_the_rest(shop, write):
    text = "sku,name\n" + "".join(f"D1,Copy {i}\n" for i in range(20))
    result = run_import("products", write("p.csv", text))
    assert result.rejected[0].reason == "duplicate SKU D1 (also on line 3, 4, 5, 6, 7 and 14 more)"


def test_an_unclosed_quote_in_the_last_chunk_refuses_the_file_and_writes_nothing(shop, write):
    before = table_counts()
    with pytest.raises(importer.reading.ImportFileError) as caught:
        run_import("products", write("p.csv", products(30, 'S100,"never closed\nS101,x\n')))
    assert caught.value.line == 32
    assert table_counts() == before
