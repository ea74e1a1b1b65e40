"""What the stock screens tell the app: stock moved (so it can refresh outbox counts), or a product to sell."""

from __future__ import annotations

from textual.message import Message


class StockMessage(Message):
    """Base of the messages the stock screens post upward."""


class StockChanged(StockMessage):
    """An operation wrote stock events (receipt, count, transfer); `reference` names the document."""

    def __init__(self, kind: str, reference: str) -> None:
        super().__init__()
        self.kind = kind
        self.reference = reference


class ProductChosen(StockMessage):
    """The clerk picked a product in the lookup (e.g. to add it to a sale); `sku` identifies it."""

    def __init__(self, sku: str) -> None:
        super().__init__()
        self.sku = sku
