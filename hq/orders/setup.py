"""What brokering knows of the locations and how it may use them: where each is, its daily
capacity, the safety stock it keeps back, and the ranked allocation rules."""

from __future__ import annotations

from decimal import Decimal

from models.catalog import product_by_sku
from models.errors import DomainError, NotFound
from models.limits import MAX_AMOUNT, MAX_QUANTITY
from models.oms.brokering import OUTCOMES
from models.places import Location

from .tables import AllocationRuleRow, LocationSetup, SafetyStock


def _location(code: str) -> Location:
    found = Location.get_or_none(Location.code == code.strip())
    if found is None:
        raise NotFound("Head office knows no location {code}: add it with `counter hq add-location {code}`.",
                       code=code.strip()[:32])
    return found


def set_location(code: str, *, country: str | None = None, postcode: str | None = None, lat: float | None = None,
                 lon: float | None = None, capacity: int | None = None, fulfils: bool | None = None) -> LocationSetup:
    location = _location(code)
    row = LocationSetup.get_or_none(LocationSetup.location == location) or LocationSetup(location=location)
    if country is not None:
        if country and not (len(country) == 2 and country.isalpha()):
            raise DomainError("A country is an ISO 3166 code of two letters, e.g. DE, not {country!r}.",
                              country=country[:10])
        row.country = country.upper()
    if postcode is not None:
        if len(postcode) > 16:
            raise DomainError("A postcode has at most 16 characters.")
        row.postcode = postcode.strip()
    if (lat is None) != (lon is None) and (row.lat is None or row.lon is None):
        raise DomainError("Give both --lat and --lon.")
    if lat is not None:
        row.lat = lat
    if lon is not None:
        row.lon = lon
    if capacity is not None:
        row.daily_capacity = capacity
    if fulfils is not None:
        row.fulfils = fulfils
    row.save()
    return row


def set_safety_stock(code: str, quantity: Decimal, sku: str | None = None) -> SafetyStock:
    location = _location(code)
    if not 0 <= quantity <= MAX_QUANTITY:
        raise DomainError("Safety stock is from 0 to {limit:,.0f} units.", limit=MAX_QUANTITY)
    product = product_by_sku(sku) if sku else None
    if product is not None:
        quantity = product.quantity(quantity)
    SafetyStock.insert(location=location, product=product, quantity=quantity).on_conflict(
        conflict_target=[SafetyStock.location, SafetyStock.product],
        update={SafetyStock.quantity: quantity}).execute()
    if product is None:
        # A NULL product is never equal to another in a unique index: replace the default by hand.
        defaults = list(SafetyStock.select().where((SafetyStock.location == location) & SafetyStock.product.is_null())
                        .order_by(SafetyStock.id))
        for old in defaults[:-1]:
            old.delete_instance()
    return SafetyStock.get((SafetyStock.location == location) & (
        SafetyStock.product == product if product is not None else SafetyStock.product.is_null()))


def add_allocation_rule(name: str, *, channel: str = "", locations: list[str] | None = None, split: bool = False,
                        split_min_value: Decimal = Decimal(0), partial: bool = False, when_unplaced: str = "next",
                        position: int | None = None) -> AllocationRuleRow:
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError("An allocation rule has a name of 1 to 100 characters.")
    if when_unplaced not in OUTCOMES:
        raise DomainError("When unplaced, a rule goes to {outcomes}, not {value!r}.", outcomes=", ".join(OUTCOMES),
                          value=when_unplaced)
    if not 0 <= split_min_value <= MAX_AMOUNT:
        raise DomainError("A split threshold is from 0 to {limit:,.0f}.", limit=MAX_AMOUNT)
    codes = [_location(code).code for code in locations or []]
    if position is None:
        last = AllocationRuleRow.select(AllocationRuleRow.position).order_by(AllocationRuleRow.position.desc()).scalar()
        position = (last or 0) + 10
    return AllocationRuleRow.create(name=name, channel=channel.strip().upper(), locations=codes, split=split,
                                    split_min_value=split_min_value, partial=partial, when_unplaced=when_unplaced,
                                    position=position)


def remove_allocation_rule(rule_id: int) -> None:
    if not AllocationRuleRow.delete().where(AllocationRuleRow.id == rule_id).execute():
        raise NotFound("No allocation rule {id}: `counter hq allocation-rules list` shows them.", id=rule_id)


def list_allocation_rules() -> list[dict]:
    return [{"id": r.id, "channel": r.channel, "position": r.position, "name": r.name, "locations": r.locations or [],
             "split": r.split, "split_min_value": str(r.split_min_value), "partial": r.partial,
             "when_unplaced": r.when_unplaced, "enabled": r.enabled}
            for r in AllocationRuleRow.select().order_by(AllocationRuleRow.channel, AllocationRuleRow.position)]
