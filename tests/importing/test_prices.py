"""Prices: decimal commas with `;`, bad amounts and currencies, idempotent by product+amount+currency+start."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.catalog import Price, Product, current_price
from models.importing import IMPORTED, REFUSED, run_import
from models.money import Money

from .conftest import table_counts

GOOD = (
    "SKU;Price;Currency;Valid From\n"
    "P1;2,50;EUR;\n"                   # already P1's current price: unchanged
    "P2; 1.234,50 ;eur;2025-01-01\n"   # thousands dot, decimal comma, lower-case currency
    "P1;3,10;EUR;01.06.2030\n"         # a future price, day-first date
)


def test_semicolon_file_with_decimal_commas(shop, write):
    report = run_import("prices", write("prices.csv", GOOD, encoding="utf-8-sig"))
    assert report.status == IMPORTED and report.delimiter == ";"
    assert (report.created, report.updated, report.unchanged) == (2, 0, 1)
    p2 = Product.get(Product.sku == "P2")
    assert current_price(p2) == Money(Decimal("1234.50"), "EUR")
    future = Price.get((Price.product == Product.get(Product.sku == "P1")) & (Price.amount == Decimal("3.10")))
    assert future.valid_from == dt.datetime(2030, 6, 1)


def test_reimport_is_a_no_op(shop, write):
    path = write("prices.csv", GOOD)
    run_import("prices", path)
    before = table_counts()
    again = run_import("prices", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert table_counts() == before


def test_same_start_new_amount_updates_that_price(shop, write):
    run_import("prices", write("a.csv", "sku,price,currency,valid_from\nP2,5.00,EUR,2025-01-01\n"))
    report = run_import("prices", write("b.csv", "sku,price,currency,valid_from\nP2,5.50,EUR,2025-01-01\n"))
    assert report.updated == 1 and report.changes[0].fields == {"price": (Decimal("5.00"), Decimal("5.50"))}
    assert Price.select().where(Price.valid_from == dt.datetime(2025, 1, 1)).count() == 1


def test_currency_defaults_to_the_local_location(shop, write):
    report = run_import("prices", write("p.csv", "sku,price\nP2,4.20\n"))
    assert report.created == 1
    assert current_price(Product.get(Product.sku == "P2")) == Money(Decimal("4.20"), "EUR")
    assert run_import("prices", write("p.csv", "sku,price\nP2,4.20\n")).unchanged == 1


BAD = (
    "sku;price;currency;valid_from\n"    # 1
    "P1;-1,00;EUR;\n"                    # 2
    "P2;abc;EUR;\n"                      # 3
    "P9;1,00;EUR;\n"                     # 4
    "P1;1,00;EUROS;\n"                   # 5
    "P2;1,00001;EUR;\n"                  # 6
    "P2;;EUR;\n"                         # 7
    "P2;1,00;EUR;03/04/2025\n"           # 8
    "P2;9,99;RMB;\n"                     # 9 good: RMB is the yuan
)


def test_bad_prices_are_reported_and_nothing_written(shop, write):
    before = table_counts()
    report = run_import("prices", write("bad.csv", BAD))
    assert report.status == REFUSED
    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "price '-1,00' is negative"),
        (3, "price 'abc' is not a number (write it like 12.50)"),
        (4, "unknown SKU P9 (import products first)"),
        (5, "currency 'EUROS' is not an ISO 4217 code such as EUR or CNY"),
        (6, "price '1,00001' has more than 4 decimals"),
        (7, "price is empty"),
        (8, "valid_from '03/04/2025' is not a date; write it as YYYY-MM-DD (or YYYY-MM-DD HH:MM)"),
    ]
    assert table_counts() == before


def test_skip_bad_keeps_the_good_price(shop, write):
    path = write("bad.csv", BAD)
    report = run_import("prices", path, skip_bad=True)
    assert report.created == 1 and len(report.rejected) == 7
    assert Price.get(Price.currency == "CNY").amount == Decimal("9.99")
    assert path.with_name("bad.rejected.csv").read_bytes().decode("utf-8-sig").startswith(
        "sku;price;currency;valid_from;reason\r\nP1;-1,00;EUR;;line 2: price '-1,00' is negative\r\n")
