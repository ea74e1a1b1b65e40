"""`counter init` and `counter user`: create the local store, register this terminal, add users."""

from __future__ import annotations

import sys

import click

from .common import domain_errors, emit, json_option, load_config, open_local

KINDS = ("store", "warehouse")


@click.command()
@click.option("--terminal", "terminal_code", help="This terminal's code, e.g. T01 (default: from config).")
@click.option("--location", "location_code", help="The store or warehouse code, e.g. STORE1.")
@click.option("--kind", type=click.Choice(KINDS), default="store", show_default=True,
              help="A store may sell below zero; a warehouse may not.")
@click.option("--currency", default="EUR", show_default=True, help="ISO 4217 currency of the till.")
@click.option("--name", "location_name", default="", help="The location's name (default: its code).")
@json_option
@click.pass_context
@domain_errors
def init(ctx: click.Context, terminal_code: str | None, location_code: str | None, kind: str, currency: str,
         location_name: str, as_json: bool) -> None:
    """Create (or open) the local store, register TERMINAL at LOCATION and save the config."""
    from models.errors import Conflict, DomainError
    from models.money import Money
    from models.places import Location, Terminal
    from models.store import ensure_terminal, open_store

    cfg = load_config(ctx, demo=False)
    cfg.terminal = (terminal_code or cfg.terminal).strip()
    cfg.location = (location_code or cfg.location).strip()
    currency = currency.strip().upper()
    if not cfg.terminal or not cfg.location:
        raise DomainError("Give a terminal code and a location code, e.g. --terminal T01 --location STORE1.")
    Money.zero(currency)  # refuses a currency that is not an ISO code
    open_store(cfg.database)
    existing = Location.get_or_none(Location.code == cfg.location)
    if existing is not None and (existing.kind, existing.currency) != (kind, currency):
        raise Conflict(f"{cfg.location} is already a {existing.kind} in {existing.currency}: "
                       f"use those, or another location code.")
    term = Terminal.get_or_none(Terminal.code == cfg.terminal)
    if term is not None and term.location.code != cfg.location:
        raise Conflict(f"Terminal {cfg.terminal} is already registered at {term.location.code}.")
    terminal = ensure_terminal(cfg.terminal, cfg.location, location_name=location_name, kind=kind,
                               currency=currency)
    config_file = cfg.save()
    location = terminal.location
    data = {"terminal": terminal.code, "location": location.code, "name": location.name, "kind": location.kind,
            "currency": location.currency, "database": cfg.database, "config": str(config_file)}
    emit(data, as_json, lambda d: (f"Terminal {d['terminal']} at {d['location']} ({d['kind']}, {d['currency']}).\n"
                                   f"Store: {d['database']}\nConfig: {d['config']}"))


@click.group()
def user() -> None:
    """Manage the people who work the counter."""


@user.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--role", type=click.Choice(["clerk", "supervisor", "manager"]), default="clerk", show_default=True)
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from the first line of standard input.")
@click.option("--pin", "pin_arg", help="The PIN on the command line (visible in the process list and "
              "shell history: for throwaway scripts only).")
@json_option
@click.pass_context
@domain_errors
def add_user(ctx: click.Context, code: str, name: str, role: str, pin_stdin: bool, pin_arg: str | None,
             as_json: bool) -> None:
    """Add user CODE (typed or scanned from a badge) called NAME, with a PIN of 4 to 12 digits."""
    from models.db import db
    from models.errors import Conflict
    from models.people import User, create_user

    if pin_stdin and pin_arg:
        raise click.UsageError("Use either --pin-stdin or --pin, not both.")
    open_local(ctx)  # before asking for a PIN that could not be stored
    if pin_arg is not None:
        click.echo("Warning: a PIN given with --pin shows in the process list and shell history; "
                   "prefer --pin-stdin.", err=True)
        pin = pin_arg
    elif pin_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = click.prompt("PIN", hide_input=True, confirmation_prompt="PIN again")
    code = code.strip()
    if User.get_or_none(User.code == code) is not None:
        raise Conflict(f"User {code} already exists: choose another code.")
    with db.atomic():
        created = create_user(code, name.strip(), pin.strip(), role)
    data = {"code": created.code, "name": created.name, "role": created.role,
            "discount_limit_pct": created.discount_limit_pct}
    emit(data, as_json, lambda d: f"Added {d['role']} {d['code']} {d['name']}.")


@user.command("list")
@json_option
@click.pass_context
def list_users(ctx: click.Context, as_json: bool) -> None:
    """List the users of this store (never their PINs)."""
    from models.people import User

    open_local(ctx)
    rows = [{"code": u.code, "name": u.name, "role": u.role, "active": u.active}
            for u in User.select().order_by(User.code)]
    emit(rows, as_json, lambda rs: "\n".join(f"{r['code']:<8} {r['role']:<10} {r['name']}" for r in rs)
         or "No users yet: add one with `counter user add`.")
