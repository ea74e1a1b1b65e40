"""Interpret what a scanner (or a clerk) typed into the counter's scan field.

Pure domain code: no textual, no httpx, no database. ``interpret()`` turns the raw text into a
``Scan`` or raises ``ScanError`` with a message a clerk can act on.

Order of decisions (first match wins), and why:

1. Surrounding CR/LF/space/tab are dropped (a scanner suffix is not data). GS (0x1D) is kept:
   Python's ``str.strip()`` would eat it, so we never call it bare.
2. Optional quantity prefix ``3*``, ``1.5*`` or ``1,5*`` typed before the code. 0 or negative
   is refused.
3. The configured FNC1 stand-in (for wedges that cannot type GS) becomes ``\\x1d``.
4. An AIM symbology identifier (``]C1``, ``]E0``, ...) is read with biip and removed.
5. A bare 8/12/13/14-digit code is a GTIN first, because biip would also read many GTINs as GS1
   element strings (96385074 as AI 96, 4006381333931 as AI 400). A wrong check digit is refused,
   never guessed. For 8 digits, EAN-8 wins over UPC-E when both check digits validate. Beware:
   every UPC-E whose last digit is 5-9 is also a valid EAN-8 (the weights coincide), so shops
   selling UPC-E items should turn on AIM prefixes or UPC-E-to-UPC-A expansion in the scanner.
   An AIM ``]E0`` prefix (EAN-13/UPC family, never EAN-8) makes an 8-digit code UPC-E, ``]E4``
   makes it EAN-8. A 13-digit code (12-digit UPC-A padded to 13) whose prefix matches a shop
   ``VariableMeasureRule`` is a variable-measure label, after its EAN check digit passed.
   Under a non-GTIN symbology (e.g. ``]C0`` plain Code 128) digits with a wrong check digit are
   plain text, since such a symbol never claimed to be a GTIN.
6. GS1 element strings go through biip: certain when the symbology says GS1 (``]C1``, ``]d2``,
   ``]Q3``, ``]e0``...), when the text holds a GS separator, when it is bracketed HRI
   ``(01)...``, or when it starts with AI 01/02 and 14 digits. Any error inside is refused.
7. Anything else non-empty is ``text`` (SKU, receipt number, badge): the caller decides.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

import biip
from biip import ParseError
from biip.checksums import gs1_price_weight_check_digit, gs1_standard_check_digit
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message
from biip.symbology import GS1Symbology, SymbologyIdentifier

from .errors import DomainError

__all__ = ["Scan", "ScanError", "ScanKind", "VariableMeasureRule", "interpret", "is_valid_gtin"]

GS = "\x1d"
ScanKind = Literal["gtin", "gs1", "variable_measure", "text"]

# Only the scanner suffixes and stray blanks; GS (which str.isspace() counts as space) must stay.
_EDGE_CHARS = " \t\r\n"
_QUANTITY_RE = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*\*(.*)$", re.DOTALL)
_GTIN_LENGTHS = (8, 12, 13, 14)
_GS1_MESSAGE_SYMBOLOGIES = GS1Symbology.with_gs1_messages()
_GTIN_SYMBOLOGIES = GS1Symbology.with_gtin()


class ScanError(DomainError, ValueError):
    """A scan that must not be used. ``str(err)`` says what is wrong and what to do."""


@dataclass(frozen=True)
class VariableMeasureRule:
    """One shop layout for variable-measure EAN-13 labels (scales, deli, butcher).

    Layout of the 13 digits: ``prefix + item code + [price check digit] + value + EAN check``.
    ``prefixes`` are matched against the 13-digit form (a 12-digit UPC-A "2..." is "02...").
    """

    prefixes: tuple[str, ...]
    item_digits: int
    value_digits: int
    value_kind: Literal["price", "weight"]
    decimals: int = 2
    price_check_digit: bool = False

    def __post_init__(self) -> None:
        prefixes = (self.prefixes,) if isinstance(self.prefixes, str) else tuple(self.prefixes)
        object.__setattr__(self, "prefixes", prefixes)
        if not prefixes or any(not p.isdigit() for p in prefixes):
            raise ValueError(f"prefixes must be digit strings, got {self.prefixes!r}")
        if len({len(p) for p in prefixes}) != 1:
            raise ValueError("all prefixes of one rule must have the same length")
        if self.value_kind not in ("price", "weight"):
            raise ValueError(f"value_kind must be 'price' or 'weight', got {self.value_kind!r}")
        total = len(prefixes[0]) + self.item_digits + int(self.price_check_digit) + self.value_digits + 1
        if total != 13:
            raise ValueError(f"layout adds up to {total} digits, an EAN-13 has 13")
        if self.price_check_digit and self.value_digits not in (4, 5):
            raise ValueError("a price/weight check digit exists only for 4- or 5-digit values")
        if not 0 <= self.decimals <= self.value_digits:
            raise ValueError("decimals must be between 0 and value_digits")

    def matches(self, code13: str) -> bool:
        return code13.startswith(self.prefixes)


@dataclass(frozen=True)
class Scan:
    """What one scan means. Fields not carried by the code are None."""

    raw: str
    kind: ScanKind
    # The payload after quantity prefix, AIM prefix and FNC1 stand-in were handled: for 'text'
    # this is what to look up (SKU, receipt number, badge).
    data: str = ""
    gtin: str | None = None  # always 14 digits
    lot: str | None = None
    expiry: dt.date | None = None
    serial: str | None = None
    net_weight: Decimal | None = None  # kg, AI 310n
    count: int | None = None  # AI 37
    sscc: str | None = None  # AI 00
    price: Decimal | None = None  # variable measure
    weight: Decimal | None = None  # variable measure, kg
    item_code: str | None = None  # variable measure
    symbology: str | None = None  # AIM identifier as sent, e.g. "]C1"
    quantity_prefix: Decimal | None = None
    # Every GS1 AI read, for fields the counter does not model yet.
    elements: tuple[tuple[str, str], ...] = field(default=())


def is_valid_gtin(code: str) -> bool:
    """True for an 8/12/13/14-digit string whose GS1 check digit is right."""
    return (
        code.isascii()
        and code.isdigit()
        and len(code) in _GTIN_LENGTHS
        and gs1_standard_check_digit(code[:-1]) == int(code[-1])
    )


def interpret(
    text: str,
    *,
    fnc1_standin: str | None = None,
    variable_measure: Sequence[VariableMeasureRule] | None = None,
) -> Scan:
    """Read one scan or typed code. Raises ScanError when it must not be used."""
    raw = text
    body = text.strip(_EDGE_CHARS)
    if not body:
        raise ScanError("Nothing scanned: scan the barcode or type the code")

    quantity, body = _split_quantity(body)

    if fnc1_standin:
        body = body.replace(fnc1_standin, GS)

    symbology: SymbologyIdentifier | None = None
    if body.startswith("]"):
        try:
            symbology = SymbologyIdentifier.extract(body)
        except ParseError:
            symbology = None  # "]" that is not AIM: just text
    payload = body[len(symbology.value) :] if symbology else body
    sym_value = symbology.value if symbology else None
    gs1_sym = symbology.gs1_symbology if symbology else None
    if not payload:
        raise ScanError("Scanner sent only its prefix {prefix}: rescan the barcode", prefix=sym_value)

    common = {"raw": raw, "data": payload, "symbology": sym_value, "quantity_prefix": quantity}

    is_number = payload.isascii() and payload.isdigit()
    if is_number and len(payload) in _GTIN_LENGTHS and gs1_sym not in _GS1_MESSAGE_SYMBOLOGIES:
        # A non-GTIN symbology (plain Code 128, Code 39, QR...) may carry any number.
        strict = symbology is None or gs1_sym in _GTIN_SYMBOLOGIES
        scan = _read_digits(payload, sym_value, variable_measure or (), common, strict=strict)
        return scan if scan is not None else Scan(kind="text", **common)

    if payload.startswith("("):
        return _read_gs1_hri(payload, common)

    if gs1_sym in _GS1_MESSAGE_SYMBOLOGIES or GS in payload or re.match(r"0[12]\d{14}", payload):
        return _read_gs1(payload, common)

    if payload.startswith(("http://", "https://", "HTTP://", "HTTPS://")):
        scan = _read_digital_link(payload, common)
        if scan is not None:
            return scan

    return Scan(kind="text", **common)


# --- quantity prefix -----------------------------------------------------------------------------


def _split_quantity(body: str) -> tuple[Decimal | None, str]:
    match = _QUANTITY_RE.match(body)
    if match is None:
        return None, body
    number, rest = match.group(1), match.group(2).strip(_EDGE_CHARS)
    try:
        quantity = Decimal(number.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the regex only lets numbers through
        return None, body
    if quantity <= 0:
        raise ScanError("Quantity must be more than 0 (typed {number}): type e.g. 3* before the code", number=number)
    if not rest:
        raise ScanError("Quantity {number} typed but no code after '*': scan the item now", number=number)
    return quantity, rest


# --- GTIN, UPC-E, variable measure ---------------------------------------------------------------


def _check_ok(code: str) -> bool:
    return gs1_standard_check_digit(code[:-1]) == int(code[-1])


def _upc_e_to_upc_a(code: str) -> str | None:
    """Expand an 8-digit UPC-E (number system 0/1) to UPC-A, or None if it is not one."""
    if len(code) != 8 or code[0] not in "01":
        return None
    ns, d, check = code[0], code[1:7], code[7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    return ns + body + check


def _read_digits(
    code: str,
    sym_value: str | None,
    rules: Sequence[VariableMeasureRule],
    common: dict,
    *,
    strict: bool,
) -> Scan | None:
    """A bare GTIN-sized number. None means 'not a GTIN, treat as text' (only when not strict)."""
    if len(code) == 8:
        ean8_ok = _check_ok(code) and sym_value != "]E0"  # ]E0 never carries EAN-8
        if ean8_ok:
            return Scan(kind="gtin", gtin=code.zfill(14), **common)
        upc_a = _upc_e_to_upc_a(code) if sym_value != "]E4" else None  # ]E4 is EAN-8 only
        if upc_a is not None and _check_ok(upc_a):
            return Scan(kind="gtin", gtin=upc_a.zfill(14), **common)
    elif _check_ok(code):
        code13 = code.zfill(13) if len(code) <= 13 else None
        if code13 is not None:
            for rule in rules:
                if rule.matches(code13):
                    return _read_variable_measure(code13, rule, common)
        return Scan(kind="gtin", gtin=code.zfill(14), **common)
    if not strict:
        return None
    raise ScanError("Check digit wrong in {code}: rescan or type the code again", code=code)


def _read_variable_measure(code13: str, rule: VariableMeasureRule, common: dict) -> Scan:
    pos = len(rule.prefixes[0])
    item_code = code13[pos : pos + rule.item_digits]
    pos += rule.item_digits
    value_check = None
    if rule.price_check_digit:
        value_check = int(code13[pos])
        pos += 1
    value_digits = code13[pos : pos + rule.value_digits]
    if value_check is not None and gs1_price_weight_check_digit(value_digits) != value_check:
        if rule.value_kind == "price":
            raise ScanError("Price check digit wrong in {code}: rescan, or reprint the label on the scale", code=code13)
        raise ScanError("Weight check digit wrong in {code}: rescan, or reprint the label on the scale", code=code13)
    value = Decimal(int(value_digits)).scaleb(-rule.decimals)
    return Scan(
        kind="variable_measure",
        item_code=item_code,
        price=value if rule.value_kind == "price" else None,
        weight=value if rule.value_kind == "weight" else None,
        **common,
    )


# --- GS1 element strings ------------------------------------------------------------------------


def _read_gs1(payload: str, common: dict) -> Scan:
    # biip reads the element strings; a parse failure is a scan we must not guess at.
    result = biip.parse(payload)
    message = result.gs1_message
    if message is None:
        raise _gs1_problem(payload, result.gs1_message_error)
    return _scan_from_elements(message.element_strings, common)


def _read_gs1_hri(payload: str, common: dict) -> Scan:
    try:
        message = GS1Message.parse_hri(payload)
    except ParseError as exc:
        raise _gs1_problem(payload, str(exc)) from exc
    return _scan_from_elements(message.element_strings, common)


def _read_digital_link(payload: str, common: dict) -> Scan | None:
    result = biip.parse(payload)
    link = result.gs1_digital_link_uri
    if link is None:
        return None  # a URL that is no GS1 Digital Link is just text
    return _scan_from_elements(link.element_strings, common)


def _gs1_problem(payload: str, detail: str | None) -> ScanError:
    shown = payload.replace(GS, "<GS>")
    # AIs 11-17 are dates; biip reports a bad one either as a date error or a pattern mismatch.
    if detail and ("date" in detail or re.search(r"AI \(1[1-7]\)", detail)):
        return ScanError("Date in {data} is not a real date: rescan, or check the label", data=shown)
    return ScanError("Cannot read GS1 data {data}: rescan; if it keeps failing, check the scanner's "
                     "GS/FNC1 setting or type the product number", data=shown)


def _scan_from_elements(elements: Sequence[GS1ElementString], common: dict) -> Scan:
    gtin = contained_gtin = lot = serial = sscc = None
    expiry: dt.date | None = None
    net_weight: Decimal | None = None
    count: int | None = None
    for element in elements:
        ai, value = element.ai.ai, element.value
        if ai in ("01", "02"):
            if element.gtin is None:
                raise ScanError("Check digit wrong in GTIN {gtin} (AI {ai}): rescan or type the code again", gtin=value, ai=ai)
            if ai == "01":
                gtin = value.zfill(14)
            else:
                contained_gtin = value.zfill(14)
        elif ai == "00":
            if element.sscc is None:
                raise ScanError("Check digit wrong in SSCC {sscc}: rescan the pallet label", sscc=value)
            sscc = value
        elif ai == "10":
            lot = value
        elif ai == "21":
            serial = value
        elif ai == "17":
            expiry = element.date  # biip maps day 00 to the month's last day
        elif ai.startswith("310"):
            net_weight = element.decimal
        elif ai == "37":
            count = int(value)
    return Scan(
        kind="gs1",
        # AI 02 (GTIN of the contained items, with AI 37 their count) stands in when no AI 01.
        gtin=gtin or contained_gtin,
        lot=lot,
        expiry=expiry,
        serial=serial,
        net_weight=net_weight,
        count=count,
        sscc=sscc,
        elements=tuple((e.ai.ai, e.value) for e in elements),
        **common,
    )
