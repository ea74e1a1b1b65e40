"""`counter enroll`, `counter sync`, `counter status`: this terminal and head office."""

from __future__ import annotations

import click

from .common import domain_errors, emit, json_option, open_local


@click.command()
@click.argument("url")
@click.argument("token")
@json_option
@click.pass_context
@domain_errors
def enroll(ctx: click.Context, url: str, token: str, as_json: bool) -> None:
    """Enrol this terminal with head office at URL using a one-time TOKEN, and pull the catalogue."""
    from sync.client import SyncError
    from sync.client import enroll as do_enroll

    cfg = open_local(ctx, create=True)
    try:
        result = do_enroll(url, token, cfg)
    except SyncError as exc:
        raise click.ClickException(str(exc)) from None
    counts = result.pull.applied.counts
    emit({"terminal": result.terminal, "location": result.location, "config": str(cfg.path), "pulled": counts},
         as_json, lambda d: f"Enrolled as {d['terminal']} at {d['location']}; pulled "
                            f"{counts.get('products', 0)} products, {counts.get('users', 0)} users. "
                            f"Credential saved in {d['config']}.")


@click.command()
@json_option
@click.pass_context
@domain_errors
def sync(ctx: click.Context, as_json: bool) -> None:
    """Run one sync now: push the outbox, then pull changes."""
    from sync.client import run_sync

    cfg = open_local(ctx)
    result = run_sync(cfg)
    data = {"ok": result.ok, "skipped": result.skipped, "error": result.error or None,
            "pushed": result.push.sent, "accepted": result.push.accepted, "rejected": result.push.rejected,
            "pages": result.pull.pages, "pulled": result.pull.applied.counts, "cursor": result.pull.cursor,
            "clock_offset_seconds": result.clock_offset.total_seconds()}
    emit(data, as_json, lambda d: (f"Synced: pushed {d['pushed']} ({d['accepted']} accepted, {len(d['rejected'])} "
                                   f"refused), pulled {sum(d['pulled'].values())} changes in {d['pages']} pages."
                                   if d["ok"] else f"Sync failed: {d['error']}"))
    if not result.ok:
        ctx.exit(1)


@click.command()
@json_option
@click.pass_context
@domain_errors
def status(ctx: click.Context, as_json: bool) -> None:
    """Show the sync state: outbox size, cursor, last sync, last error."""
    from sync.client import status as sync_status

    cfg = open_local(ctx)
    data = {"enrolled": bool(cfg.sync_token), "url": cfg.sync_url or None, "terminal": cfg.terminal,
            "location": cfg.location} | sync_status()
    emit(data, as_json, lambda d: "\n".join(f"{k}: {v}" for k, v in d.items()))
