"""The durable queue: restart, retry with backoff, drops mid-job, printers off, explicit reprints."""

from __future__ import annotations

import time

import pytest

from printing.config import PrintingConfig
from printing.errors import DoesNotFit, InvalidBarcode, UnknownPrinter
from printing.queue import RECOVERY_PREFIX
from printing.service import PrintService
from tests.printing.conftest import FakePrinter, free_port


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def make_service(tmp_path, target: str, clock: Clock, fmt: str = "zpl", **top) -> PrintService:
    from printing.queue import PrintQueue

    config = PrintingConfig.from_dict({
        "queue": str(tmp_path / "queue.sqlite3"),
        "output_dir": str(tmp_path / "prints"),
        "printers": {"zebra": {"backend": "tcp", "target": target, "format": fmt, "dpi": 203,
                               "label": "60x40", "connect_timeout": 1}},
        "routes": {"product_label": "zebra", "shelf_label": "zebra"},
        **top,
    })
    service = PrintService(config, queue=None)
    service.queue.close()
    service.queue = PrintQueue(config.queue_path, service._backend_for, clock=clock,
                               interrupted=config.interrupted)
    service.worker.queue = service.queue
    return service


def test_job_survives_restart_and_is_sent_once(tmp_path, fake_printer, product_label):
    clock = Clock()
    service = make_service(tmp_path, fake_printer.target, clock)
    job_id = service.submit(product_label)
    service.queue.close()  # the app quits (or crashes) before the worker ran

    reopened = make_service(tmp_path, fake_printer.target, clock)
    assert reopened.job(job_id).state == "pending"
    reopened.process_pending()
    reopened.process_pending()
    assert reopened.job(job_id).state == "sent"
    assert len(fake_printer.labels()) == 1
    assert len(fake_printer.connections) == 1


def test_printer_powered_off_job_waits_with_backoff_then_prints(tmp_path, product_label):
    clock = Clock()
    port = free_port()
    service = make_service(tmp_path, f"127.0.0.1:{port}", clock)
    job_id = service.submit(product_label)

    (result,) = service.process_pending()
    assert not result.ok and "cannot connect" in result.error
    job = service.job(job_id)
    assert job.state == "pending" and job.attempts == 1 and not job.partial
    assert job.next_attempt_at == clock.now + 2  # first backoff step

    clock.now += 1
    assert service.process_pending() == []  # still backing off: no hammering a dead printer

    printer = FakePrinter(port)  # switched back on
    try:
        clock.now += 1
        (result,) = service.process_pending()
        assert result.ok
        assert service.job(job_id).state == "sent"
        assert len(printer.labels()) == 1
    finally:
        printer.close()


def test_backoff_grows_and_caps(tmp_path, product_label):
    clock = Clock()
    service = make_service(tmp_path, f"127.0.0.1:{free_port()}", clock)
    job_id = service.submit(product_label)
    delays = []
    for _ in range(10):
        service.process_pending()
        job = service.job(job_id)
        delays.append(job.next_attempt_at - clock.now)
        clock.now = job.next_attempt_at
    assert delays[:5] == [2, 4, 8, 16, 32]
    assert max(delays) == 300


def test_drop_mid_job_is_retried_and_printer_recovers_with_one_clean_label(tmp_path, fake_printer, product_label):
    clock = Clock()
    service = make_service(tmp_path, fake_printer.target, clock)
    fake_printer.drop_next = 1
    fake_printer.drop_after = 60  # the job is cut inside the format, before ^XZ
    job_id = service.submit(product_label)
    payload = service.job(job_id).payload

    (first,) = service.process_pending()
    assert not first.ok
    job = service.job(job_id)
    assert job.state == "pending" and job.partial
    assert fake_printer.labels() == []  # nothing printed: ZPL prints at ^XZ

    clock.now = job.next_attempt_at
    (second,) = service.process_pending()
    assert second.ok
    assert fake_printer.connections[1] == RECOVERY_PREFIX["zpl"] + payload
    # Without ~JX the half format would swallow this job into one garbled label.
    (label,) = fake_printer.labels()
    assert label == payload[payload.index(b"^XA"):payload.rindex(b"^XZ") + 3]

    service.process_pending()
    assert len(fake_printer.connections) == 2  # a sent job is never resent by a retry


def test_printer_stops_after_interrupted_job_then_next_jobs_still_print(tmp_path, fake_printer, product_label,
                                                                        tracked_label):
    clock = Clock()
    service = make_service(tmp_path, fake_printer.target, clock)
    fake_printer.drop_next = 1
    first = service.submit(product_label)
    second = service.submit(tracked_label)
    results = service.process_pending()
    assert [r.ok for r in results] == [False]  # the second waits behind the first: order is kept
    clock.now += 10
    results = service.process_pending()
    assert [(r.job_id, r.ok) for r in results] == [(first, True), (second, True)]
    assert len(fake_printer.labels()) == 2


def test_reprint_is_explicit_and_creates_a_new_job(tmp_path, fake_printer, product_label):
    clock = Clock()
    service = make_service(tmp_path, fake_printer.target, clock)
    original = service.submit(product_label)
    service.process_pending()
    assert len(fake_printer.labels()) == 1

    again = service.reprint_last("product_label")
    assert again != original
    assert service.job(again).reprint_of == original
    service.process_pending()
    assert len(fake_printer.labels()) == 2
    assert service.queue.last("product_label").id == original  # "last" means the last original


def test_crash_while_sending_resend_policy(tmp_path, fake_printer, product_label):
    clock = Clock()
    service = make_service(tmp_path, fake_printer.target, clock)
    job_id = service.submit(product_label)
    service.queue._claim(job_id)  # state 'sending' committed, then the process dies
    service.queue.close()

    reopened = make_service(tmp_path, fake_printer.target, clock)
    assert reopened.process_pending() == []  # lease not expired: maybe another process is sending
    clock.now += 121
    (result,) = reopened.process_pending()
    assert result.ok and reopened.job(job_id).state == "sent"
    assert fake_printer.connections[0].startswith(RECOVERY_PREFIX["zpl"])


def test_crash_while_sending_hold_policy_is_at_most_once(tmp_path, fake_printer, product_label):
    clock = Clock()
    service = make_service(tmp_path, fake_printer.target, clock, interrupted="hold")
    job_id = service.submit(product_label)
    service.queue._claim(job_id)
    service.queue.close()

    reopened = make_service(tmp_path, fake_printer.target, clock, interrupted="hold")
    clock.now += 121
    assert reopened.process_pending() == []
    assert reopened.job(job_id).state == "held"
    assert fake_printer.connections == []
    reopened.queue.release(job_id)  # a person checked the printer: it did not print
    reopened.process_pending()
    assert reopened.job(job_id).state == "sent" and len(fake_printer.labels()) == 1


@pytest.mark.parametrize("make_bad", ["price", "check_digit", "printer"])
def test_bad_input_raises_and_queues_nothing(tmp_path, fake_printer, product_label, make_bad):
    from dataclasses import replace

    from printing.barcodes import Barcode
    from printing.documents import Money

    service = make_service(tmp_path, fake_printer.target, Clock())
    with pytest.raises((DoesNotFit, InvalidBarcode, UnknownPrinter)):
        if make_bad == "price":
            service.submit(replace(product_label, price=Money.of("9999999999999999999999999.99", "EUR")))
        elif make_bad == "check_digit":
            service.submit(replace(product_label, barcode=Barcode.gtin("4006381333932")))
        else:
            service.submit(product_label, printer="zebar")
    assert service.queue.jobs() == []
    service.process_pending()
    assert fake_printer.connections == []


def test_batch_of_labels_is_all_or_nothing(tmp_path, fake_printer, product_label):
    from dataclasses import replace

    from printing.documents import Money

    service = make_service(tmp_path, fake_printer.target, Clock())
    bad = replace(product_label, price=Money.of("9999999999999999999999999.99", "EUR"))
    with pytest.raises(DoesNotFit):
        service.print_labels([product_label, bad])
    assert service.queue.jobs() == []


def test_worker_thread_sends_without_blocking_the_caller(tmp_path, fake_printer, product_label):
    service = make_service(tmp_path, fake_printer.target, Clock())
    service.queue.clock = time.time
    service.start()
    try:
        started = time.perf_counter()
        job_id = service.submit(product_label)
        assert time.perf_counter() - started < 0.5
        deadline = time.time() + 5
        while service.job(job_id).state != "sent" and time.time() < deadline:
            time.sleep(0.02)
        assert service.job(job_id).state == "sent"
    finally:
        service.stop()
