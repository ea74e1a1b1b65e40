"""What a supervisor approves on the Sale screen: discounts above the clerk's limit, and lines above
the large-line limit. Mixed into `SaleScreen`, whose state (lines, discounts, approvers) it reads.

An approval covers what the supervisor saw: a discount approval its share of the sale (re-asked
when a quantity drops or a line goes), a quantity approval the open sale.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from models.errors import PermissionDenied
from models.money import Money
from models.ops.selling import SaleLine, check_discount, discount_percent, totals
from models.people import User

from .. import services
from ..dialogs.quantity import NumberDialog
from ..dialogs.supervisor_pin import SupervisorPinDialog
from ..guard import explain
from ..i18n import _, babel_locale


def parse_discount(text: str, base: Money) -> Money:
    """'10%' of ``base`` or an amount such as '1.50'; refused if it is negative or above ``base``."""
    text = text.strip().replace(",", ".")
    try:
        amount = base.amount * Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Type an amount such as 1.50 or a percentage such as 10%.")) from None
    money = Money(amount, base.currency).rounded()
    if money.amount < 0 or money.amount > base.amount:
        raise ValueError(_("A discount must be between 0 and {amount}.").format(amount=base.format(babel_locale())))
    return money


class SaleApprovals:
    """Discount and large-line approvals of the Sale screen (see the module's docstring)."""

    def action_line_discount(self) -> None:
        picked = self._selected()
        if picked is None:
            return
        _position, line = picked
        self._discount_dialog(_("Line discount"), line.gross, line.discount, target=line)

    def action_order_discount(self) -> None:
        if not self.lines:
            self.refuse(_("No line to change: scan an item first."))
            return
        base = totals(self.lines, None, self.currency).total
        self._discount_dialog(_("Order discount"), base, self.order_discount, target=None)

    def _discount_dialog(self, title: str, base: Money, current: Money | None, *, target: SaleLine | None) -> None:
        prompt = _("Amount (1.50) or percent (10%). Your limit: {pct}%.").format(
            pct=self.actor.user.discount_limit_pct)

        def done(amount: Money | None) -> None:
            if amount is None:
                return
            amount = amount if amount.amount else None
            old = target.discount if target else self.order_discount
            self._set_discount(target, amount)
            pct = discount_percent(self.lines, self.order_discount, self.currency)
            try:
                check_discount(self.actor.user, pct, self.approver, self.approved_pct)
            except PermissionDenied as exc:
                self._set_discount(target, old)

                def approved(user: User | None) -> None:
                    if user is None:
                        self.refuse(_("Discount not applied."))
                        return
                    try:
                        check_discount(self.actor.user, pct, user)
                    except PermissionDenied as refused:
                        self.refuse(explain(refused))
                        return
                    self.approver, self.approved_pct = user, pct
                    self._set_discount(target, amount)
                    self._redraw()
                    self.say(_("Discount {pct}% approved by {name}.").format(pct=pct, name=user.name))

                self.app.push_screen(SupervisorPinDialog(explain(exc)), approved)
                return
            self._redraw()
            self.say(_("Discount applied ({pct}% of the sale).").format(pct=pct))

        value = f"{current.amount:.2f}" if current else ""
        self.app.push_screen(NumberDialog(title, prompt, lambda t: parse_discount(t, base), value), done)

    def _set_discount(self, target: SaleLine | None, amount: Money | None) -> None:
        if target is None:
            self.order_discount = amount
        else:
            target.discount = amount

    def _recheck_discount(self) -> None:
        """The sale changed under its discounts: an approval holds only for the share it approved.
        Beyond it a supervisor approves again, or the discounts come off."""
        if not self.lines:
            return
        pct = discount_percent(self.lines, self.order_discount, self.currency)
        try:
            check_discount(self.actor.user, pct, self.approver, self.approved_pct)
            return
        except PermissionDenied as exc:
            reason = explain(exc)

        def approved(user: User | None) -> None:
            try:
                if user is None:
                    raise PermissionDenied(_("Not approved."))
                check_discount(self.actor.user, pct, user)
            except PermissionDenied as refused:
                for line in self.lines:
                    line.discount = None
                self.order_discount, self.approver, self.approved_pct = None, None, None
                self._redraw()
                self.refuse(_("Discounts removed: {why} Give them again (F4, F5) if they still apply.").format(
                    why=explain(refused)))
                return
            self.approver, self.approved_pct = user, pct
            self.say(_("Discount {pct}% approved by {name}.").format(pct=pct, name=user.name))

        self.app.push_screen(SupervisorPinDialog(reason), approved)

    def _large(self, sku: str, quantity: Decimal, then: Callable[[], None]) -> bool:
        """True if `quantity` in one line needs a supervisor first: asks, and runs `then` once approved."""
        limit = getattr(self.app, "large_line", None)
        if limit is None or quantity <= limit or self.quantity_approver is not None:
            return False

        def approved(user: User | None) -> None:
            if user is None:
                self.refuse(_("Not changed: a supervisor must approve {qty} in one line.").format(
                    qty=services.qty_text(quantity)))
                return
            self.quantity_approver = user
            then()

        self.app.push_screen(SupervisorPinDialog(_("{sku}: {qty} in one line is more than {limit}.").format(
            sku=sku, qty=services.qty_text(quantity), limit=services.qty_text(limit))), approved)
        return True
