"""Brokering: which locations fulfil an order's lines, by ranked rules.

A channel's rules are tried in rank order. Each rule names the locations it may use (all if none),
whether it may split an order over several locations, the least a split part must be worth, and
what happens when it cannot place the order: try the next rule, or send what is left to a queue
(backordered: waits for stock; unfillable: parked for a person). Within a rule:

1. Ship complete from one location if any can: the nearest of those that can.
2. Else, if the rule splits: as few parts as it can, each step taking from the location that covers
   most of what is left (the nearest among equals); every part worth at least the threshold, and
   the part left over too (or nothing left), so an order is never cut into a part too small to ship.
3. Else the rule's outcome: next rule, or the queue.

Nearest: by coordinates (haversine) when the order and the location have them, else by the postcode
(same country, longest common prefix), then by location code so a run is repeatable. A location at
its daily order capacity takes no more orders. Quantities are what each location may promise
(`availability.atp`), so safety stock and channel buffers are already kept back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from .lifecycle import BACKORDERED, UNFILLABLE

NEXT_RULE = "next"
OUTCOMES = (NEXT_RULE, BACKORDERED, UNFILLABLE)


@dataclass(frozen=True)
class Need:
    line_id: int
    product_id: int
    quantity: Decimal
    unit_value: Decimal  # one unit's worth, for split thresholds (the order's currency)


@dataclass(frozen=True)
class Destination:
    country: str = ""
    postcode: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Site:
    id: int
    code: str
    country: str = ""
    postcode: str = ""
    lat: float | None = None
    lon: float | None = None
    capacity_left: int | None = None  # orders it may still take today; None: no limit


@dataclass(frozen=True)
class AllocationRule:
    name: str
    locations: tuple[str, ...] = ()  # codes; empty: every location
    split: bool = False
    split_min_value: Decimal = Decimal(0)
    when_unplaced: str = NEXT_RULE  # next | backordered | unfillable
    partial: bool = False  # place what it can and queue the rest, rather than nothing


@dataclass(frozen=True)
class Placement:
    line_id: int
    location_id: int
    quantity: Decimal


@dataclass
class Plan:
    placements: list[Placement] = field(default_factory=list)
    queue: str = ""  # where the unplaced rest goes ("" if nothing is left)
    rule: str = ""  # the rule that decided
    why: str = ""

    def placed(self, line_id: int) -> Decimal:
        return sum((p.quantity for p in self.placements if p.line_id == line_id), Decimal(0))


DEFAULT_RULES = (AllocationRule("nearest, split if worth it", split=True, when_unplaced=BACKORDERED, partial=True),)


def distance_key(site: Site, to: Destination) -> tuple:
    if None not in (site.lat, site.lon, to.lat, to.lon):
        return (0, _haversine_km(site.lat, site.lon, to.lat, to.lon), site.code)  # type: ignore[arg-type]
    if to.postcode and site.postcode and (not to.country or not site.country or to.country == site.country):
        shared = 0
        for a, b in zip(site.postcode.replace(" ", "").upper(), to.postcode.replace(" ", "").upper(), strict=False):
            if a != b:
                break
            shared += 1
        return (1, -shared, site.code)
    same_country = bool(to.country) and site.country == to.country
    return (2, 0 if same_country else 1, site.code)


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def plan(needs: list[Need], sites: list[Site], atp: dict[tuple[int, int], Decimal], to: Destination,
         rules: tuple[AllocationRule, ...] | list[AllocationRule] = DEFAULT_RULES) -> Plan:
    """Where each of `needs` is fulfilled. `atp[(location id, product id)]`: what may be promised."""
    needs = [n for n in needs if n.quantity > 0]
    if not needs:
        return Plan(rule="", why="nothing left to place")
    for rule in rules or DEFAULT_RULES:
        allowed = [s for s in sites if (not rule.locations or s.code in rule.locations)
                   and (s.capacity_left is None or s.capacity_left > 0)]
        allowed.sort(key=lambda s: distance_key(s, to))
        wanted: dict[int, Decimal] = {}
        for n in needs:  # two lines of one product need both their quantities from one shelf
            wanted[n.product_id] = wanted.get(n.product_id, Decimal(0)) + n.quantity
        whole = next((s for s in allowed if all(atp.get((s.id, product), Decimal(0)) >= quantity
                                                   for product, quantity in wanted.items())), None)
        if whole is not None:
            return Plan([Placement(n.line_id, whole.id, n.quantity) for n in needs], rule=rule.name,
                        why=f"complete from {whole.code}")
        if rule.split or rule.partial:
            placements, left = _split(needs, allowed, atp, rule)
            complete = not any(left.values())
            if placements and (complete or rule.partial):
                return Plan(placements, queue="" if complete else _queue(rule), rule=rule.name,
                            why="split over " + ", ".join(sorted({_code(allowed, p.location_id)
                                                                 for p in placements})))
        if rule.when_unplaced != NEXT_RULE:
            return Plan(queue=rule.when_unplaced, rule=rule.name, why="no location can fulfil it")
    return Plan(queue=BACKORDERED, rule="", why="no rule could place it")


def _part(needs: list[Need], left: dict[int, Decimal], site: Site,
          atp: dict[tuple[int, int], Decimal]) -> list[Placement]:
    """What `site` can give of what is left, line by line, each line taking from what the lines
    before it left of the same product."""
    have: dict[int, Decimal] = {}
    part = []
    for n in needs:
        free = have.setdefault(n.product_id, max(atp.get((site.id, n.product_id), Decimal(0)), Decimal(0)))
        take = min(left[n.line_id], free)
        if take > 0:
            part.append(Placement(n.line_id, site.id, take))
            have[n.product_id] = free - take
    return part


def _queue(rule: AllocationRule) -> str:
    return rule.when_unplaced if rule.when_unplaced != NEXT_RULE else BACKORDERED


def _code(sites: list[Site], location_id: int) -> str:
    return next(s.code for s in sites if s.id == location_id)


def _split(needs: list[Need], sites: list[Site], atp: dict[tuple[int, int], Decimal],
           rule: AllocationRule) -> tuple[list[Placement], dict[int, Decimal]]:
    """Fewest parts first: each step takes from the site that covers most of what is left (the
    nearest among equals). A part must be worth the threshold, and so must the rest it leaves."""
    left = {n.line_id: n.quantity for n in needs}
    value = {n.line_id: n.unit_value for n in needs}
    placements: list[Placement] = []
    candidates = list(sites)  # already nearest first
    while candidates and any(left.values()):
        best = None
        for site in candidates:
            part = _part(needs, left, site, atp)
            if not part:
                continue
            worth = sum((p.quantity * value[p.line_id] for p in part), Decimal(0))
            covered = sum((p.quantity for p in part), Decimal(0))
            rest = {line: qty - sum((p.quantity for p in part if p.line_id == line), Decimal(0))
                    for line, qty in left.items()}
            rest_worth = sum((qty * value[line] for line, qty in rest.items()), Decimal(0))
            if worth < rule.split_min_value and any(rest.values()):
                continue
            if any(rest.values()) and rest_worth < rule.split_min_value:
                continue
            if best is None or (worth, covered) > (best[0], best[1]):
                best = (worth, covered, site, part, rest)
        if best is None:
            break
        _, _, site, part, rest = best
        placements.extend(part)
        left = rest
        candidates.remove(site)
        if not rule.split:  # partial, not split: one location's part, the rest waits
            break
    return placements, left
