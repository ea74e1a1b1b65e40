"""Barcode validation happens before rendering: python-barcode would silently fix a check digit."""

from __future__ import annotations

from datetime import date

import pytest

from printing.barcodes import Barcode, Symbology, linear_modules
from printing.errors import InvalidBarcode
from tests.printing.conftest import BAD_CHECK_DIGIT, VALID


@pytest.mark.parametrize("code", VALID["ean13"] + VALID["ean8"] + VALID["upca"])
def test_valid_gtins_are_accepted_and_encode_unchanged(code):
    barcode = Barcode.gtin(code)
    assert barcode.data == code
    assert len(linear_modules(barcode)) == {13: 95, 8: 67, 12: 95}[len(code)]


@pytest.mark.parametrize("code", BAD_CHECK_DIGIT)
def test_wrong_check_digit_is_refused_not_fixed(code):
    with pytest.raises(InvalidBarcode, match="check digit"):
        Barcode.gtin(code)


def test_code128_refuses_non_ascii():
    with pytest.raises(InvalidBarcode, match="printable ASCII"):
        Barcode.code128("S-T01-00012é")
    with pytest.raises(InvalidBarcode):
        Barcode.code128("订单123")


def test_gs1_element_string_puts_fnc1_only_after_variable_length_fields():
    barcode = Barcode.gs1("09501101530003", lot="LOT42", expiry=date(2027, 12, 31))
    assert barcode.data == "(01)09501101530003(10)LOT42(17)271231"
    # The sample scan from the shared samples, without its AIM prefix.
    assert barcode.element_string() == "010950110153000310LOT42\x1d17271231"
    last_variable = Barcode.gs1("09501101530003", expiry=date(2028, 6, 15), serial="SN0001")
    assert "\x1d" not in last_variable.element_string()


def test_gs1_refuses_bad_gtin_and_bad_date():
    with pytest.raises(InvalidBarcode, match="check digit"):
        Barcode.gs1("09501101530004", lot="X")
    with pytest.raises(InvalidBarcode):
        Barcode(Symbology.GS1_128, "(01)09501101530003(17)271301")  # month 13


def test_tracked_label_exposes_lot_and_expiry_day_00_as_month_end(tracked_label):
    assert tracked_label.lot == "LOT42"
    assert tracked_label.expiry == date(2027, 12, 31)
    label = Barcode(Symbology.GS1_128, "(01)09501101530003(17)280200")
    from printing.documents import LabelSize, Money, ProductLabel

    doc = ProductLabel("x", Money.of("1", "EUR"), label, size=LabelSize(60, 40))
    assert doc.expiry == date(2028, 2, 29)
