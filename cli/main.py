"""`counter`: one command, a subcommand per job. Subcommands load lazily so the terminal starts fast."""

from __future__ import annotations

import datetime
import importlib
import sys
import traceback
from pathlib import Path

import click
import peewee

from models.db import store_problem
from models.errors import DomainError

# name -> (module:attribute, one-line purpose). The purpose shows in `counter --help` without
# importing the command's module (Textual, FastAPI and friends stay unloaded until needed).
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("cli.demo_commands:demo", "Seed demo data (if empty), start a head office on loopback (port 8765) and open the terminal."),
    "terminal": ("cli.terminal_commands:terminal", "Open the counter app on the local store."),
    "init": ("cli.store_commands:init", "Create the local store and register this terminal and location."),
    "user": ("cli.store_commands:user", "Add a user (clerk, supervisor, manager) with a PIN."),
    "stock": ("cli.stock_commands:stock", "Show stock of a product by SKU or barcode, here and per bin and lot."),
    "receive": ("cli.stock_commands:receive", "Book goods in (blind or against an expected delivery)."),
    "sell": ("cli.stock_commands:sell", "Ring up a counter sale from the shell."),
    "count": ("cli.stock_commands:count", "Post a physical count of a product."),
    "verify": ("cli.books_commands:verify", "Re-derive every stock level from the ledger, check the counts, report differences."),
    "export": ("cli.books_commands:export", "Export stock levels, events or orders as CSV or JSON."),
    "import": ("cli.import_commands:import_", "Import products, prices, stock or customers from an old system's CSV."),
    "hq": ("cli.hq_commands:hq", "Run the head-office server, or manage its locations, terminals, channels, orders and catalogue."),
    "enroll": ("cli.sync_commands:enroll", "Enrol this terminal with head office using a one-time token."),
    "sync": ("cli.sync_commands:sync", "Run one sync with head office now."),
    "status": ("cli.sync_commands:status", "Show the sync state: outbox size, cursor, last sync, last error."),
    "print-test": ("cli.print_commands:print_test", "Print a test page with every barcode kind."),
    "print": ("cli.print_commands:print_group", "Print product labels and shelf labels."),
}


GLOBAL_OPTIONS = ("--config", "--db", "--terminal", "--lang")  # each takes a value


def _own_options(command: click.Command, rest: list[str], ctx: click.Context) -> set[str]:
    """The option names `command` (and the subcommand it is followed by, for a group) declares."""
    names = {opt for param in command.params for opt in getattr(param, "opts", [])}
    if isinstance(command, click.Group) and rest:
        sub = command.get_command(ctx, rest[0])
        if sub is not None:
            names |= _own_options(sub, rest[1:], ctx)
    return names


class LazyGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self.hoist_global_options(ctx, args))

    def hoist_global_options(self, ctx: click.Context, args: list[str]) -> list[str]:
        """`counter demo --lang zh_CN` means `counter --lang zh_CN demo`: a global option written
        after the subcommand moves before it, unless that subcommand has an option of the name."""
        front, i = [], 0
        while i < len(args) and args[i] not in COMMANDS:
            i += 1 if "=" in args[i] or args[i] not in GLOBAL_OPTIONS else 2
        if i >= len(args):
            return args
        front, rest = args[:i + 1], []
        tail = args[i + 1:]
        own = _own_options(self.get_command(ctx, args[i]), tail, ctx)
        j = 0
        while j < len(tail):
            name = tail[j].split("=", 1)[0]
            if tail[j] == "--":
                rest += tail[j:]
                break
            if name in GLOBAL_OPTIONS and name not in own:
                size = 1 if "=" in tail[j] else 2
                front[:0] = tail[j:j + size]
                j += size
                continue
            rest.append(tail[j])
            j += 1
        return front + rest

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
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Config file (default: env COUNTER_CONFIG, else counter-oms/counter.toml in the platform's "
                   "config dir; until that exists, the demo's demo.toml beside it).")
@click.option("--db", "database", help="Local store file (default from config; env COUNTER_DB).")
@click.option("--terminal", "terminal", help="Terminal code, e.g. T01 (env COUNTER_TERMINAL).")
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), help="Language of the screens and messages.")
@click.version_option(package_name="counter-oms")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, database: str | None, terminal: str | None,
        lang: str | None) -> None:
    """Counter OMS: orders and stock for store and warehouse counters, offline first."""
    ctx.obj = {"config_path": config_path, "database": database, "terminal": terminal, "lang": lang}


def crash_log() -> Path:
    """Where an unexpected error's traceback goes (COUNTER_LOG, else the platform's log dir)."""
    import os

    import platformdirs

    return Path(os.environ.get("COUNTER_LOG") or Path(platformdirs.user_log_dir("counter-oms")) / "counter.log")


def _store_named() -> str:
    from models.db import db

    return str(getattr(db.obj, "database", "") or "the store")


def main() -> None:
    try:
        cli(prog_name="counter")
    except KeyboardInterrupt:
        sys.exit(130)
    except DomainError as exc:  # a refusal that a command did not word itself: nothing was written
        click.echo(f"counter: {exc}", err=True)
        sys.exit(1)
    except peewee.DatabaseError as exc:  # the store file itself: read-only, locked, full disk, damaged
        click.echo(f"counter: {store_problem(exc, _store_named())}", err=True)
        sys.exit(1)
    except Exception as exc:  # a fault, not a refusal (those exit 1 with their message): log it, say one line
        path = crash_log()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(f"--- {datetime.datetime.now().isoformat()} counter {' '.join(sys.argv[1:])}\n")
                log.write("".join(traceback.format_exception(exc)))
            where = f" Details: {path}"
        except OSError:
            where = ""
        click.echo(f"counter: unexpected error ({type(exc).__name__}: {str(exc)[:200]}). The command did not "
                   f"finish; what it was writing was not kept.{where}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
