"""Take the payment: cash (with change), card (with the slip's reference), or split between them.

The dialog only collects tenders; the domain (``sell``/``return_goods``) checks they add up."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from models.errors import DomainError
from models.limits import check_amount
from models.money import Money
from models.ops.selling import CARD, CASH, Payment

from ..guard import explain
from ..i18n import _, babel_locale
from ..screens.base import CounterModal
from ..widgets.key_bar import KeyBar


class TenderDialog(CounterModal[list[Payment] | None]):
    """Dismisses with the payments once they cover ``due`` (for a refund: the amount to pay back)."""

    DEFAULT_CSS = """
    TenderDialog { align: center middle; }
    TenderDialog > Vertical { width: 64; height: auto; border: thick $success; background: $surface; padding: 1 2; }
    TenderDialog #due { text-style: bold; }
    TenderDialog #error { color: $error; }
    """
    BINDINGS = [
        Binding("f2", "cash", "Cash"),
        Binding("f3", "card", "Card"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, due: Money, *, refund: bool = False) -> None:
        super().__init__()
        self.due = due
        self.refund = refund
        self.payments: list[Payment] = []

    @property
    def paid(self) -> Money:
        return sum((p.amount for p in self.payments), Money.zero(self.due.currency))

    @property
    def remaining(self) -> Money:
        return self.due - self.paid

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Refund") if self.refund else _("Payment"), classes="title")
            yield Label("", id="due")
            yield Static("", id="paid")
            yield Input(value=f"{self.remaining.amount:.2f}", id="amount", placeholder=_("Amount"))
            yield Input(id="reference", placeholder=_("Card reference (from the card slip)"))
            yield Label(self._hint("amount"), id="hint", classes="hint")
            yield Label("", id="error")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show()

    @staticmethod
    def _hint(field: str | None) -> str:
        # Enter does what the field it is pressed in is for; the line says so for the field in use.
        if field == "reference":
            return _("Enter or F3 = card with this reference; F2 = cash")
        return _("Enter or F2 = cash; F3 = card (type the reference first)")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.query_one("#hint", Label).update(self._hint(event.widget.id))

    def _show(self) -> None:
        loc = babel_locale()
        label = _("To refund") if self.refund else _("To pay")
        self.query_one("#due", Label).update(f"{label}: {self.remaining.format(loc)}  ({_('Total')} {self.due.format(loc)})")
        kinds = {CASH: _("Cash"), CARD: _("Card")}
        self.query_one("#paid", Static).update(
            "\n".join(f"{kinds.get(p.kind, p.kind)} {p.amount.format(loc)} {p.reference}" for p in self.payments))
        self.query_one("#amount", Input).value = f"{max(self.remaining.amount, Decimal(0)):.2f}"

    def _amount(self) -> Money | None:
        text = self.query_one("#amount", Input).value.strip().replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            self._refuse(_("Type an amount such as 12.50."))
            return None
        if amount <= 0:
            self._refuse(_("An amount must be more than zero."))
            return None
        try:
            check_amount(amount, self.due.currency)
        except DomainError as exc:
            self._refuse(explain(exc))
            return None
        return Money(amount, self.due.currency)

    def _refuse(self, message: str) -> None:
        self.app.bell()
        self.query_one("#error", Label).update(message)

    def _add(self, payment: Payment) -> None:
        self.payments.append(payment)
        self.query_one("#error", Label).update("")
        if self.paid.amount >= self.due.amount:
            self.dismiss(self.payments)
        else:
            self._show()
            self.query_one("#amount", Input).focus()

    @on(Input.Submitted, "#amount")
    def action_cash(self) -> None:
        amount = self._amount()
        if amount is None:
            return
        if self.refund and amount > self.remaining:
            self._refuse(_("Refund at most {amount}.").format(amount=self.remaining.format(babel_locale())))
            return
        self._add(Payment(CASH, amount))

    @on(Input.Submitted, "#reference")
    def action_card(self) -> None:
        amount = self._amount()
        if amount is None:
            return
        reference = self.query_one("#reference", Input).value.strip()
        if not reference:
            self._refuse(_("A card payment needs the reference from the card slip."))
            self.query_one("#reference", Input).focus()
            return
        if amount > self.remaining:
            self._refuse(_("A card pays at most the {amount} still due.").format(
                amount=self.remaining.format(babel_locale())))
            return
        self.query_one("#reference", Input).value = ""
        self._add(Payment(CARD, amount, reference))

    def action_cancel(self) -> None:
        self.dismiss(None)
