"""`counter terminal`: open the counter app on the local store."""

from __future__ import annotations

from pathlib import Path

import click

from .common import domain_errors, open_local
from .config import Config


def scan_settings(cfg: Config) -> dict:
    """[scan] fnc1_standin = "|" for wedges that cannot send GS."""
    scan = cfg.section("scan")
    return {"fnc1_standin": scan.get("fnc1_standin") or None}


def run_terminal(cfg: Config, lang: str | None = None) -> None:
    """Start the app on an already opened store (the demo command calls this too).

    With a head office configured (`[sync] url`), the app syncs in the background; receipts and
    labels go to the printers of `[printing]` (by default PDFs in a folder, see printing/README.md).
    """
    from models.hq import restore_clock_offset
    from models.store import ensure_terminal
    from tui.app import CounterApp

    ensure_terminal(cfg.terminal, cfg.location)
    # The clock offset the last sync measured: sales stamped before the first sync of this run
    # are already on head office's time.
    restore_clock_offset()
    app = CounterApp(cfg.terminal, lang=lang or cfg.lang, data_dir=Path(cfg.database).parent,
                     sync_config=cfg if cfg.sync_url else None, printing=cfg.section("printing"), large_line=cfg.large_line(),
                     **scan_settings(cfg))
    try:
        app.run()
    finally:
        app.stop_background()


@click.command()
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), help="Language of the screens.")
@click.pass_context
@domain_errors
def terminal(ctx: click.Context, lang: str | None) -> None:
    """Open the counter app: log in with your user code (or badge) and PIN."""
    cfg = open_local(ctx)
    run_terminal(cfg, lang)
