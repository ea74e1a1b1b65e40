"""`counter demo`: the first command in the README. Seeds a demo shop into a head office on loopback
(only the first time), enrols the demo counter with it (which pulls the shop), shows the logins and
opens the counter app; head office stops when the app closes.

The demo never touches the real store or config: it uses `demo.db` beside the normal store (or
`--db`) and writes its own `demo.toml` beside the normal config file. Until the machine has a
config of its own (`counter init`), every later command uses the demo's, so `counter status`,
`counter sync` or `counter export stock` right after the demo work on the demo shop. Head office
listens on the fixed port 8765 while the demo runs (another free port if that one is taken).

The warehouse terminal W01 has its own store and config beside them (`demo-W01.db`,
`demo-W01.toml`), enrolled at WH1: `counter demo --warehouse` opens it.
"""

from __future__ import annotations

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


HQ_TERMINALS = ("HQ-STORE1", "HQ-WH1")  # head office's own bookings of the opening stock


def warehouse_config(cfg: config_mod.Config) -> config_mod.Config:
    """The demo warehouse terminal's own config and store, beside the demo counter's."""
    from models import demo as demo_data

    code = demo_data.WAREHOUSE_TERMINAL
    path = Path(cfg.path or "demo.toml").with_name(f"demo-{code}.toml")
    wh = config_mod.load(path) if path.exists() else config_mod.Config(path=path)
    wh.terminal, wh.location = code, demo_data.WAREHOUSE_CODE
    wh.database, wh.lang = str(Path(cfg.database).with_name(f"demo-{code}.db")), cfg.lang
    return wh


def start_head_office(cfg: config_mod.Config, products: int, seed: int,
                      port: int | None = None) -> tuple[Any, dict | None]:
    """Start the demo head office on loopback, seeding its database the first time.

    Head office holds the shop (catalogue, users, opening stock); the counters enrol with it and
    pull everything, exactly as a real terminal does. It takes `port` (default 8765, so the saved
    sync address stays right between runs), or any free port if that one is busy.
    """
    from hq.server import DEFAULT_PORT, serve_in_thread
    from models import demo as demo_data
    from models.db import bind

    where = str(Path(cfg.database).with_name("demo-hq.db"))
    try:
        hq = serve_in_thread(where, port=DEFAULT_PORT if port is None else port)
    except OSError:  # the port is taken (another head office runs here)
        hq = serve_in_thread(where, port=0)
    with bind(hq.database), hq.database.connection_context():
        summary = demo_data.seed_demo(products, seed, booked_by=HQ_TERMINALS)
        if summary is not None:
            # Head office booked the opening stock itself: nothing of its own to send anywhere.
            from models.outbox import OutboxEntry

            OutboxEntry.delete().execute()
    return hq, demo_data.describe(summary) if summary else None


def connect_terminal(cfg: config_mod.Config, hq: Any) -> None:
    """Enrol a demo terminal with head office (first run) or point it at this run's address.
    Opens (and leaves open) that terminal's store."""
    from hq.auth import add_terminal
    from hq.models import TerminalCredential
    from models import demo as demo_data
    from models.db import bind
    from models.store import open_store
    from sync.client import enroll

    open_store(cfg.database)
    if cfg.sync_token and not demo_data.is_empty():
        cfg.sync_url = hq.url  # another port if 8765 was taken
        cfg.save()
        return
    with bind(hq.database), hq.database.connection_context():
        # A demo store that was deleted lost its credential: issue a fresh one.
        TerminalCredential.delete().where(TerminalCredential.code == cfg.terminal).execute()
        token = add_terminal(cfg.location, cfg.terminal).enroll_token
    enroll(hq.url, token, cfg)


def _human(d: dict) -> str:
    lines = []
    if d["seeded"]:
        s = d["seeded"]
        lines.append(f"Seeded the demo shop: {s['products']} products ({s['weight_priced']} by weight, "
                     f"{s['pack_barcodes']} with case barcodes, {s['lot_tracked']} lot-tracked), "
                     f"{s['stock_events']} stock receipts, deliveries {', '.join(s['deliveries'])}.")
    else:
        lines.append("The demo shop was seeded before: nothing seeded.")
    lines += [f"Head office: {d['head_office']} (stops when the app closes)",
              f"Store:  {d['database']}", f"Config: {d['config']}",
              f"Terminal {d['terminal']} at {d['location']}; warehouse terminal {d['warehouse_terminal']} "
              f"at {d['warehouse']}: `counter demo --warehouse` opens it.",
              "While the demo runs, `counter status`, `counter sync` and the other commands use its store.",
              "Logins (user code / PIN):"]
    lines += [f"  {u['role']:<10} {u['code']} / {u['pin']}  {u['name']}" for u in d["logins"]]
    return "\n".join(lines)


@click.command()
@click.option("--seed-only", is_flag=True, help="Seed (if empty) and exit without opening the terminal.")
@click.option("--products", default=None, type=int, help="How many products to seed (default 2000).")
@click.option("--seed", "random_seed", default=None, type=int, help="Random seed for the catalogue.")
@click.option("--warehouse", is_flag=True, help="Open the warehouse terminal W01 (at WH1) instead of T01.")
@json_option
@click.pass_context
@domain_errors
def demo(ctx: click.Context, seed_only: bool, products: int | None, random_seed: int | None,
         warehouse: bool, as_json: bool) -> None:
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
    existing = cfg.path.exists() and config_mod.load(cfg.path)
    if existing:
        cfg.sync_token, cfg.sync_url = existing.sync_token, existing.sync_url
    open_store(database)
    seed = demo_data.DEFAULT_SEED if random_seed is None else random_seed
    hq, seeded = start_head_office(cfg, products, seed)
    wh = warehouse_config(cfg)
    opened = wh if warehouse else cfg
    try:
        for terminal_cfg in sorted((cfg, wh), key=lambda c: c is opened):  # the one to open last
            connect_terminal(terminal_cfg, hq)
    except BaseException:
        hq.stop()
        raise
    config_file = cfg.save()
    wh.save()
    data = {
        "seeded": seeded, "head_office": hq.url,
        "database": str(database), "config": str(config_file),
        "terminal": demo_data.STORE_TERMINAL, "location": demo_data.STORE_CODE,
        "warehouse_terminal": demo_data.WAREHOUSE_TERMINAL, "warehouse": demo_data.WAREHOUSE_CODE,
        "warehouse_database": wh.database, "warehouse_config": str(wh.path),
        "logins": [{"code": c, "pin": p, "role": r, "name": n} for c, p, r, n in demo_data.DEMO_LOGINS],
    }
    emit(data, as_json, _human)
    try:
        if seed_only:
            return
        # The terminal command reads the config and store named on the root context.
        root = ctx.find_root()
        root.obj = {**(root.obj or {}), "config_path": str(opened.path), "database": opened.database,
                    "terminal": opened.terminal}
        from .terminal_commands import terminal

        ctx.invoke(terminal)
    finally:
        hq.stop()
