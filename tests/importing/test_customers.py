"""Customers from a GB18030 export with Chinese headers: upsert by code."""

from __future__ import annotations

from models.importing import IMPORTED, REFUSED, run_import
from models.people import Customer

from .conftest import table_counts

GOOD = (
    "客户编码,姓名,邮箱,手机,等级\n"
    "C001,张伟,zhang@example.cn, 138 0013 8000 ,VIP\n"
    "C002,李娜,,,\n"
    "C003,𠀾 Ltd,,,\n"  # outside GBK: only GB18030 has it
)


def test_gb18030_customers_with_chinese_headers(shop, write):
    report = run_import("customers", write("customers.csv", GOOD, encoding="gb18030"))
    assert report.status == IMPORTED and report.encoding == "gb18030" and report.created == 3
    zhang = Customer.get(Customer.code == "C001")
    assert (zhang.name, zhang.email, zhang.phone, zhang.segment) == (
        "张伟", "zhang@example.cn", "138 0013 8000", "VIP")
    assert Customer.get(Customer.code == "C003").name == "𠀾 Ltd"


def test_reimport_unchanged_and_update_only_what_differs(shop, write):
    path = write("customers.csv", GOOD, encoding="gb18030")
    run_import("customers", path)
    before = table_counts()
    assert run_import("customers", path).unchanged == 3
    assert table_counts() == before
    report = run_import("customers", write("upd.csv", "code,name,segment\nC002,李娜,Gold\n"))
    assert report.updated == 1 and report.changes[0].fields == {"segment": ("", "Gold")}
    assert Customer.get(Customer.code == "C001").segment == "VIP"


def test_bad_customers(shop, write):
    bad = (
        "code,name,email,phone\n"           # 1
        "C001,Zhang,zhang@example.cn,\n"    # 2
        "C002,Li,,1.38001E+10\n"            # 3
        "C003,Wang,not-an-email,\n"         # 4
        "C001,Zhang Wei,,\n"                # 5
        ",Nobody,,\n"                       # 6
    )
    before = table_counts()
    report = run_import("customers", write("bad.csv", bad))
    assert report.status == REFUSED
    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "duplicate customer code C001 (also on line 5)"),
        (3, "phone '1.38001E+10' was turned into a number by a spreadsheet (digits are lost): format the "
            "column as text in the old system's export and export again"),
        (4, "email 'not-an-email' is not an e-mail address"),
        (5, "duplicate customer code C001 (also on line 2)"),
        (6, "code is empty"),
    ]
    assert table_counts() == before
