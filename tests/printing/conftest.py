"""Shared fixtures for printing tests: sample documents, a fake 9100 printer, a stand-in `lp`."""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import sys
import threading
from datetime import date, datetime
from decimal import Decimal

import pytest

from printing.barcodes import Barcode
from printing.documents import (
    Address,
    LabelSize,
    Money,
    PickLine,
    PickList,
    ProductLabel,
    Receipt,
    ReceiptLine,
    ShelfLabel,
    ShippingLabel,
    ShopHeader,
    TaxLine,
    Tender,
)

# From /work/shared/samples/barcodes.json, copied so these tests run on any checkout.
VALID = {
    "ean13": ["4006381333931", "5901234123457", "6901234567892"],
    "ean8": ["96385074", "55123457"],
    "upca": ["036000291452", "012345678905"],
}
BAD_CHECK_DIGIT = ["4006381333932", "5901234123458", "036000291453"]

FIXED = datetime(2025, 3, 14, 9, 26)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


@pytest.fixture
def product_label() -> ProductLabel:
    return ProductLabel("Organic Oat Milk 1L", eur("1.99"), Barcode.gtin("4006381333931"), sku="OAT-1L",
                        size=LabelSize(60, 40))


@pytest.fixture
def tracked_label() -> ProductLabel:
    return ProductLabel.tracked("Yoghurt nature 500g", eur("2.49"), "09501101530003", lot="LOT42",
                                expiry=date(2027, 12, 31), sku="YOG-500", size=LabelSize(60, 40))


@pytest.fixture
def shelf_label() -> ShelfLabel:
    return ShelfLabel("Café moulu 250 g", eur("3.20"), Barcode.gtin("5901234123457"), unit_price=eur("12.80"),
                      unit="kg", promo="-20 %", size=LabelSize(70, 40), locale="fr_FR")


@pytest.fixture
def shipping_label() -> ShippingLabel:
    sender = Address("Counter Shop", ("1 Rue de la Paix",), "75002", "Paris", "FR", "+33 1 23 45 67 89")
    recipient = Address("王小明", ("上海市浦东新区", "世纪大道 100 号"), "200120", "上海", "CN")
    return ShippingLabel(sender, recipient, "La Poste", "6A12345678901", "S-T01-000123", service="Colissimo",
                         weight_kg=Decimal("1.25"), size=LabelSize(100, 150))


@pytest.fixture
def receipt() -> Receipt:
    return Receipt(
        ShopHeader("Counter 小店", ("1 Main Street", "Shanghai"), tax_id="91310000XXXXXXXX", phone="021-1234"),
        "S-T01-000123",
        FIXED,
        (
            ReceiptLine("牛奶 Milk 1L", Decimal(2), cny("3.50"), discount=cny("0.50")),
            ReceiptLine("Crème brûlée", Decimal(1), cny("4.00")),
            ReceiptLine("Apples (kg)", Decimal("0.750"), cny("8.00")),
        ),
        tenders=(Tender("Cash", cny("20.00")),),
        taxes=(TaxLine("VAT 13%", Decimal("0.13"), cny("1.73")),),
        order_discount=cny("1.00"),
        clerk="Clerk C1",
        footer=("Thank you / 谢谢惠顾",),
        locale="zh_CN",
    )


@pytest.fixture
def pick_list() -> PickList:
    lines = tuple(
        PickLine(f"S-T01-{1000 + i % 3:06d}", f"A-{i % 4:02d}-{i % 2}", f"SKU-{i:04d}",
                 "燕麦奶 Oat milk" if i % 5 == 0 else f"Item number {i}", Decimal(i % 3 + 1),
                 Barcode.gtin("4006381333931") if i % 2 else None)
        for i in range(30)
    )
    return PickList("Pick list wave 7", FIXED, lines, page="A4", picker="Ana")


# -- fake network printer ----------------------------------------------------------------------


class FakePrinter:
    """A 9100 printer on loopback. Records each connection's bytes and interprets ZPL like a
    Zebra: a format prints at ^XZ, a second ^XA inside an open format is merged into it, and
    ~JX cancels a partially received format. ``drop_next`` makes the next N connections die
    after ``drop_after`` bytes with a TCP reset (a printer power-cycled mid-job)."""

    def __init__(self, port: int = 0) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen(8)
        self.port = self.server.getsockname()[1]
        self.connections: list[bytes] = []
        self.stream = b""
        self.drop_next = 0
        self.drop_after = 40
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self.server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(5)
                if self.drop_next:
                    self.drop_next -= 1
                    data = conn.recv(self.drop_after)
                    self.connections.append(data)
                    self.stream += data
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    continue  # closing with linger 0 sends RST
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
                data = b"".join(chunks)
                self.connections.append(data)
                self.stream += data

    def labels(self) -> list[bytes]:
        """ZPL formats the printer would have printed, from everything it received."""
        printed, current, i, s = [], None, 0, self.stream
        while i < len(s):
            if s.startswith(b"~JX", i):
                current = None
                i += 3
            elif s.startswith(b"^XA", i):
                if current is None:
                    current = b"^XA"
                else:
                    current += b"^XA"  # merged: the printer does not restart a format
                i += 3
            elif s.startswith(b"^XZ", i):
                if current is not None:
                    printed.append(current + b"^XZ")
                current = None
                i += 3
            else:
                if current is not None:
                    current += s[i : i + 1]
                i += 1
        return printed

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.server.close()


@pytest.fixture
def fake_printer():
    printer = FakePrinter()
    yield printer
    printer.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- stand-in lp -------------------------------------------------------------------------------


@pytest.fixture
def fake_lp(tmp_path, monkeypatch):
    """An `lp` on PATH that records its arguments and stdin; exit status from FAKE_LP_EXIT."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "lp-calls.jsonl"
    script = bindir / "lp"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "data = sys.stdin.buffer.read()\n"
        f"with open({str(log)!r}, 'a') as f:\n"
        "    f.write(json.dumps({'args': sys.argv[1:], 'stdin': data.hex()}) + '\\n')\n"
        "code = int(os.environ.get('FAKE_LP_EXIT', '0'))\n"
        "if code: sys.stderr.write('lp: The printer or class does not exist.\\n')\n"
        "else: print('request id is Q-1 (1 file(s))')\n"
        "sys.exit(code)\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")

    def calls() -> list[dict]:
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]

    return calls
