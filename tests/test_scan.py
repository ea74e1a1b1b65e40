"""Scan interpretation: shared samples plus cases built here from the GS1 rules.

Check digits are computed by this file's own mod-10 (not biip's), so a bug shared by biip and
models.scan cannot hide.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.scan import Scan, ScanError, VariableMeasureRule, interpret, is_valid_gtin

SAMPLES_PATH = Path(__file__).resolve().parents[2] / "shared" / "samples" / "barcodes.json"
GS = "\x1d"


def mod10(body: str) -> str:
    """GS1 check digit: weights 3,1,3,... from the rightmost digit of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def with_check(body: str) -> str:
    return body + mod10(body)


def wrong_check(body: str) -> str:
    return body + str((int(mod10(body)) + 1) % 10)


# GS1 General Specifications 7.9.2: weighted products for price/weight check digits.
def _two_minus(d: int) -> int:
    p = 2 * d
    return (p % 10 - p // 10) % 10


def _three(d: int) -> int:
    return (3 * d) % 10


def _five_plus(d: int) -> int:
    p = 5 * d
    return (p % 10 + p // 10) % 10


def _five_minus(d: int) -> int:
    p = 5 * d
    return (p % 10 - p // 10) % 10


def price_check(value: str) -> str:
    digits = [int(c) for c in value]
    if len(digits) == 4:
        weights = (_two_minus, _two_minus, _three, _five_minus)
        return str(sum(w(d) for w, d in zip(weights, digits, strict=True)) * 3 % 10)
    weights = (_five_plus, _two_minus, _five_minus, _five_plus, _two_minus)
    target = (10 - sum(w(d) for w, d in zip(weights, digits, strict=True)) % 10) % 10
    return str(next(d for d in range(10) if _five_minus(d) == target))


def test_own_check_digit_helpers_match_published_examples() -> None:
    assert with_check("400638133393") == "4006381333931"
    assert with_check("9638507") == "96385074"
    # The worked examples of GS1 General Specifications 7.9.3 / 7.9.4.
    assert price_check("2875") == "9"
    assert price_check("14685") == "6"


# --- shared samples -----------------------------------------------------------------------------


def _samples() -> dict:
    if not SAMPLES_PATH.exists():
        pytest.skip(f"shared samples not found at {SAMPLES_PATH}")
    return json.loads(SAMPLES_PATH.read_text(encoding="utf-8"))


def test_shared_valid_gtins_read_as_14_digits() -> None:
    samples = _samples()
    codes = [code for group in samples["valid"].values() for code in group]
    assert codes
    for code in codes:
        scan = interpret(code)
        assert scan.kind == "gtin", code
        assert scan.gtin == code.zfill(14)
        assert len(scan.gtin) == 14


def test_shared_bad_check_digits_are_refused() -> None:
    for code in _samples()["bad_check_digit"]:
        with pytest.raises(ScanError, match=f"Check digit wrong in {code}"):
            interpret(code)


def test_shared_gs1_element_strings() -> None:
    for case in _samples()["gs1_element_strings"]:
        scan = interpret(case["scan"])
        assert scan.kind == "gs1"
        assert scan.gtin == case["gtin"]
        assert scan.lot == case.get("lot")
        assert scan.serial == case.get("serial")
        if "expiry" in case:
            assert scan.expiry == dt.date.fromisoformat(case["expiry"])
        if "net_weight_kg" in case:
            assert scan.net_weight == Decimal(case["net_weight_kg"])


# --- GTINs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["400638133393", "9638507", "03600029145", "1061414100041"])
def test_bare_gtin_is_a_gtin_before_gs1(body: str) -> None:
    # 96385074 would parse as AI 96, 4006381333931 as AI 400 if GS1 went first.
    code = with_check(body)
    scan = interpret(code)
    assert scan.kind == "gtin"
    assert scan.gtin == code.zfill(14)
    assert scan.elements == ()


def test_bad_check_digit_message_tells_the_clerk_what_to_do() -> None:
    with pytest.raises(ScanError) as info:
        interpret("4006381333932")
    assert str(info.value) == "Check digit wrong in 4006381333932: rescan or type the code again"
    assert isinstance(info.value, ValueError)


def test_scanner_suffix_and_blanks_are_ignored() -> None:
    assert interpret(" 4006381333931\r\n").gtin == "04006381333931"


@pytest.mark.parametrize("text", ["", "   ", "\r\n"])
def test_empty_is_refused(text: str) -> None:
    with pytest.raises(ScanError, match="Nothing scanned"):
        interpret(text)


def test_upc_e_expands_to_upc_a() -> None:
    # Published pair: UPC-E 04252614 <-> UPC-A 042100005264; its EAN-8 check digit would be 0.
    assert mod10("0425261") != "4"
    scan = interpret("04252614")
    assert scan.kind == "gtin"
    assert scan.gtin == "00042100005264"


@pytest.mark.parametrize(
    ("upc_e6", "upc_a10"),
    [
        ("123450", "1200000345"),  # last digit 0-2: manufacturer xx d6 00, product 00 ddd
        ("123453", "1230000045"),  # 3: manufacturer xxx00, product 000dd
        ("123454", "1234000005"),  # 4: manufacturer xxxx0, product 0000d
        ("123457", "1234500007"),  # 5-9: manufacturer xxxxx, product 0000d
        ("654329", "6543200009"),
    ],
)
def test_upc_e_patterns(upc_e6: str, upc_a10: str) -> None:
    upc_a = with_check("0" + upc_a10)
    upc_e = "0" + upc_e6 + upc_a[-1]
    assert interpret("]E0" + upc_e).gtin == upc_a.zfill(14)
    if mod10(upc_e[:7]) == upc_e[-1]:
        # Also a valid EAN-8: EAN-8 wins without a symbology (documented precedence).
        assert interpret(upc_e).gtin == upc_e.zfill(14)
    else:
        assert interpret(upc_e).gtin == upc_a.zfill(14)


def test_upc_e_ending_5_to_9_is_always_a_valid_ean8_too() -> None:
    # Same weights land on the same digits, so only the AIM prefix can tell these apart.
    for upc_e6 in ("123457", "654329", "000015", "999999"):
        upc_a = with_check("0" + upc_e6[:5] + "0000" + upc_e6[5])
        assert mod10("0" + upc_e6) == upc_a[-1]


def test_ean8_wins_over_upc_e_unless_the_symbology_says_upc() -> None:
    # 01234565 is a valid EAN-8 and a valid UPC-E (-> 012345000065).
    assert mod10("0123456") == "5"
    assert with_check("01234500006") == "012345000065"
    assert interpret("01234565").gtin == "00000001234565"
    assert interpret("]E001234565").gtin == "00012345000065"  # ]E0: EAN-13/UPC family
    assert interpret("]E401234565").gtin == "00000001234565"  # ]E4: EAN-8


def test_eight_digits_valid_as_neither_are_refused() -> None:
    code = wrong_check("9638507")  # starts with 9: cannot be UPC-E
    with pytest.raises(ScanError, match="Check digit wrong"):
        interpret(code)


def test_aim_prefix_is_stripped_and_kept() -> None:
    scan = interpret("]E04006381333931")
    assert (scan.kind, scan.gtin, scan.symbology, scan.data) == (
        "gtin",
        "04006381333931",
        "]E0",
        "4006381333931",
    )
    with pytest.raises(ScanError):
        interpret("]E04006381333932")


def test_plain_code128_digits_with_wrong_check_are_text() -> None:
    # ]C0 never claimed to be a GTIN: an internal number is not refused, just not a GTIN.
    scan = interpret("]C04006381333932")
    assert (scan.kind, scan.data, scan.gtin) == ("text", "4006381333932", None)
    assert interpret("]C04006381333931").gtin == "04006381333931"


# --- quantity prefix ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "quantity"), [("3*", Decimal(3)), ("1.5*", Decimal("1.5")), ("1,5*", Decimal("1.5"))]
)
def test_quantity_prefix(prefix: str, quantity: Decimal) -> None:
    scan = interpret(prefix + "4006381333931")
    assert scan.quantity_prefix == quantity
    assert scan.gtin == "04006381333931"
    assert scan.raw == prefix + "4006381333931"


def test_quantity_prefix_with_aim_and_text() -> None:
    assert interpret("2*]E04006381333931").quantity_prefix == 2
    scan = interpret("4*S-T01-000123")
    assert (scan.kind, scan.data, scan.quantity_prefix) == ("text", "S-T01-000123", 4)


@pytest.mark.parametrize("prefix", ["0*", "-1*", "0.0*", "0,00*", "-2.5*"])
def test_zero_or_negative_quantity_is_refused(prefix: str) -> None:
    with pytest.raises(ScanError, match="more than 0"):
        interpret(prefix + "4006381333931")


def test_quantity_without_code_is_refused() -> None:
    with pytest.raises(ScanError, match="no code"):
        interpret("3*")


def test_quantity_prefix_does_not_hide_a_bad_check_digit() -> None:
    with pytest.raises(ScanError, match="4006381333932"):
        interpret("3*4006381333932")


# --- GS1 element strings ------------------------------------------------------------------------

GTIN = with_check("0950110153000")  # 14 digits


def test_gs1_with_gs_keeps_fields_apart() -> None:
    scan = interpret(f"]C101{GTIN}10LOT42{GS}17271231{GS}21S/N-7")
    assert scan.lot == "LOT42"
    assert scan.expiry == dt.date(2027, 12, 31)
    assert scan.serial == "S/N-7"
    assert scan.symbology == "]C1"


def test_without_gs_the_lot_swallows_the_rest() -> None:
    # Why the scan input must keep GS: the same data without it is a different (valid) reading.
    scan = interpret(f"]C101{GTIN}10LOT4217271231")
    assert scan.lot == "LOT4217271231"
    assert scan.expiry is None


@pytest.mark.parametrize("standin", ["|", "<GS>", "~~"])
def test_fnc1_standin(standin: str) -> None:
    scan = interpret(f"01{GTIN}10LOT42{standin}17271231", fnc1_standin=standin)
    assert (scan.gtin, scan.lot, scan.expiry) == (GTIN, "LOT42", dt.date(2027, 12, 31))


@pytest.mark.parametrize(
    ("yymm", "year", "month"), [("2802", 2028, 2), ("2702", 2027, 2), ("2704", 2027, 4), ("3012", 2030, 12)]
)
def test_expiry_day_00_is_last_day_of_month(yymm: str, year: int, month: int) -> None:
    scan = interpret(f"01{GTIN}17{yymm}00")
    assert scan.expiry == dt.date(year, month, calendar.monthrange(year, month)[1])


def test_impossible_expiry_is_refused() -> None:
    with pytest.raises(ScanError, match="not a real date"):
        interpret(f"01{GTIN}17281341")


@pytest.mark.parametrize(("ai", "digits", "kg"), [("3103", "001250", "1.250"), ("3102", "000125", "1.25")])
def test_net_weight(ai: str, digits: str, kg: str) -> None:
    assert interpret(f"]d201{GTIN}{ai}{digits}").net_weight == Decimal(kg)


def test_count_with_contained_gtin() -> None:
    inner = with_check("0400638133393")
    scan = interpret(f"]C100{with_check('03012345600000001')}02{inner}37120")
    assert scan.gtin == inner
    assert scan.count == 120
    assert scan.sscc == with_check("03012345600000001")


def test_databar_and_qr_symbologies_are_gs1() -> None:
    assert interpret(f"]e001{GTIN}3712").count == 12
    assert interpret(f"]Q301{GTIN}10AB").lot == "AB"


def test_gs1_with_bad_gtin_check_digit_is_refused() -> None:
    bad = wrong_check(GTIN[:-1])
    for text in (f"]C101{bad}10LOT", f"01{bad}{GS}10LOT", f"(01){bad}(10)LOT", f"01{bad}"):
        with pytest.raises(ScanError, match=f"Check digit wrong in GTIN {bad}"):
            interpret(text)


def test_unreadable_gs1_is_refused_when_the_symbology_says_gs1() -> None:
    with pytest.raises(ScanError, match="Cannot read GS1 data"):
        interpret("]C1garbage")


def test_bracketed_hri() -> None:
    scan = interpret(f"(01){GTIN}(17)280615(10)ABC(21)X1")
    assert (scan.kind, scan.gtin, scan.expiry, scan.lot, scan.serial) == (
        "gs1",
        GTIN,
        dt.date(2028, 6, 15),
        "ABC",
        "X1",
    )


def test_gs1_elements_are_all_kept() -> None:
    scan = interpret(f"01{GTIN}10L1{GS}400PO-77")
    assert ("400", "PO-77") in scan.elements


# --- variable measure ---------------------------------------------------------------------------

PRICE_RULE = VariableMeasureRule(
    prefixes=("20", "22"), item_digits=5, value_digits=5, value_kind="price", decimals=2
)
WEIGHT_RULE = VariableMeasureRule(
    prefixes="28", item_digits=5, value_digits=5, value_kind="weight", decimals=3
)
PCD_RULE = VariableMeasureRule(
    prefixes=("21",), item_digits=4, value_digits=5, value_kind="price", decimals=2, price_check_digit=True
)
RULES = [PRICE_RULE, WEIGHT_RULE, PCD_RULE]


def test_variable_measure_price() -> None:
    code = with_check("20" + "12345" + "01234")
    scan = interpret(code, variable_measure=RULES)
    assert (scan.kind, scan.item_code, scan.price, scan.weight) == (
        "variable_measure",
        "12345",
        Decimal("12.34"),
        None,
    )
    assert interpret(with_check("22" + "00042" + "00099"), variable_measure=RULES).price == Decimal("0.99")


def test_variable_measure_weight() -> None:
    scan = interpret(with_check("28" + "00777" + "01250"), variable_measure=RULES)
    assert (scan.item_code, scan.weight, scan.price) == ("00777", Decimal("1.250"), None)


def test_variable_measure_price_check_digit() -> None:
    value = "14685"
    good = with_check("21" + "0042" + price_check(value) + value)
    assert interpret(good, variable_measure=RULES).price == Decimal("146.85")
    bad_pcd = str((int(price_check(value)) + 1) % 10)
    with pytest.raises(ScanError, match="Price check digit wrong"):
        interpret(with_check("21" + "0042" + bad_pcd + value), variable_measure=RULES)


def test_variable_measure_checks_the_ean13_check_digit_first() -> None:
    with pytest.raises(ScanError, match="Check digit wrong"):
        interpret(wrong_check("20" + "12345" + "01234"), variable_measure=RULES)


def test_upc_a_variable_measure_uses_prefix_02() -> None:
    rule = VariableMeasureRule(prefixes="02", item_digits=5, value_digits=5, value_kind="price")
    code = with_check("2" + "12345" + "00499")  # 12-digit UPC-A, number system 2
    scan = interpret(code, variable_measure=[rule])
    assert (scan.item_code, scan.price) == ("12345", Decimal("4.99"))


def test_prefix_without_rule_is_a_plain_gtin() -> None:
    code = with_check("29" + "1234501234")
    assert interpret(code, variable_measure=RULES).kind == "gtin"
    assert interpret(with_check("20" + "12345" + "01234")).kind == "gtin"  # no table configured


@pytest.mark.parametrize(
    "kwargs",
    [
        {"prefixes": "20", "item_digits": 5, "value_digits": 4, "value_kind": "price"},  # 12 digits
        {"prefixes": "20", "item_digits": 5, "value_digits": 5, "value_kind": "volume"},
        {"prefixes": "2x", "item_digits": 5, "value_digits": 5, "value_kind": "price"},
        {
            "prefixes": "20",
            "item_digits": 3,
            "value_digits": 6,
            "value_kind": "price",
            "price_check_digit": True,
        },
    ],
)
def test_bad_rules_are_rejected_at_configuration(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        VariableMeasureRule(**kwargs)


# --- text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["S-T01-000123", "U:ANNA", "12345", "10ABC", "SKU-0042", "]XYZ", "https://example.com/x"]
)
def test_other_text_is_text(text: str) -> None:
    scan = interpret(text)
    assert scan.kind == "text"
    assert scan.gtin is None
    assert scan.raw == text


def test_scan_is_frozen() -> None:
    scan = interpret("4006381333931")
    assert isinstance(scan, Scan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scan.gtin = "0"  # type: ignore[misc]


def test_is_valid_gtin() -> None:
    assert is_valid_gtin("4006381333931")
    assert not is_valid_gtin("4006381333932")
    assert not is_valid_gtin("400638133393")  # 12 digits, wrong check
    assert not is_valid_gtin("40063813339x")


# --- properties ---------------------------------------------------------------------------------

bodies12 = st.text(alphabet="0123456789", min_size=12, max_size=12)


@given(bodies12)
def test_any_12_digit_body_with_its_check_digit_is_that_gtin(body: str) -> None:
    code = with_check(body)
    scan = interpret(code)
    assert scan.kind == "gtin"
    assert scan.gtin == code.zfill(14)


@given(bodies12, st.integers(min_value=1, max_value=9))
def test_any_other_last_digit_is_refused(body: str, offset: int) -> None:
    code = body + str((int(mod10(body)) + offset) % 10)
    with pytest.raises(ScanError, match="Check digit wrong"):
        interpret(code)


@given(st.sampled_from([11, 13]).flatmap(lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)))
def test_upc_a_and_gtin14_bodies_round_trip(body: str) -> None:
    assert interpret(with_check(body)).gtin == with_check(body).zfill(14)
