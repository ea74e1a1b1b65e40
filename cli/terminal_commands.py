"""`counter terminal`: open the counter app on the local store."""

from __future__ import annotations

import inspect
from pathlib import Path

import click

from .common import domain_errors, open_local
from .config import Config


def sync_runner_for(cfg: Config):  # noqa: ANN201 - a zero-argument callable or None
    """The sync hook the app's F9 calls: ``sync.client.run_sync`` when this build has it and a
    head office is configured."""
    from tui.services import find_sync_runner

    runner = find_sync_runner()
    if runner is None or not cfg.sync_url:
        return None
    return (lambda: runner(cfg)) if inspect.signature(runner).parameters else runner


def scan_settings(cfg: Config) -> dict:
    """[scan] fnc1_standin = "|" for wedges that cannot send GS."""
    scan = cfg.section("scan")
    return {"fnc1_standin": scan.get("fnc1_standin") or None}


def run_terminal(cfg: Config, lang: str | None = None) -> None:
    """Start the app on an already opened store (the demo command calls this too)."""
    from models.store import ensure_terminal
    from tui.app import CounterApp

    ensure_terminal(cfg.terminal, cfg.location)
    app = CounterApp(cfg.terminal, lang=lang or cfg.lang, data_dir=Path(cfg.database).parent,
                     sync_runner=sync_runner_for(cfg), **scan_settings(cfg))
    app.run()


@click.command()
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), help="Language of the screens.")
@click.pass_context
@domain_errors
def terminal(ctx: click.Context, lang: str | None) -> None:
    """Open the counter app: log in with your user code (or badge) and PIN."""
    cfg = open_local(ctx)
    run_terminal(cfg, lang)
