"""`counter`: one command, a subcommand per job. Subcommands load lazily so the terminal starts fast."""

from __future__ import annotations

import importlib
import sys

import click

# name -> (module:attribute, one-line purpose). The purpose shows in `counter --help` without
# importing the command's module (Textual, FastAPI and friends stay unloaded until needed).
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("cli.demo_commands:demo", "Seed demo data (if empty), start a head office on loopback and open the terminal."),
    "terminal": ("cli.terminal_commands:terminal", "Open the counter app on the local store."),
    "init": ("cli.store_commands:init", "Create the local store and register this terminal and location."),
    "user": ("cli.store_commands:user", "Add a user (clerk, supervisor, manager) with a PIN."),
    "stock": ("cli.stock_commands:stock", "Show stock of a product by SKU or barcode, here and per bin and lot."),
    "receive": ("cli.stock_commands:receive", "Book goods in (blind or against an expected delivery)."),
    "sell": ("cli.stock_commands:sell", "Ring up a counter sale from the shell."),
    "count": ("cli.stock_commands:count", "Post a physical count of a product."),
    "verify": ("cli.stock_commands:verify", "Re-derive every stock level from the ledger, check the counts, report differences."),
    "export": ("cli.stock_commands:export", "Export stock levels, events or orders as CSV or JSON."),
    "import": ("cli.import_commands:import_", "Import products, prices, stock or customers from an old system's CSV."),
    "hq": ("cli.hq_commands:hq", "Run the head-office server, or manage its terminals."),
    "enroll": ("cli.sync_commands:enroll", "Enrol this terminal with head office using a one-time token."),
    "sync": ("cli.sync_commands:sync", "Run one sync with head office now."),
    "status": ("cli.sync_commands:status", "Show the sync state: outbox size, cursor, last sync, last error."),
    "print-test": ("cli.print_commands:print_test", "Print a test page with every barcode kind."),
    "print": ("cli.print_commands:print_group", "Print product labels and shelf labels."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        target, _ = COMMANDS[name]
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise click.ClickException(f"`counter {name}` is not available in this build ({exc}).") from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="COUNTER_CONFIG",
              help="Config file (default: the platform's config dir, counter-oms/counter.toml).")
@click.option("--db", "database", help="Local store file (default from config; env COUNTER_DB).")
@click.option("--terminal", "terminal", help="Terminal code, e.g. T01 (env COUNTER_TERMINAL).")
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), help="Language of the screens and messages.")
@click.version_option(package_name="counter-oms")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, database: str | None, terminal: str | None,
        lang: str | None) -> None:
    """Counter OMS: orders and stock for store and warehouse counters, offline first."""
    ctx.obj = {"config_path": config_path, "database": database, "terminal": terminal, "lang": lang}


def main() -> None:
    try:
        cli(prog_name="counter")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
