"""Head office settings (reporting currency, the manager's approval limit) and exchange rates."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from models.db import db
from models.errors import DomainError
from models.money import Money
from models.statements import Slot, Statement

from .tables import ExchangeRate, HqSetting

REPORTING_CURRENCY, MANAGER_APPROVAL_ABOVE = "reporting_currency", "manager_approval_above"
DEFAULTS = {REPORTING_CURRENCY: "EUR", MANAGER_APPROVAL_ABOVE: ""}


_setting = Statement(lambda: HqSetting.select(HqSetting.value).where(HqSetting.name == Slot("name")))


def setting(name: str) -> str:
    row = _setting.first(name=name)
    return row[0] if row is not None else DEFAULTS.get(name, "")


def set_setting(name: str, value: str) -> None:
    if name not in DEFAULTS:
        raise DomainError("{name!r} is no setting: use one of {names}.", name=name, names=", ".join(DEFAULTS))
    value = value.strip()
    if name == REPORTING_CURRENCY:
        value = Money.zero(value.upper()).currency
    if name == MANAGER_APPROVAL_ABOVE and value:
        value = str(_amount(value, name))
    HqSetting.insert(name=name, value=value).on_conflict(
        conflict_target=[HqSetting.name], update={HqSetting.value: value}).execute()


def reporting_currency() -> str:
    return setting(REPORTING_CURRENCY)


def manager_approval_above() -> Decimal | None:
    value = setting(MANAGER_APPROVAL_ABOVE)
    return Decimal(value) if value else None


def _amount(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise DomainError("{what}: {text!r} is not a number.", what=what, text=text[:40]) from None
    if not value.is_finite() or value <= 0 or value > Decimal(10**9):
        raise DomainError("{what}: {text!r} must be above 0 and at most 1,000,000,000.", what=what, text=text[:40])
    return value


def rate_on(currency: str, day: dt.date, reporting: str | None = None) -> Decimal | None:
    """One unit of `currency` in the reporting currency on `day` (the latest rate on or before it)."""
    if currency == (reporting or reporting_currency()):
        return Decimal(1)
    row = (ExchangeRate.select().where((ExchangeRate.currency == currency) & (ExchangeRate.day <= day))
           .order_by(ExchangeRate.day.desc()).first())
    if row is None:
        row = ExchangeRate.select().where(ExchangeRate.currency == currency).order_by(ExchangeRate.day).first()
    return row.rate if row is not None else None


def sells_in(currency: str, reporting: str | None = None) -> bool:
    """The shop sells in its reporting currency and in every currency it keeps rates for."""
    return currency == (reporting or reporting_currency()) or ExchangeRate.select().where(
        ExchangeRate.currency == currency).exists()


def to_reporting(amount: Money, day: dt.date, reporting: str | None = None) -> Money:
    reporting = reporting or reporting_currency()
    rate = rate_on(amount.currency, day, reporting)
    if rate is None:
        raise DomainError("No exchange rate for {currency}: import one with `counter hq rates import FILE`.",
                          currency=amount.currency)
    return Money(amount.amount * rate, reporting).rounded()


def import_rates(text: str) -> int:
    """Rates from CSV `day,currency,rate` (one unit of currency in the reporting currency). All or
    nothing: a bad row refuses the file, naming the row."""
    rows = []
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or {"day", "currency", "rate"} - {f.strip().lower() for f in reader.fieldnames}:
        raise DomainError("A rates file has the columns day,currency,rate (e.g. 2026-12-01,CNY,0.1285).")
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            day = dt.date.fromisoformat(row["day"])
        except ValueError:
            raise DomainError("Row {n}: {day!r} is not a date such as 2026-12-01.", n=number, day=row["day"][:20]) \
                from None
        try:
            currency = Money.zero(row["currency"].upper()).currency
        except DomainError as exc:
            raise DomainError("Row {n}: {why}", n=number, why=str(exc)) from None
        rate = _amount(row["rate"], f"Row {number}")
        rows.append({"day": day, "currency": currency, "rate": rate})
    with db.atomic():
        for row in rows:
            ExchangeRate.insert(**row).on_conflict(conflict_target=[ExchangeRate.currency, ExchangeRate.day],
                                                   update={ExchangeRate.rate: row["rate"]}).execute()
    return len(rows)
