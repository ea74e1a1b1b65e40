"""`counter demo`: the first command in the README. Seeds a demo shop (only into an empty store),
prints where it is and how to log in, then opens the counter app on it.

The demo never touches the real store or config: it uses `demo.db` beside the normal store (or
`--db`) and writes its own `demo.toml` beside the normal config file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import click

from . import config as config_mod
from .common import domain_errors, emit, json_option


def demo_database(ctx: click.Context) -> Path:
    given = (ctx.find_root().obj or {}).get("database")
    return Path(given) if given else config_mod.default_database().parent / "demo.db"


def demo_config_path(ctx: click.Context) -> Path:
    given = (ctx.find_root().obj or {}).get("config_path")
    base = Path(given) if given else config_mod.config_path()
    return base.parent / "demo.toml"


# --- hook for the sync engineer ------------------------------------------------------------------
def start_local_head_office(cfg: config_mod.Config) -> Any | None:
    """Start a head office on loopback for the demo, or return None if this build has none.

    HOOK: kept deliberately simple. It starts `sync.hq.server.serve_in_thread` on a free port with
    its own database beside the demo store and returns the handle (`.url`, `.stop()`). Enrolling
    the demo terminal and pointing `cfg.sync_url` at it is left to the sync side.
    """
    try:
        from sync.hq.server import serve_in_thread
    except ImportError:
        return None
    hq_db = Path(cfg.database).with_name("demo-hq.db")
    return serve_in_thread(str(hq_db), port=0)
# --- end of hook ---------------------------------------------------------------------------------


def terminal_available() -> bool:
    try:
        return importlib.util.find_spec("cli.terminal_commands") is not None
    except (ImportError, ValueError):
        return False


def _human(d: dict) -> str:
    lines = []
    if d["seeded"]:
        s = d["seeded"]
        lines.append(f"Seeded the demo shop: {s['products']} products ({s['weight_priced']} by weight, "
                     f"{s['pack_barcodes']} with case barcodes, {s['lot_tracked']} lot-tracked), "
                     f"{s['stock_events']} stock receipts, deliveries {', '.join(s['deliveries'])}.")
    else:
        lines.append("The demo store already has products: nothing seeded.")
    lines += [f"Store:  {d['database']}", f"Config: {d['config']}",
              f"Terminal {d['terminal']} at {d['location']} (warehouse terminal {d['warehouse_terminal']} "
              f"at {d['warehouse']}).", "Logins (user code / PIN):"]
    lines += [f"  {u['role']:<10} {u['code']} / {u['pin']}  {u['name']}" for u in d["logins"]]
    return "\n".join(lines)


@click.command()
@click.option("--seed-only", is_flag=True, help="Seed (if empty) and exit without opening the terminal.")
@click.option("--products", default=None, type=int, help="How many products to seed (default 2000).")
@click.option("--seed", "random_seed", default=None, type=int, help="Random seed for the catalogue.")
@json_option
@click.pass_context
@domain_errors
def demo(ctx: click.Context, seed_only: bool, products: int | None, random_seed: int | None,
         as_json: bool) -> None:
    """Seed a demo shop into demo.db (only if empty), show the logins, open the counter app."""
    from models import demo as demo_data
    from models.store import open_store

    products = demo_data.DEFAULT_PRODUCTS if products is None else products
    available = demo_data.available_products()
    if not 0 < products <= available:
        raise click.BadParameter(f"between 1 and {available}", param_hint="--products")
    database = demo_database(ctx)
    cfg = config_mod.Config(terminal=demo_data.STORE_TERMINAL, location=demo_data.STORE_CODE,
                            database=str(database), path=demo_config_path(ctx))
    lang = (ctx.find_root().obj or {}).get("lang")
    if lang:
        cfg.lang = lang
    open_store(database)
    summary = demo_data.seed_demo(products, demo_data.DEFAULT_SEED if random_seed is None else random_seed)
    config_file = cfg.save()
    data = {
        "seeded": demo_data.describe(summary) if summary else None,
        "database": str(database), "config": str(config_file),
        "terminal": demo_data.STORE_TERMINAL, "location": demo_data.STORE_CODE,
        "warehouse_terminal": demo_data.WAREHOUSE_TERMINAL, "warehouse": demo_data.WAREHOUSE_CODE,
        "logins": [{"code": c, "pin": p, "role": r, "name": n} for c, p, r, n in demo_data.DEMO_LOGINS],
    }
    emit(data, as_json, _human)
    if seed_only:
        return
    if not terminal_available():
        click.echo("The counter app is not in this build yet: try `counter --config "
                   f"{config_file} stock DAI-0001`.", err=True)
        return
    # The terminal command reads the config and store named on the root context.
    root = ctx.find_root()
    root.obj = {**(root.obj or {}), "config_path": str(config_file), "database": str(database),
                "terminal": demo_data.STORE_TERMINAL}
    from .terminal_commands import terminal  # type: ignore[import-not-found]

    hq = start_local_head_office(cfg)
    try:
        if hq is not None:
            click.echo(f"Head office on {hq.url}", err=True)
        ctx.invoke(terminal)
    finally:
        if hq is not None:
            hq.stop()
