"""What the app and the CLI call: route a document to this terminal's printer, queue it, send it.

    service = PrintService(PrintingConfig.from_dict(cfg.section("printing")))
    service.start()                       # worker thread; or call process_pending() yourself
    service.print_receipt(receipt)        # after a finished sale
    service.print_labels(labels)          # received goods
    service.reprint_last("receipt")       # "reprint last receipt" key
    service.stop()

``submit`` validates and renders on the caller's thread (so bad input raises at once and
nothing is queued) — about a millisecond for ZPL/ESC-POS, up to a second for a first PDF with a
CJK font, so a Textual screen should call it from a thread worker. Sending always happens on the
worker, never on the caller's thread.
"""

from __future__ import annotations

from collections.abc import Iterable

from printing.config import PrinterConfig, PrintingConfig
from printing.documents import Document, ProductLabel, Receipt, ShelfLabel
from printing.errors import PrintError, UnknownJob
from printing.queue import Job, PrintQueue, PrintWorker, SendResult
from printing.renderers import Rendered, render


class PrintService:
    def __init__(self, config: PrintingConfig, queue: PrintQueue | None = None) -> None:
        self.config = config
        self._backends: dict[str, object] = {}
        self.queue = queue or PrintQueue(
            config.queue_path,
            self._backend_for,
            interrupted=config.interrupted,  # type: ignore[arg-type]
            max_attempts=config.max_attempts,
        )
        self.worker = PrintWorker(self.queue)

    def _backend_for(self, printer: str):  # noqa: ANN202 - Backend protocol
        if printer not in self._backends:
            self._backends[printer] = self.config.printer(printer).make_backend()
        return self._backends[printer]

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def close(self) -> None:
        self.stop()
        self.queue.close()

    def process_pending(self) -> list[SendResult]:
        """Send due jobs now (blocking) — for a Textual thread worker or the CLI."""
        return self.queue.process_pending()

    # -- printing ----------------------------------------------------------------------------
    def printer_for(self, document: Document, printer: str | None = None) -> PrinterConfig:
        return self.config.printer(printer) if printer else self.config.printer_for(document.kind)

    def prepare(self, document: Document, printer: str | None = None, copies: int = 1) -> tuple[PrinterConfig, Rendered]:
        """Resolve the printer and render, raising PrintError for anything wrong. Nothing is queued."""
        target = self.printer_for(document, printer)
        if not target.supports(document.kind):
            raise PrintError(f"printer {target.name!r} ({target.format}) cannot print a {document.kind}")
        return target, render(document, target.format, target.render_options(copies))

    def submit(self, document: Document, printer: str | None = None, copies: int = 1) -> str:
        """Queue a document; returns the job id. Raises PrintError (nothing queued) on bad input."""
        target, rendered = self.prepare(document, printer, copies)
        job_id = self.queue.enqueue(target.name, document.kind, _title(document), rendered)
        self.worker.wake()
        return job_id

    def print_receipt(self, receipt: Receipt, printer: str | None = None) -> str:
        return self.submit(receipt, printer)

    def print_labels(
        self, labels: Iterable[ProductLabel | ShelfLabel], copies: int = 1, printer: str | None = None
    ) -> list[str]:
        """Labels for received goods: all are validated and rendered before any is queued."""
        prepared = [(label, *self.prepare(label, printer, copies)) for label in labels]
        ids = [self.queue.enqueue(t.name, label.kind, _title(label), r) for label, t, r in prepared]
        self.worker.wake()
        return ids

    def reprint(self, job_id: str, printer: str | None = None) -> str:
        if printer:
            self.config.printer(printer)  # UnknownPrinter before anything is queued
        new_id = self.queue.reprint(job_id, printer)
        self.worker.wake()
        return new_id

    def reprint_last(self, kind: str = "receipt") -> str:
        job = self.queue.last(kind)
        if job is None:
            raise UnknownJob(f"nothing printed yet of kind {kind!r}")
        return self.reprint(job.id)

    def job(self, job_id: str) -> Job:
        return self.queue.get(job_id)


def _title(document: Document) -> str:
    for attr in ("order_number", "sku", "title", "printer_name"):
        value = getattr(document, attr, "")
        if value:
            return f"{document.kind}-{value}"
    return document.kind
