"""What the four stock screens share: who is working (from the constructor or the app), the
language, and a scan field set up with the app's scanner settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from models.catalog import Product, find_by_code
from models.context import Actor
from models.errors import DomainError, NotFound
from models.scan import Scan
from tui.guard import explain
from tui.i18n import _
from tui.screens.base import LinesScreen
from tui.widgets.scan_input import ScanInput


class StockScreen(LinesScreen):
    """The app builds job screens with no arguments and keeps them installed, so the actor and the
    language fall back to the app's; tests and other hosts pass them in."""

    def __init__(self, actor: Actor | None = None, *, lang: str | None = None) -> None:
        super().__init__()
        self._actor = actor
        self._lang = lang

    @property
    def actor(self) -> Actor:
        actor = self._actor or getattr(self.app, "actor", None)
        if actor is None:
            raise RuntimeError("A stock screen needs a logged-in actor.")
        return actor

    @property
    def lang(self) -> str:
        return self._lang or getattr(self.app, "lang", "en")

    def goods_scanned(self, event: ScanInput.Scanned) -> tuple[Scan, Product, Decimal] | None:
        """The product and quantity a scan stands for, or None once the refusal is on screen."""
        from tui.widgets.message_line import MessageLine

        event.stop()
        message = self.query_one(MessageLine)
        if event.error or event.scan is None:
            message.warn(event.error or _("Nothing scanned."))
            return None
        try:
            product, pack = product_for_scan(event.scan)
            return event.scan, product, scanned_quantity(event.scan, product, pack)
        except DomainError as exc:
            message.warn(explain(exc))
            return None

    def make_scan_input(self, placeholder: str, **kwargs: Any) -> ScanInput:
        return ScanInput(placeholder=placeholder, fnc1_standin=getattr(self.app, "fnc1_standin", None),
                         variable_measure=getattr(self.app, "variable_measure", None), **kwargs)


def product_for_scan(scan: Scan) -> tuple[Product, Decimal]:
    """The product a scan names and how many units one scan stands for (pack barcodes count more)."""
    try:
        return find_by_code(scan.gtin or scan.data)
    except NotFound:
        shown = scan.data if scan.kind in ("gtin", "text") else (scan.gtin or scan.data)
        raise NotFound(_("Unknown code {code}: search the product by name, or ask a supervisor to link the code.")
                       .format(code=shown)) from None


def scanned_quantity(scan: Scan, product: Product, pack: Decimal) -> Decimal:
    """Units for one scan: the typed prefix (3*) times the pack size; refused if the unit can't take it."""
    return product.quantity((scan.quantity_prefix or Decimal(1)) * pack)
