"""`counter hq`: run the head office, and manage the terminals allowed to sync with it."""

from __future__ import annotations

import click

from .common import domain_errors, emit, json_option
from .hq_common import db_option, office_url, open_office


@click.group(invoke_without_command=True)
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
@click.pass_context
def hq(ctx: click.Context, db_url: str | None, host: str, port: int) -> None:
    """Run the head-office server (the default), or manage its locations, terminals, channels, orders and rules."""
    ctx.ensure_object(dict)
    if db_url:
        ctx.obj["hq_db"] = db_url
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve, db_url=db_url, host=host, port=port)


@hq.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes sharing the database (e.g. one per CPU core).")
def serve(db_url: str | None, host: str, port: int, workers: int = 1) -> None:
    """Serve the sync API (OpenAPI at /docs, health at /health); JSON log lines on stderr."""
    from hq.server import serve as run

    db_url = office_url(db_url)
    click.echo(f"Head office on http://{host}:{port} (database {db_url}); Ctrl+C stops it.", err=True)
    run(db_url, host=host, port=port, workers=workers)


@hq.command("add-terminal")
@db_option
@click.option("--location", required=True, help="Location code the terminal works at, e.g. STORE1.")
@click.option("--code", help="Terminal code (default: the next free T01, T02, ...).")
@json_option
@domain_errors
def add_terminal(db_url: str | None, location: str, code: str | None, as_json: bool) -> None:
    """Register a terminal and print its one-time enrolment token."""
    from hq import auth

    open_office(db_url)
    new = auth.add_terminal(location, code)
    emit({"terminal": new.code, "location": new.location, "token": new.enroll_token}, as_json,
         lambda d: f"Terminal {d['terminal']} at {d['location']}. One-time token (shown once):\n{d['token']}\n"
                   f"On the terminal: counter enroll URL {d['token']}")


@hq.command("add-location")
@db_option
@click.argument("code")
@click.option("--name", default="", help="The location's name (default: its code).")
@click.option("--kind", type=click.Choice(["store", "warehouse"]), default="store", show_default=True,
              help="A store may sell below zero; a warehouse may not.")
@click.option("--currency", default="EUR", show_default=True, help="ISO 4217 currency of its tills.")
@json_option
@domain_errors
def add_location(db_url: str | None, code: str, name: str, kind: str, currency: str, as_json: bool) -> None:
    """Add a store or warehouse that terminals can then be registered at."""
    from hq import auth

    open_office(db_url)
    loc = auth.add_location(code, name, kind, currency)
    emit({"location": loc.code, "name": loc.name, "kind": loc.kind, "currency": loc.currency}, as_json,
         lambda d: f"Location {d['location']} ({d['name']}, {d['kind']}, {d['currency']}). Next: "
                   f"counter hq add-terminal --location {d['location']}")


@hq.command("revoke-terminal")
@db_option
@click.argument("code")
@domain_errors
def revoke_terminal(db_url: str | None, code: str) -> None:
    """Revoke a terminal's credential: its next call gets 401."""
    from hq import auth

    open_office(db_url)
    cred = auth.revoke(code)
    click.echo(f"Terminal {cred.code} revoked; enrol it again with a new token from add-terminal.")


@hq.command("list-terminals")
@db_option
@json_option
def list_terminals(db_url: str | None, as_json: bool) -> None:
    """List terminals with their location, enrolment and last contact."""
    from hq import auth

    open_office(db_url)
    rows = [{"terminal": c.code, "location": c.location_code,
             "state": "revoked" if c.revoked_at else ("enrolled" if c.enrolled_at else "waiting for enrolment"),
             "enrolled_at": c.enrolled_at, "last_seen_at": c.last_seen_at} for c in auth.list_terminals()]

    def human(items: list[dict]) -> str:
        if not items:
            return "No terminals yet: counter hq add-terminal --location STORE1"
        return "\n".join(f"{r['terminal']:<8} {r['location']:<10} {r['state']:<22} last seen {r['last_seen_at'] or '-'}"
                         for r in items)

    emit(rows, as_json, human)


@hq.command("import")
@db_option
@click.argument("kind", type=click.Choice(["products", "prices", "customers", "orders"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and report what would change; write nothing.")
@click.option("--skip-bad", is_flag=True,
              help="Import the good rows; write the bad ones with a reason to FILE.rejected.csv.")
@click.option("--encoding", help="The file's encoding if not UTF-8 or GB18030 (e.g. cp1252, big5).")
@click.option("--channel", help="orders: the channel they came from (counter hq list-channels).")
@json_option
@click.pass_context
@domain_errors
def import_(ctx: click.Context, db_url: str | None, kind: str, file: str, dry_run: bool, skip_bad: bool,
            encoding: str | None, channel: str | None, as_json: bool) -> None:
    """Import KIND (products, prices, customers) into head office's catalogue from FILE.csv, in the
    formats of `counter import` (docs/import.md); every terminal gets them with its next sync.
    `orders` takes a channel's orders (README, "Orders from channels"), each reviewed and brokered."""
    from models.importing import REFUSED, ImportFileError, run_import

    from .import_commands import human_report

    open_office(db_url)
    if kind == "orders":
        _import_orders(ctx, file, channel, dry_run, as_json)
        return
    try:
        report = run_import(kind, file, dry_run=dry_run, skip_bad=skip_bad, encoding=encoding, terminal="")
    except ImportFileError as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    emit(report.as_dict(), as_json, lambda _: human_report(report))
    if report.status == REFUSED:
        ctx.exit(1)


def _import_orders(ctx: click.Context, file: str, channel: str | None, dry_run: bool, as_json: bool) -> None:
    from hq.orders import channels
    from hq.orders.csv_import import import_orders

    if not channel:
        raise click.UsageError("Orders come from a channel: add --channel CODE (counter hq list-channels).")
    result = import_orders(channels.channel(channel), file, dry_run=dry_run)

    def human(d: dict) -> str:
        head = (f"{'Would take' if dry_run else 'Took'} {d['taken']} orders; {d['already_taken']} were taken before; "
                f"{len(d['refused'])} refused.")
        return "\n".join([head] + [f"  {r['channel_order_id']} (rows {r['rows']}): {r['reason']}" for r in d["refused"]])

    emit(result.as_dict(), as_json, human)
    if result.refused:
        ctx.exit(1)


from . import hq_order_commands  # noqa: E402 - its commands join the group above

hq_order_commands.register(hq)
