"""App-wide messages: widgets and workers post these up; screens and the app decide what to do."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from models.context import Actor


@dataclass
class StatusInfo:
    """What the status bar shows; refreshed by a timer in a worker."""

    location: str = ""
    terminal: str = ""
    user: str = ""
    network: str = "offline"  # online | offline | syncing | not configured
    pending: int = 0
    last_sync: str = ""  # "" means never
    attention: int = 0  # open "needs attention" items


class LoggedIn(Message):
    """The login screen accepted a user."""

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor


class StatusRefreshed(Message):
    """A worker read a fresh status snapshot."""

    def __init__(self, info: StatusInfo) -> None:
        super().__init__()
        self.info = info


class SyncFinished(Message):
    """A sync run ended: ``error`` is empty when it succeeded."""

    def __init__(self, error: str = "", detail: str = "") -> None:
        super().__init__()
        self.error = error
        self.detail = detail


class ProductsChanged(Message):
    """A pull changed these products (price, name, ...): an open sale keeps its snapshot and says so."""

    def __init__(self, skus: list[str]) -> None:
        super().__init__()
        self.skus = skus


class SaleFinished(Message):
    """A sale was written: its number and where its receipt went."""

    def __init__(self, number: str, receipt: str) -> None:
        super().__init__()
        self.number = number
        self.receipt = receipt


class LoggedOut(Message):
    """The user logged out; the login screen clears itself for the next one."""


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
