"""Backends: folder files, CUPS through a stand-in lp, raw TCP to a loopback printer."""

from __future__ import annotations

import pytest

from printing.backends.base import Outgoing
from printing.backends.cups import CupsBackend
from printing.backends.folder import FolderBackend
from printing.backends.tcp import TcpBackend, parse_target
from printing.errors import PrinterUnavailable
from tests.printing.conftest import free_port

ZPL = Outgoing("job1", "product_label-OAT", b"^XA^FDhi^FS^XZ", "zpl", raw=True)
PDF = Outgoing("job2", "pick_list-wave 7", b"%PDF-1.4 fake", "pdf", raw=False)


def test_folder_writes_openable_file_atomically_and_once(tmp_path):
    backend = FolderBackend(tmp_path / "prints")
    backend.send(PDF)
    files = list((tmp_path / "prints").iterdir())
    assert [f.name for f in files] == ["pick_list-wave_7-job2.pdf"]
    assert files[0].read_bytes() == PDF.data
    backend.send(PDF)  # a resend of the same job id must not produce a second print
    assert len(list((tmp_path / "prints").iterdir())) == 1


def test_cups_sends_raw_formats_with_o_raw(fake_lp):
    CupsBackend("Zebra_GK420").send(ZPL)
    (call,) = fake_lp()
    assert call["args"] == ["-d", "Zebra_GK420", "-t", "product_label-OAT [job1]", "-o", "raw"]
    assert bytes.fromhex(call["stdin"]) == ZPL.data


def test_cups_sends_pdf_through_filters(fake_lp):
    CupsBackend("Office").send(PDF)
    (call,) = fake_lp()
    assert "-o" not in call["args"] and call["args"][:2] == ["-d", "Office"]


def test_cups_failure_is_retryable_error_with_lp_message(fake_lp, monkeypatch):
    monkeypatch.setenv("FAKE_LP_EXIT", "1")
    with pytest.raises(PrinterUnavailable, match="does not exist"):
        CupsBackend("Nope").send(ZPL)


def test_cups_missing_lp(tmp_path):
    with pytest.raises(PrinterUnavailable, match="not found"):
        CupsBackend("X", lp_command=str(tmp_path / "no-lp")).send(ZPL)


def test_tcp_delivers_bytes(fake_printer):
    TcpBackend("127.0.0.1", fake_printer.port).send(ZPL)
    assert fake_printer.connections == [ZPL.data]


def test_tcp_printer_off_is_not_partial():
    with pytest.raises(PrinterUnavailable) as info:
        TcpBackend("127.0.0.1", free_port(), connect_timeout=1).send(ZPL)
    assert info.value.partial is False


def test_tcp_drop_mid_job_is_partial(fake_printer):
    fake_printer.drop_next = 1
    fake_printer.drop_after = 5
    with pytest.raises(PrinterUnavailable) as info:
        TcpBackend("127.0.0.1", fake_printer.port).send(Outgoing("j", "t", b"^XA" + b"x" * 200_000 + b"^XZ", "zpl", True))
    assert info.value.partial is True


@pytest.mark.parametrize(("target", "expected"), [
    ("10.0.0.5", ("10.0.0.5", 9100)),
    ("10.0.0.5:6101", ("10.0.0.5", 6101)),
    ("printer.local:9100", ("printer.local", 9100)),
    ("[fe80::1]:9100", ("fe80::1", 9100)),
])
def test_parse_target(target, expected):
    assert parse_target(target) == expected
