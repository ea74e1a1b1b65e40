"""The app's side of printing: documents built from the domain, handed to this terminal's PrintService.

Everything here runs on thread workers: building a document reads the store, and ``submit``
renders (a first PDF with a CJK font takes up to a second). The printing package is imported
lazily so the app starts without loading fpdf2 and the barcode libraries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from models.money import Money
from models.orders import Order, order_lines

if TYPE_CHECKING:
    from printing.config import PrintingConfig
    from printing.documents import Receipt
    from printing.service import PrintService

log = logging.getLogger("counter.tui.printing")

# Goods received as 500 pieces should not silently become 500 labels: above this many the clerk confirms.
LABELS_WITHOUT_ASKING = 50
# ...and no single intake prints more than this many at once.
MAX_LABELS = 500


def receipt_locale(lang: str) -> str:
    return "zh_CN" if lang == "zh_CN" else "en_US"


def receipt_document(order: Order, lang: str = "en") -> Receipt:
    """The printable receipt of a finished sale (call inside a connection context)."""
    from printing.documents import Receipt, ReceiptLine, ShopHeader, TaxLine, Tender

    currency = order.currency

    def money(amount: Decimal) -> Money:
        return Money(Decimal(amount), currency)

    lines = []
    for line in order_lines(order):
        name = line.product.display_name(lang) if line.product_id else line.name
        lines.append(ReceiptLine(name=name or line.sku, quantity=Decimal(line.quantity),
                                 unit_price=money(line.unit_price),
                                 discount=money(line.discount) if line.discount else None))
    location = order.location
    shop = ShopHeader(name=(location.display_name(lang) or location.code) if location else "Counter")
    taxes = (TaxLine("Tax", Decimal(0), money(order.tax), included=True),) if order.tax else ()
    tenders = tuple(Tender(t.kind, money(t.amount)) for t in order.tenders)
    return Receipt(shop=shop, order_number=order.number, created_at=order.created_at, lines=lines,
                   tenders=tenders, taxes=taxes, order_discount=money(order.discount) if order.discount else None,
                   clerk=order.user or "", locale=receipt_locale(lang))


@dataclass
class LabelRequest:
    """Product labels for one received line: ``copies`` = the units received."""

    sku: str
    copies: int


def label_requests(quantities: dict[str, Decimal]) -> list[LabelRequest]:
    """One label per whole unit received (at least one for a weighed or fractional line)."""
    return [LabelRequest(sku, max(1, int(qty))) for sku, qty in quantities.items() if qty > 0]


class Printing:
    """This terminal's printers, opened on first use (on a worker thread) and closed on exit."""

    def __init__(self, config: PrintingConfig | dict[str, Any] | None) -> None:
        self._config = config
        self._service: PrintService | None = None
        self.error = ""

    @property
    def configured(self) -> bool:
        return self._config is not None

    def service(self) -> PrintService:
        """The started service (opens the print queue the first time). Raises PrintError/OSError."""
        if self._service is None:
            from printing.config import PrintingConfig
            from printing.service import PrintService

            config = self._config
            if not isinstance(config, PrintingConfig):
                config = PrintingConfig.from_dict(config or {})
            service = PrintService(config)
            service.start()
            self._service = service
        return self._service

    def print_receipt(self, order: Order, lang: str) -> str:
        """Queue the receipt of ``order``; returns the job id."""
        return self.service().print_receipt(receipt_document(order, lang))

    def reprint_last_receipt(self) -> str:
        return self.service().reprint_last("receipt")

    def print_product_labels(self, requests: list[LabelRequest], lang: str, currency: str | None = None) -> list[str]:
        from printing.from_domain import product_label_for_sku

        service = self.service()
        locale = receipt_locale(lang)
        labels = [(product_label_for_sku(r.sku, lang=lang, locale=locale, currency=currency), r.copies)
                  for r in requests]
        # Render every label before queueing any: a bad one must not leave half the labels printed.
        for label, copies in labels:
            service.prepare(label, copies=copies)
        job_ids: list[str] = []
        for label, copies in labels:
            job_ids += service.print_labels([label], copies=copies)
        return job_ids

    def print_shelf_label(self, sku: str, lang: str, currency: str | None = None) -> str:
        from printing.from_domain import shelf_label_for_sku

        return self.service().submit(shelf_label_for_sku(sku, lang=lang, locale=receipt_locale(lang),
                                                         currency=currency))

    def close(self) -> None:
        """Stop the sender without waiting for a slow printer: queued jobs are on disk and go next start."""
        service, self._service = self._service, None
        if service is not None:
            service.worker.stop(timeout=0.5)
            try:
                service.queue.close()
            except Exception:  # a job still being sent holds the queue; the process is ending anyway
                log.debug("print queue close failed", exc_info=True)
