"""Products from messy exports: checked row by row, upserted by SKU, idempotent."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from models.catalog import Barcode, Product, find_by_code
from models.importing import IMPORTED, REFUSED, ImportFileError, run_import
from tests.factories import ean13

from .conftest import table_counts

E1, E2, E3 = ean13("690123456789"), ean13("590123412345"), ean13("123456789012")

MESSY = (
    "\ufeffSKU , Name ,Name ZH, Category,Barcode,Pack Barcode,Pack Qty,Weight Priced,Tax Rate,Legacy Id\n"
    f'A1,"Tea, green 100g",绿茶,Tea,{E1}| {E2} ,{E3},12,no,13%,77\n'
    ' A2 ,"Rice ""Jasmine"" 5kg" , 茉莉香米 ,"Rice\nand grains",,,,,,78\n'
    "A3,Apples,苹果,Fruit,,,,yes,,79\n"
)


def rejected(report) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in report.rejected]


def test_bom_excel_quoting_and_stray_spaces_import_cleanly(shop, write):
    path = write("products.csv", MESSY, newline="\r\n")
    report = run_import("products", path)
    assert report.status == IMPORTED and report.rejected == []
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.ignored_columns == ["Legacy Id"]
    tea = Product.get(Product.sku == "A1")
    assert (tea.name, tea.name_zh, tea.category, tea.tax_rate) == ("Tea, green 100g", "绿茶", "Tea", Decimal(13))
    assert find_by_code(E2) == (tea, Decimal(1))
    assert find_by_code(E3) == (tea, Decimal(12))
    rice = Product.get(Product.sku == "A2")
    assert rice.name == 'Rice "Jasmine" 5kg' and rice.name_zh == "茉莉香米"
    assert rice.category == "Rice\r\nand grains"
    assert Product.get(Product.sku == "A3").weight_priced is True


def test_reimport_changes_nothing(shop, write):
    path = write("products.csv", MESSY)
    run_import("products", path)
    before = table_counts()
    stamps = {p.sku: p.updated_at for p in Product.select()}
    again = run_import("products", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert table_counts() == before
    assert {p.sku: p.updated_at for p in Product.select()} == stamps


def test_update_touches_only_given_columns_and_never_drops_barcodes(shop, write):
    run_import("products", write("products.csv", MESSY))
    report = run_import("products", write("update.csv", f"sku,name,category,barcode\nA1,Tea green,Tea,{E1}\n"))
    assert (report.created, report.updated) == (0, 1)
    assert report.changes[0].fields == {"name": ("Tea, green 100g", "Tea green")}
    tea = Product.get(Product.sku == "A1")
    assert tea.name_zh == "绿茶" and tea.tax_rate == Decimal(13)
    assert Barcode.select().where(Barcode.product == tea).count() == 3


BAD = (
    "sku,name,barcode,tax_rate,unit_precision\n"          # 1
    f"B1,Good one,{E1},,\n"                               # 2 duplicate of line 8
    f"B2,Bad check,{E1[:-1]}3,,\n"                        # 3
    'B3,"Multi\nline name",,,\n'                          # 4-5 good
    "B4,,,,\n"                                            # 6
    "B5,Tax,,abc,\n"                                      # 7
    "B1,Again,,,\n"                                       # 8
    "B6,Excel,6.90123E+12,,\n"                            # 9
    "B7,Precision,,,7\n"                                  # 10
    "B8,Taken,4006381333931,,\n"                          # 11 P1's barcode
    f"B9,Short,{E1[1:]},150,\n"                           # 12
)

BAD_REASONS = [
    (2, "duplicate SKU B1 (also on line 8)"),
    (3, f"barcode {E1[:-1]}3 has a wrong check digit (mistyped or cut off?)"),
    (6, "name is empty"),
    (7, "tax_rate 'abc' is not a number (write it like 12.50)"),
    (8, "duplicate SKU B1 (also on line 2)"),
    (9, "barcode '6.90123E+12' was turned into a number by a spreadsheet (digits are lost): format the "
        "column as text in the old system's export and export again"),
    (10, "unit_precision '7' must be a whole number from 0 to 3"),
    (11, "barcode 4006381333931 already belongs to SKU P1"),
    (12, f"barcode {E1[1:]} has 12 digits; an EAN/UPC has 8, 12, 13 or 14"),
]


def test_bad_rows_are_reported_by_physical_line_and_nothing_is_written(shop, write):
    before = table_counts()
    path = write("bad.csv", BAD)
    report = run_import("products", path)
    assert report.status == REFUSED
    assert rejected(report)[:8] == BAD_REASONS[:8]
    # line 12: 12 digits is a UPC-A length, so the check digit catches it; and the tax rate is out of range
    assert report.rejected[8].line == 12
    assert report.rejected[8].reasons[0].startswith("tax_rate '150' must be a percentage")
    assert "check digit" in report.rejected[8].reasons[1]
    assert report.created == 1  # what the good row would have done
    assert table_counts() == before
    assert not path.with_name("bad.rejected.csv").exists()


def test_skip_bad_imports_good_rows_and_writes_the_rejected_file(shop, write):
    path = write("bad.csv", BAD)
    report = run_import("products", path, skip_bad=True)
    assert report.status == IMPORTED
    assert [r.line for r in report.rejected] == [2, 3, 6, 7, 8, 9, 10, 11, 12]
    assert Product.get(Product.sku == "B3").name == "Multi\nline name"
    assert not Product.select().where(Product.sku.in_(["B1", "B2", "B4", "B5"])).exists()
    out = path.with_name("bad.rejected.csv")
    assert report.rejected_path == str(out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["sku", "name", "barcode", "tax_rate", "unit_precision", "reason"]
    assert rows[2] == ["B2", "Bad check", f"{E1[:-1]}3", "", "",
                       f"line 3: barcode {E1[:-1]}3 has a wrong check digit (mistyped or cut off?)"]
    assert len(rows) == 10


def test_fixed_rejected_file_imports_and_its_reason_column_is_ignored(shop, write):
    path = write("bad.csv", BAD)
    run_import("products", path, skip_bad=True)
    fixed = path.with_name("bad.rejected.csv")
    text = fixed.read_text(encoding="utf-8-sig").replace(f"{E1[:-1]}3", E1[:-1] + E1[-1])
    lines = [ln for ln in text.splitlines() if ln.startswith(("sku", "B2"))]
    fixed.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    report = run_import("products", fixed)
    assert report.status == IMPORTED and report.ignored_columns == []
    assert find_by_code(E1)[0].sku == "B2"


def test_gbk_export_with_chinese_headers_and_names(shop, write):
    path = write("gbk.csv", "商品编码,品名,中文名称,条码\nG1,Green tea,绿茶,6901234567892\nG2,Oolong,乌龙茶,\n",
                 encoding="gbk")
    report = run_import("products", path)
    assert report.encoding == "gb18030" and report.created == 2
    assert Product.get(Product.sku == "G2").name_zh == "乌龙茶"


def test_missing_required_column_names_the_header_line(shop, write):
    path = write("nohdr.csv", "\nsku,title,barcode\nP1,Tea,\n")
    with pytest.raises(ImportFileError) as caught:
        run_import("products", path)
    assert caught.value.line == 2
    assert caught.value.reason.startswith("missing required column(s): name (or product_name, description,")
    assert "The header has: sku, title, barcode." in caught.value.reason


def test_two_columns_meaning_the_same_are_refused(shop, write):
    with pytest.raises(ImportFileError, match="'item' and 'SKU' both mean 'sku'"):
        run_import("products", write("two.csv", "item,name,SKU\n1,a,1\n"))


def test_too_many_values_in_a_row(shop, write):
    report = run_import("products", write("wide.csv", "sku,name\nW1,Tea, green\n"))
    assert rejected(report) == [(2, "3 values but the header has 2 columns (a value with a comma that is not "
                                    "in quotes?)")]


def test_dry_run_reports_and_writes_nothing(shop, write):
    before = table_counts()
    report = run_import("products", write("products.csv", MESSY), dry_run=True)
    assert report.status == "dry_run" and report.created == 3
    assert table_counts() == before


def test_an_import_tells_its_progress_and_a_dry_run_reports_new_products_in_full(shop, write):
    path = write("products.csv", MESSY, newline="\r\n")
    steps: list[tuple[str, int, int | None]] = []
    before = Product.select().count()
    dry = run_import("products", path, dry_run=True, progress=lambda *step: steps.append(step))
    assert steps == [("planned", 3, None)]
    assert Product.select().count() == before
    new = dry.as_dict()["changes"][0]
    assert new["action"] == "created" and new["fields"]["name"] == [None, "Tea, green 100g"]
    steps.clear()
    run_import("products", path, progress=lambda *step: steps.append(step))
    assert steps == [("written", 3, None)]
