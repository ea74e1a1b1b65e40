"""`counter print-test` and `counter print label|shelf-label`: labels and test pages from the shell.

Jobs go through the terminal's durable print queue; the command sends them before exiting and
says where they went (or that they are queued because the printer is unreachable).
"""

from __future__ import annotations

import click


def _service(ctx: click.Context):  # noqa: ANN202
    from cli.common import load_config
    from printing.config import PrintingConfig
    from printing.service import PrintService

    cfg = load_config(ctx)
    return PrintService(PrintingConfig.from_dict(cfg.section("printing"))), cfg


def _send_and_report(service, job_ids: list[str]) -> None:  # noqa: ANN001
    service.process_pending()
    for job_id in job_ids:
        job = service.job(job_id)
        printer = service.config.printer(job.printer)
        where = printer.make_backend().describe()
        if job.state == "sent":
            extra = ""
            if printer.backend == "folder":
                from printing.backends.base import Outgoing
                from printing.backends.folder import FolderBackend
                from printing.renderers import EXTENSIONS

                path = FolderBackend(printer.target).path_for(
                    Outgoing(job.id, job.title, b"", EXTENSIONS[job.format], False)
                )
                extra = f": {path}"
            click.echo(f"Printed {job.title} on {printer.name} ({where}){extra}")
        else:
            click.echo(
                f"Queued {job.title} for {printer.name} ({where}): {job.last_error or job.state}. "
                "It will be sent when the printer is back.",
                err=True,
            )


def _print_errors(func):  # noqa: ANN001, ANN202
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        from printing.errors import PrintError

        try:
            return func(*args, **kwargs)
        except PrintError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.command("print-test")
@click.option("--printer", "printer_name", help="Printer name from [printing.printers] (default: the test page route).")
@click.pass_context
@_print_errors
def print_test(ctx: click.Context, printer_name: str | None) -> None:
    """Print a test page with every barcode kind (EAN-13/8, UPC-A, Code 128, GS1-128, QR, GS1 DataMatrix)."""
    from printing.testpage import build_test_page

    service, _ = _service(ctx)
    try:
        printer = service.config.printer(printer_name) if printer_name else service.config.printer_for("test_page")
        job_id = service.submit(build_test_page(printer), printer.name)
        _send_and_report(service, [job_id])
    finally:
        service.queue.close()


@click.group("print")
def print_group() -> None:
    """Print product labels and shelf labels."""


def _domain_label(ctx: click.Context, sku: str, shelf: bool):  # noqa: ANN202
    from cli.common import open_local
    from models.errors import DomainError
    from printing import from_domain

    cfg = open_local(ctx)
    lang = getattr(cfg, "lang", "en") or "en"
    locale = "zh_CN" if lang.startswith("zh") else "en_US"
    try:
        build = from_domain.shelf_label_for_sku if shelf else from_domain.product_label_for_sku
        from models.places import terminal_with_location

        terminal = terminal_with_location(cfg.terminal)
        return build(sku, lang=lang, locale=locale, currency=terminal.location.currency if terminal else None)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None


@print_group.command("label")
@click.argument("sku")
@click.option("--copies", type=click.IntRange(1, 999), default=1, show_default=True)
@click.option("--printer", "printer_name", help="Printer name (default: the product_label route).")
@click.pass_context
@_print_errors
def label(ctx: click.Context, sku: str, copies: int, printer_name: str | None) -> None:
    """Print COPIES product labels (name, price, barcode) for SKU."""
    document = _domain_label(ctx, sku, shelf=False)
    service, _ = _service(ctx)
    try:
        job_ids = service.print_labels([document], copies=copies, printer=printer_name)
        _send_and_report(service, job_ids)
    finally:
        service.queue.close()


@print_group.command("shelf-label")
@click.argument("sku")
@click.option("--printer", "printer_name", help="Printer name (default: the shelf_label route).")
@click.pass_context
@_print_errors
def shelf_label(ctx: click.Context, sku: str, printer_name: str | None) -> None:
    """Print a shelf-edge label for SKU."""
    document = _domain_label(ctx, sku, shelf=True)
    service, _ = _service(ctx)
    try:
        _send_and_report(service, [service.submit(document, printer_name)])
    finally:
        service.queue.close()
