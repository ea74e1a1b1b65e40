"""`counter hq` commands for order management: channels, orders, review and allocation rules,
locations' setup, safety stock, exchange rates, brokering."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import click

from .common import domain_errors, emit, json_option
from .hq_common import db_option, open_office

who_option = click.option("--by", required=True, help="Who does it (your name or user code), for the timeline.")
note_option = click.option("--note", required=True, help="Why: kept on the order's timeline.")


def _decimal(value: str, what: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"{value!r} is not a number", param_hint=what) from None
    if not number.is_finite():
        raise click.BadParameter(f"{value!r} is not a number", param_hint=what)
    return number


@click.command("add-channel")
@db_option
@click.argument("code")
@click.option("--name", default="", help="What staff call it (default: the code).")
@click.option("--shopify-secret", default="", help="The Shopify app's webhook secret, to take its orders/create "
                                                    "webhook at /v1/channels/CODE/shopify/orders-create.")
@click.option("--risky", is_flag=True, help="Review holds every order of this channel (a risky_channel rule).")
@click.option("--online-buffer", default="0", show_default=True, help="Units per product kept back from what "
                                                                     "this channel may sell.")
@json_option
@domain_errors
def add_channel(db_url: str | None, code: str, name: str, shopify_secret: str, risky: bool, online_buffer: str,
                as_json: bool) -> None:
    """Register a sales channel and print its API key (shown once)."""
    from hq.orders import channels

    open_office(db_url)
    new = channels.add_channel(code, name, shopify_secret=shopify_secret, risky=risky,
                               online_buffer=_decimal(online_buffer, "--online-buffer"))
    emit({"channel": new.code, "key": new.key}, as_json,
         lambda d: f"Channel {d['channel']}. API key (shown once; head office keeps only its hash):\n{d['key']}\n"
                   f"Send orders with: Authorization: Bearer {d['key']}  to POST /v1/orders")


@click.command("list-channels")
@db_option
@json_option
def list_channels(db_url: str | None, as_json: bool) -> None:
    """List channels: code, name, whether revoked, risky, buffer, Shopify webhook."""
    from hq.orders import channels

    open_office(db_url)
    rows = [{"channel": c.code, "name": c.name, "revoked": c.revoked_at is not None, "risky": c.risky,
             "online_buffer": str(c.online_buffer), "shopify": bool(c.shopify_secret)} for c in channels.list_channels()]
    emit(rows, as_json, lambda items: "\n".join(
        f"{r['channel']:<12} {r['name']:<24} {'revoked' if r['revoked'] else 'active':<8}"
        f"{' risky' if r['risky'] else ''}{' shopify' if r['shopify'] else ''}" for r in items)
        or "No channels yet: counter hq add-channel WEB")


@click.command("new-channel-key")
@db_option
@click.argument("code")
@domain_errors
def new_channel_key(db_url: str | None, code: str) -> None:
    """Give a channel a new API key (the old one stops working at once)."""
    from hq.orders import channels

    open_office(db_url)
    new = channels.new_key(code)
    click.echo(f"New key for {new.code} (shown once):\n{new.key}")


@click.command("revoke-channel")
@db_option
@click.argument("code")
@domain_errors
def revoke_channel(db_url: str | None, code: str) -> None:
    """Revoke a channel's key: its next order gets 401."""
    from hq.orders import channels

    open_office(db_url)
    channels.revoke(code)
    click.echo(f"Channel {code.upper()} revoked; `counter hq new-channel-key {code.upper()}` gives it a key again.")


@click.command("order")
@db_option
@click.argument("number")
@json_option
@domain_errors
def show_order(db_url: str | None, number: str, as_json: bool) -> None:
    """Show a channel order: state, lines, holds, allocations and its timeline."""
    from hq.orders.views import order_view

    open_office(db_url)
    view = order_view(number)

    def human(v: dict) -> str:
        out = [f"{v['number']} ({v['channel']} {v['channel_order_id']}): {v['status']}, header {v['state']}, "
               f"{v['total']} {v['currency']}"]
        out += [f"  {line['position']:>3} {line['sku']:<14} {line['quantity']:>8}  {line['state']}" for line in v["lines"]]
        out += [f"  hold: {h['reason']}: {h['detail']}" + (f" (released by {h['released_by']})" if h["released_at"]
                                                          else "") for h in v["holds"]]
        out += [f"  allocation {a['id']}: line {a['line']} {a['quantity']} at {a['location']}, {a['state']}"
                + (" (cancel requested)" if a["cancel_requested"] else "") for a in v["allocations"]]
        out += [f"  {e['at'][:19]} {e['kind']:<16} {e['by']:<16} {e['note']}" for e in v["timeline"]]
        return "\n".join(out)

    emit(view, as_json, human)


role_option = click.option("--role", type=click.Choice(["operator", "manager"]), default="operator",
                           show_default=True, help="Your role: above the manager limit only a manager may approve.")


def _decided(verb: str):
    @click.command(verb)
    @db_option
    @click.argument("number")
    @who_option
    @note_option
    @domain_errors
    def command(db_url: str | None, number: str, by: str, note: str, role: str = "operator") -> None:
        from hq.orders import fulfilment, review

        open_office(db_url)
        if verb == "approve":
            order = review.approve(number, by=by, role=role, note=note)
        elif verb == "reject":
            order = review.reject(number, by=by, note=note)
        elif verb == "hold":
            review.hold(number, by=by, note=note)
            order = None
        else:
            order = fulfilment.cancel(number, by=by, note=note)
        click.echo(f"{number}: {order.status if order else 'on hold'}.")

    if verb == "approve":
        command = role_option(command)
    command.help = {"approve": "Approve an order on hold (releases its holds) and broker it.",
                    "reject": "Reject an order in review: it is cancelled with your note.",
                    "hold": "Hold an order by hand before it is allocated.",
                    "cancel": "Cancel an order: at once where no location started, else a request to it."}[verb]
    return command


@click.command("release")
@db_option
@click.argument("number")
@who_option
@domain_errors
def release(db_url: str | None, number: str, by: str) -> None:
    """Release an order's reserved lines to their locations to pick."""
    from hq.orders import fulfilment

    open_office(db_url)
    click.echo(f"{number}: {fulfilment.release(number, by=by)} allocations released to pick.")


@click.command("broker")
@db_option
@json_option
@domain_errors
def broker(db_url: str | None, as_json: bool) -> None:
    """Run brokering now over the backlog (it also runs on a schedule while `counter hq` serves)."""
    from hq.orders import broker as run

    open_office(db_url)
    done = run.run()
    emit(done.__dict__, as_json, lambda d: f"Brokered {d['orders']} orders: {d['placed']} placed, "
                                           f"{d['backordered']} backordered, {d['unfillable']} unfillable.")


@click.group("rules")
def rules() -> None:
    """Review rules: which orders are held for a person to look at."""


@rules.command("list")
@db_option
@json_option
def rules_list(db_url: str | None, as_json: bool) -> None:
    """List review rules in their order of evaluation."""
    from hq.orders import review

    open_office(db_url)
    rows = [{"id": r.id, "position": r.position, "kind": r.kind, "params": r.params, "enabled": r.enabled}
            for r in review.list_rules()]
    emit(rows, as_json, lambda items: "\n".join(
        f"{r['id']:>4} {r['position']:>5} {r['kind']:<22} {r['params'] or ''} {'' if r['enabled'] else '(off)'}"
        for r in items) or "No review rules: every order is approved at once. Add one: counter hq rules add "
                           "amount_above --param limit=500")


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep:
            raise click.BadParameter(f"{value!r}: write NAME=VALUE, e.g. limit=500", param_hint="--param")
        out[name.strip()] = rest.strip()
    return out


@rules.command("add")
@db_option
@click.argument("kind")
@click.option("--param", "params", multiple=True, help="NAME=VALUE, e.g. limit=500 or minutes=30.")
@click.option("--position", type=int, help="Order of evaluation (default: after the last).")
@click.option("--disabled", is_flag=True, help="Add it switched off.")
@domain_errors
def rules_add(db_url: str | None, kind: str, params: tuple[str, ...], position: int | None, disabled: bool) -> None:
    """Add a review rule of KIND: amount_above, new_customer_above, address_incomplete,
    payment_not_captured, likely_duplicate, risky_channel, item_not_on_channel."""
    from hq.orders import review

    open_office(db_url)
    row = review.add_rule(kind, _params(params), position=position, enabled=not disabled)
    click.echo(f"Rule {row.id}: {row.kind} {row.params or ''} at position {row.position}.")


@rules.command("set")
@db_option
@click.argument("rule_id", type=int)
@click.option("--param", "params", multiple=True, help="NAME=VALUE: the rule's params, all of them.")
@click.option("--position", type=int)
@click.option("--enable/--disable", "enabled", default=None)
@domain_errors
def rules_set(db_url: str | None, rule_id: int, params: tuple[str, ...], position: int | None,
              enabled: bool | None) -> None:
    """Change a review rule's params, position or switch."""
    from hq.orders import review

    open_office(db_url)
    row = review.change_rule(rule_id, params=_params(params) if params else None, position=position, enabled=enabled)
    click.echo(f"Rule {row.id}: {row.kind} {row.params or ''} at position {row.position}, "
               f"{'on' if row.enabled else 'off'}.")


@rules.command("remove")
@db_option
@click.argument("rule_id", type=int)
@domain_errors
def rules_remove(db_url: str | None, rule_id: int) -> None:
    """Remove a review rule."""
    from hq.orders import review

    open_office(db_url)
    review.remove_rule(rule_id)
    click.echo(f"Rule {rule_id} removed.")


@click.group("rates")
def rates() -> None:
    """Exchange rates into the reporting currency (for limits and reports)."""


@rates.command("import")
@db_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@domain_errors
def rates_import(db_url: str | None, file: str) -> None:
    """Import rates from a CSV file with the columns day,currency,rate (one unit in the reporting currency)."""
    from pathlib import Path

    from hq.orders import settings

    open_office(db_url)
    count = settings.import_rates(Path(file).read_text(encoding="utf-8-sig"))
    click.echo(f"{count} rates imported (reporting currency {settings.reporting_currency()}).")


@click.command("setting")
@db_option
@click.argument("name", type=click.Choice(["reporting_currency", "manager_approval_above"]))
@click.argument("value")
@domain_errors
def setting(db_url: str | None, name: str, value: str) -> None:
    """Set reporting_currency (e.g. EUR) or manager_approval_above (an amount; empty: no limit)."""
    from hq.orders import settings

    open_office(db_url)
    settings.set_setting(name, value)
    click.echo(f"{name} = {settings.setting(name) or '(none)'}")


@click.command("location-setup")
@db_option
@click.argument("code")
@click.option("--country", help="ISO 3166 alpha-2, e.g. DE.")
@click.option("--postcode")
@click.option("--lat", type=click.FloatRange(-90, 90))
@click.option("--lon", type=click.FloatRange(-180, 180))
@click.option("--capacity", type=click.IntRange(0, 1_000_000), help="Channel orders a day it may take.")
@click.option("--fulfils/--no-fulfils", default=None, help="Whether it ships channel orders at all.")
@domain_errors
def location_setup(db_url: str | None, code: str, **values: object) -> None:
    """Where a location is and what it takes, for brokering."""
    from hq.orders import setup

    open_office(db_url)
    row = setup.set_location(code, **{k: v for k, v in values.items() if v is not None})
    click.echo(f"{code}: {row.country or '-'} {row.postcode or '-'}, capacity {row.daily_capacity or 'unlimited'}, "
               f"{'fulfils' if row.fulfils else 'does not fulfil'} channel orders.")


@click.command("safety-stock")
@db_option
@click.argument("location")
@click.argument("quantity")
@click.option("--sku", help="The product (default: every product at the location without its own).")
@domain_errors
def safety_stock(db_url: str | None, location: str, quantity: str, sku: str | None) -> None:
    """Keep QUANTITY back at LOCATION from what may be promised."""
    from hq.orders import setup

    open_office(db_url)
    setup.set_safety_stock(location, _decimal(quantity, "QUANTITY"), sku)
    click.echo(f"Safety stock at {location}{' for ' + sku if sku else ''}: {quantity}.")


@click.group("allocation-rules")
def allocation_rules() -> None:
    """Brokering rules: which locations fulfil a channel's orders, and how."""


@allocation_rules.command("list")
@db_option
@json_option
def allocation_rules_list(db_url: str | None, as_json: bool) -> None:
    """List allocation rules by channel and rank."""
    from hq.orders import setup

    open_office(db_url)
    rows = setup.list_allocation_rules()
    emit(rows, as_json, lambda items: "\n".join(
        f"{r['id']:>4} {r['channel'] or '*':<10} {r['position']:>5} {r['name']:<30} {','.join(r['locations']) or 'all'}"
        f" split={r['split']} min={r['split_min_value']} then {r['when_unplaced']}" for r in items)
        or "No allocation rules: the default places each order complete from the nearest location, or split.")


@allocation_rules.command("add")
@db_option
@click.argument("name")
@click.option("--channel", default="", help="Channel code (default: every channel without rules of its own).")
@click.option("--locations", default="", help="Comma-separated location codes (default: all).")
@click.option("--split", is_flag=True, help="May split the order over several locations.")
@click.option("--split-min", default="0", help="The least each split part must be worth.")
@click.option("--partial", is_flag=True, help="Place what it can and queue the rest.")
@click.option("--when-unplaced", type=click.Choice(["next", "backordered", "unfillable"]), default="next",
              show_default=True)
@click.option("--position", type=int)
@domain_errors
def allocation_rules_add(db_url: str | None, name: str, channel: str, locations: str, split: bool, split_min: str,
                         partial: bool, when_unplaced: str, position: int | None) -> None:
    """Add an allocation rule."""
    from hq.orders import setup

    open_office(db_url)
    row = setup.add_allocation_rule(name, channel=channel, locations=[c for c in locations.split(",") if c.strip()],
                                    split=split, split_min_value=_decimal(split_min, "--split-min"), partial=partial,
                                    when_unplaced=when_unplaced, position=position)
    click.echo(f"Allocation rule {row.id}: {row.name}.")


@allocation_rules.command("remove")
@db_option
@click.argument("rule_id", type=int)
@domain_errors
def allocation_rules_remove(db_url: str | None, rule_id: int) -> None:
    """Remove an allocation rule."""
    from hq.orders import setup

    open_office(db_url)
    setup.remove_allocation_rule(rule_id)
    click.echo(f"Allocation rule {rule_id} removed.")


COMMANDS = [add_channel, list_channels, new_channel_key, revoke_channel, show_order, _decided("approve"),
            _decided("reject"), _decided("hold"), _decided("cancel"), release, broker, rules, rates, setting,
            location_setup, safety_stock, allocation_rules]


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)
