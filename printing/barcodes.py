"""Barcode values that are known to be encodable, and their module patterns.

A ``Barcode`` is validated when it is built, because python-barcode silently "fixes" a wrong
EAN check digit: a mistyped code would print as a different product. Renderers can therefore
trust every ``Barcode`` they receive.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_messages import GS1Message

from printing.errors import InvalidBarcode

#: What a GS1 element string uses between fields; renderers translate it to their own FNC1.
GS = "\x1d"


class Symbology(enum.StrEnum):
    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    CODE128 = "code128"
    GS1_128 = "gs1_128"
    QR = "qr"
    GS1_DATAMATRIX = "gs1_datamatrix"

    @property
    def is_linear(self) -> bool:
        return self not in (Symbology.QR, Symbology.GS1_DATAMATRIX)

    @property
    def is_gs1(self) -> bool:
        return self in (Symbology.GS1_128, Symbology.GS1_DATAMATRIX)


_GTIN_LENGTHS = {Symbology.EAN13: 13, Symbology.EAN8: 8, Symbology.UPCA: 12}


def gtin_check_digit_ok(digits: str) -> bool:
    return digits.isdigit() and gs1_standard_check_digit(digits[:-1]) == int(digits[-1])


@dataclass(frozen=True)
class Barcode:
    """A symbology and its data.

    ``data`` is the digits for EAN/UPC, printable ASCII for Code 128, any text for QR and the
    bracketed human-readable form ``(01)...(10)...`` for GS1 symbologies.
    """

    symbology: Symbology
    data: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbology", Symbology(self.symbology))
        _validate(self.symbology, self.data)

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def gtin(cls, code: str) -> Barcode:
        """EAN-13, EAN-8 or UPC-A chosen from the length; a 14-digit GTIN with a leading 0 is EAN-13."""
        code = code.strip()
        if len(code) == 14 and code.startswith("0"):
            code = code[1:]
        kinds = {13: Symbology.EAN13, 8: Symbology.EAN8, 12: Symbology.UPCA}
        if len(code) not in kinds:
            raise InvalidBarcode(f"{code!r} is not an 8, 12 or 13 digit GTIN")
        return cls(kinds[len(code)], code)

    @classmethod
    def code128(cls, text: str) -> Barcode:
        return cls(Symbology.CODE128, text)

    @classmethod
    def gs1(
        cls,
        gtin: str,
        *,
        lot: str | None = None,
        expiry: date | None = None,
        serial: str | None = None,
        symbology: Symbology = Symbology.GS1_128,
    ) -> Barcode:
        """GTIN + optional lot (10), expiry (17) and serial (21), in that order.

        The order follows the sample labels we scan (01, 10, 17): the lot is variable length,
        so the expiry after it needs an FNC1 separator, which every renderer must emit.
        """
        gtin14 = gtin.strip().rjust(14, "0")
        parts = [f"(01){gtin14}"]
        if lot is not None:
            parts.append(f"(10){lot}")
        if expiry is not None:
            parts.append(f"(17){expiry:%y%m%d}")
        if serial is not None:
            parts.append(f"(21){serial}")
        return cls(symbology, "".join(parts))

    # -- derived forms ------------------------------------------------------------------------
    @property
    def elements(self) -> tuple[tuple[str, str], ...]:
        """GS1 (AI, value) pairs in order; empty for non-GS1 symbologies."""
        if not self.symbology.is_gs1:
            return ()
        return _gs1_elements(self.data)

    def element_string(self, fnc1: str = GS) -> str:
        """GS1 element string without the leading FNC1, ``fnc1`` after variable-length fields."""
        out: list[str] = []
        elements = self.elements
        for i, (ai, value) in enumerate(elements):
            out.append(ai + value)
            if _separator_required(ai) and i < len(elements) - 1:
                out.append(fnc1)
        return "".join(out)

    @property
    def hri(self) -> str:
        """Human-readable text printed under the bars."""
        return self.data

    @property
    def payload(self) -> str:
        """What a scanner reports (zxing-cpp's HRI mode gives the bracketed form for GS1)."""
        return self.data


def _validate(symbology: Symbology, data: str) -> None:
    if not isinstance(data, str) or not data:
        raise InvalidBarcode(f"{symbology}: empty barcode data")
    if symbology in _GTIN_LENGTHS:
        length = _GTIN_LENGTHS[symbology]
        if len(data) != length or not data.isdigit():
            raise InvalidBarcode(f"{symbology} needs exactly {length} digits, got {data!r}")
        if not gtin_check_digit_ok(data):
            expected = gs1_standard_check_digit(data[:-1])
            raise InvalidBarcode(f"{symbology} {data!r} has a wrong check digit (expected {expected})")
    elif symbology is Symbology.CODE128:
        bad = [c for c in data if not (" " <= c <= "~")]
        if bad:
            raise InvalidBarcode(
                f"Code 128 can only encode printable ASCII; {data!r} contains {''.join(sorted(set(bad)))!r}"
            )
        if len(data) > 48:
            raise InvalidBarcode(f"Code 128 data longer than 48 characters: {data!r}")
    elif symbology.is_gs1:
        _gs1_elements(data)  # raises on bad input
    elif symbology is Symbology.QR and len(data.encode()) > 2000:
        raise InvalidBarcode("QR data longer than 2000 bytes")


@lru_cache(maxsize=4096)
def _gs1_elements(hri: str) -> tuple[tuple[str, str], ...]:
    if not hri.startswith("("):
        raise InvalidBarcode(f"GS1 data must be in bracketed form like (01)...: {hri!r}")
    try:
        message = GS1Message.parse_hri(hri)
    except ParseError as exc:
        raise InvalidBarcode(f"not a valid GS1 element string: {hri!r}: {exc}") from exc
    elements = tuple((es.ai.ai, es.value) for es in message.element_strings)
    for ai, value in elements:
        # biip checks the AI patterns but not every GTIN check digit.
        if ai in ("01", "02") and not gtin_check_digit_ok(value):
            raise InvalidBarcode(f"GTIN {value!r} in AI ({ai}) has a wrong check digit")
        if ai == "00" and not gtin_check_digit_ok(value):
            raise InvalidBarcode(f"SSCC {value!r} has a wrong check digit")
        if not re.fullmatch(r"[\x21-\x7e]*", value):
            raise InvalidBarcode(f"AI ({ai}) value {value!r} has characters GS1 does not allow")
    return elements


@lru_cache(maxsize=512)
def _separator_required(ai: str) -> bool:
    from biip.gs1_application_identifiers import GS1ApplicationIdentifier

    return GS1ApplicationIdentifier.extract(ai).separator_required


# -- module patterns -------------------------------------------------------------------------

_PYBARCODE_NAMES = {
    Symbology.EAN13: "ean13",
    Symbology.EAN8: "ean8",
    Symbology.UPCA: "upca",
    Symbology.CODE128: "code128",
    Symbology.GS1_128: "gs1_128",
}


@lru_cache(maxsize=2048)
def linear_modules(barcode: Barcode) -> str:
    """The bar/space pattern ('1' = bar) from python-barcode, without quiet zones."""
    if not barcode.symbology.is_linear:
        raise InvalidBarcode(f"{barcode.symbology} is not a linear symbology")
    from barcode import get_barcode_class

    cls = get_barcode_class(_PYBARCODE_NAMES[barcode.symbology])
    if barcode.symbology is Symbology.GS1_128:
        # python-barcode adds the leading FNC1 itself; \xf1 is its FNC1 inside the data.
        code = cls(barcode.element_string(fnc1="\xf1"))
    elif barcode.symbology in _GTIN_LENGTHS:
        # Hand over the digits without the check digit: we validated it, python-barcode recomputes it.
        code = cls(barcode.data[:-1])
        if code.get_fullcode() != barcode.data:  # pragma: no cover - would be a python-barcode bug
            raise InvalidBarcode(f"python-barcode encodes {barcode.data} as {code.get_fullcode()}")
    else:
        code = cls(barcode.data)
    return "".join(code.build())


@lru_cache(maxsize=512)
def matrix_modules(barcode: Barcode) -> tuple[tuple[bool, ...], ...]:
    """Rows of dark (True) modules for 2D symbologies, without quiet zone."""
    if barcode.symbology is Symbology.QR:
        import segno

        qr = segno.make(barcode.data, error="m", micro=False)
        return tuple(tuple(bool(v) for v in row) for row in qr.matrix)
    if barcode.symbology is Symbology.GS1_DATAMATRIX:
        import zxingcpp

        symbol = zxingcpp.create_barcode(barcode.data, zxingcpp.BarcodeFormat.DataMatrix, gs1=True)
        image = symbol.to_image(scale=1, add_quiet_zones=False)
        view = memoryview(image)
        rows, cols = view.shape[0], view.shape[1]
        flat = bytes(view)
        return tuple(tuple(flat[r * cols + c] < 128 for c in range(cols)) for r in range(rows))
    raise InvalidBarcode(f"{barcode.symbology} is not a 2D symbology")


#: Quiet zones in modules on each side, from the symbology specifications.
QUIET_ZONE = {
    Symbology.EAN13: (11, 7),
    Symbology.EAN8: (7, 7),
    Symbology.UPCA: (9, 9),
    Symbology.CODE128: (10, 10),
    Symbology.GS1_128: (10, 10),
    Symbology.QR: (4, 4),
    Symbology.GS1_DATAMATRIX: (1, 1),
}
