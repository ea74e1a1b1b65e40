"""Receipt content as rows of fixed-width text, shared by the ESC/POS and page renderers.

Receipt printers print in character columns (48 with font A on 80 mm paper, 32 on 58 mm);
CJK characters take two columns. Amounts are never truncated: if one does not fit its column
the receipt is refused rather than printed with a wrong-looking total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from printing.documents import Money, Receipt
from printing.errors import DoesNotFit
from printing.fonts import is_wide
from printing.money_format import money_text

COLUMNS = {80: 48, 58: 32}


@dataclass(frozen=True)
class Row:
    left: str = ""
    right: str = ""
    align: Literal["left", "center"] = "left"
    bold: bool = False
    big: bool = False  # double width and height
    kind: Literal["text", "rule", "barcode"] = "text"


def display_width(text: str) -> int:
    return sum(2 if is_wide(c) else 1 for c in text)


def truncate(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = 2 if is_wide(c) else 1
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…" if width >= 1 else ""


def _qty(quantity: Decimal) -> str:
    return format(quantity.normalize(), "f") if quantity == quantity.to_integral() else str(quantity)


def receipt_rows(receipt: Receipt) -> list[Row]:
    columns = COLUMNS[int(receipt.paper_width_mm)]
    loc = receipt.locale

    def money(m: Money, negate: bool = False) -> str:
        text = money_text(-m if negate else m, loc)
        if display_width(text) > columns // 2:
            raise DoesNotFit(f"amount {text!r} does not fit a {receipt.paper_width_mm:g} mm receipt")
        return text

    rows: list[Row] = [Row(truncate(receipt.shop.name, columns // 2), align="center", bold=True, big=True)]
    rows += [Row(truncate(line, columns), align="center") for line in receipt.shop.address_lines]
    if receipt.shop.phone:
        rows.append(Row(truncate(receipt.shop.phone, columns), align="center"))
    if receipt.shop.tax_id:
        rows.append(Row(truncate(receipt.shop.tax_id, columns), align="center"))
    rows.append(Row(kind="rule"))
    rows.append(Row(receipt.order_number, receipt.created_at.strftime("%Y-%m-%d %H:%M")))
    if receipt.clerk:
        rows.append(Row(truncate(receipt.clerk, columns)))
    rows.append(Row(kind="rule"))
    for line in receipt.lines:
        total = money(line.total)
        rows.append(Row(truncate(line.name, columns - display_width(total) - 1), total))
        if line.quantity != 1:
            rows.append(Row(f"  {_qty(line.quantity)} x {money(line.unit_price)}"))
        if line.discount:
            rows.append(Row("  Discount", money(line.discount, negate=True)))
    rows.append(Row(kind="rule"))
    rows.append(Row("Subtotal", money(receipt.subtotal)))
    if receipt.order_discount:
        rows.append(Row("Order discount", money(receipt.order_discount, negate=True)))
    for tax in receipt.taxes:
        label = f"{tax.label} ({'incl.' if tax.included else 'added'})"
        rows.append(Row(truncate(label, columns // 2), money(tax.amount)))
    rows.append(Row("TOTAL", money(receipt.total), bold=True))
    for tender in receipt.tenders:
        rows.append(Row(truncate(tender.method, columns // 2), money(tender.amount)))
    if receipt.tenders:
        rows.append(Row("Change", money(receipt.change)))
    rows.append(Row(kind="rule"))
    rows += [Row(truncate(line, columns), align="center") for line in receipt.footer]
    rows.append(Row(receipt.order_number, kind="barcode", align="center"))
    return rows


def row_text(row: Row, columns: int) -> str:
    """A row as exactly one printed line (before any alignment command)."""
    if row.kind == "rule":
        return "-" * columns
    if not row.right:
        return row.left
    gap = columns - display_width(row.left) - display_width(row.right)
    return row.left + " " * max(gap, 1) + row.right
