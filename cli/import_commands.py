"""`counter import KIND FILE.csv`: bring products, prices, stock or customers over from an old system."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click

from models.importing import (
    DRY_RUN,
    KINDS,
    PRICES,
    PRODUCTS,
    REFUSED,
    ImportFileError,
    ImportReport,
    run_import,
)

from .common import domain_errors, emit, json_option, open_local

# Once a terminal is enrolled, head office is the one catalogue: a local import would be refused there.
HEAD_OFFICE_OWNS = (PRODUCTS, PRICES)


def human_report(report: ImportReport) -> str:
    verb = {DRY_RUN: "Would import", REFUSED: "Nothing imported from"}.get(report.status, "Imported")
    lines = [f"{verb} {report.path} ({report.kind}, {report.encoding}, "
             f"delimiter {report.delimiter!r}): {report.created} created, {report.updated} updated, "
             f"{report.unchanged} unchanged, {report.rejected_count} rejected."]
    if report.ignored_columns:
        lines.append(f"Ignored columns: {', '.join(report.ignored_columns)}.")
    for rejection in report.rejected:
        lines.append(f"  line {rejection.line}: {rejection.reason}")
    hidden = report.rejected_count - len(report.rejected)
    if hidden:
        lines.append(f"  ... and {hidden:,} more rejected rows"
                     + (" (all of them are in the rejected file)." if report.rejected_path else "."))
    if report.status == REFUSED:
        lines.append("Fix these rows and import again, or add --skip-bad to import the good rows only.")
    if report.rejected_path:
        lines.append(f"Rejected rows written to {report.rejected_path} (fix them and import that file).")
    if report.reference and report.created:
        lines.append(f"Count events posted under reference {report.reference}.")
    return "\n".join(lines)


def progress_bar() -> Callable[[str, int, int | None], None] | None:
    """A one-line bar on stderr while a big file imports, when stderr is a terminal (never in a pipe):
    rows checked in the first pass, then a bar of the rows written (or planned) in the second."""
    stream = click.get_text_stream("stderr")
    if not stream.isatty():
        return None
    started = time.monotonic()

    def show(step: str, rows: int, total: int | None) -> None:
        done = 20 * rows // total if total else 0
        bar = "#" * done + "." * (20 - done)
        stream.write(f"\r\033[K[{bar}] {rows:,} rows {step} ({time.monotonic() - started:.1f} s)")
        stream.flush()

    return show


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report what would change; write nothing.")
@click.option("--skip-bad", is_flag=True,
              help="Import the good rows; write the bad ones with a reason to FILE.rejected.csv.")
@click.option("--encoding", help="The file's encoding if not UTF-8 or GB18030 (e.g. cp1252, big5).")
@click.option("--user", "user_code", default="import", show_default=True,
              help="User the stock count events are booked to (the default is made on first use).")
@json_option
@click.pass_context
@domain_errors
def import_(ctx: click.Context, kind: str, file: Path, dry_run: bool, skip_bad: bool, encoding: str | None,
            user_code: str, as_json: bool) -> None:
    """Import KIND (products, prices, stock, customers) from FILE.csv. Formats: docs/import.md.

    Every row is checked first; if any is bad nothing is imported (unless --skip-bad). Importing
    the same file again changes nothing. Exit code 1 when rows were refused and nothing imported.
    Products and prices are head office's once this terminal is enrolled (`counter hq import`);
    a catalogue imported before enrolling is sent to head office when the terminal enrols.
    """
    cfg = open_local(ctx)
    if cfg.sync_token and kind in HEAD_OFFICE_OWNS:
        raise click.ClickException(
            f"This terminal is enrolled with head office ({cfg.sync_url or 'its URL is in the config'}), which owns "
            f"the {kind}: import them there with `counter hq import {kind} {file.name}`; they reach this terminal "
            "with its next sync.")
    bar = progress_bar()
    try:
        report = run_import(kind, file, dry_run=dry_run, skip_bad=skip_bad, encoding=encoding,
                            terminal=cfg.terminal, user=user_code, progress=bar)
    except ImportFileError as exc:
        if as_json:
            emit({"kind": kind, "file": str(file), "status": "error", "line": exc.line, "error": exc.reason},
                 True)
            ctx.exit(1)
        raise
    if bar:
        click.get_text_stream("stderr").write("\r\033[K")  # the summary below says it all
    # The whole plan as JSON only when asked: for 100,000 rows it is most of the time and memory.
    emit(report.as_dict() if as_json else None, as_json, lambda _: human_report(report))
    if report.status == REFUSED:
        ctx.exit(1)
