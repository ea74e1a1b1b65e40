"""A new user's first minutes, in a real terminal: `counter demo`, log in, sell three items by
typing their barcodes, pay cash, read the order number on screen and the printed receipt (the
default folder printer writes a PDF into the user data dir; we read its text back)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.tui.pdf_text import read_pdf_text

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "e2e", "-l", text)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def demo_products(database: Path, n: int = 3) -> list[tuple[str, str]]:
    """(barcode, price) of the first few plain products the demo seeded."""
    code = f"""
import sys
from models.store import open_store
from models.catalog import Barcode, Product, current_price
open_store(sys.argv[1], migrate=False)
rows = (Barcode.select(Barcode, Product).join(Product)
        .where((Barcode.pack_qty == 1) & (Product.weight_priced == False) & (Product.active == True))
        .order_by(Barcode.id))
out = []
for row in rows:
    if len(row.code) == 14 and row.code.startswith("0"):
        try:
            out.append((row.code[1:], str(current_price(row.product).amount)))
        except Exception:
            continue
    if len(out) == {n}:
        break
for c, p in out:
    print(c, p)
"""
    result = subprocess.run([sys.executable, "-c", code, str(database)], check=True, capture_output=True, text=True)
    return [tuple(line.split()) for line in result.stdout.splitlines()]  # type: ignore[misc]


def test_first_sale_from_counter_demo(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    database = tmp_path / "demo.db"
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local" / "share"), "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    for var in ("COUNTER_CONFIG", "COUNTER_DB", "COUNTER_TERMINAL", "COUNTER_LOCATION", "COUNTER_LANG",
                "COUNTER_SYNC_URL", "TMUX"):
        env.pop(var, None)
    counter = shutil.which("counter") or "counter"
    tmux = Tmux(f"counter-e2e-{os.getpid()}")
    command = f"{counter} --db {database} demo --products 60; sleep 30"
    tmux.run("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30",
             "-e", f"HOME={env['HOME']}", "-e", f"XDG_CONFIG_HOME={env['XDG_CONFIG_HOME']}",
             "-e", f"XDG_DATA_HOME={env['XDG_DATA_HOME']}", command)
    try:
        tmux.wait_for("last sync", timeout=120)  # the login screen is up
        time.sleep(1.0)  # and has focused its code field (keys before that go nowhere)
        products = demo_products(database)
        assert len(products) == 3
        tmux.type("1001")
        tmux.keys("Enter")
        tmux.type("1234")
        tmux.keys("Enter")
        tmux.wait_for("F2")
        tmux.keys("F2")
        tmux.wait_for("Scan or type a code")
        for barcode, _price in products:
            tmux.type(barcode)
            tmux.keys("Enter")
        tmux.wait_for("Items                    3", timeout=20)
        tmux.keys("F10")
        tmux.wait_for("To pay")
        tmux.keys("Enter")  # cash: the amount offered is what is due
        screen = tmux.wait_for("Sale S-T01-", timeout=30)
        number = screen.split("Sale S-T01-", 1)[1][:6]
        prints = home / ".local" / "share" / "counter-oms" / "prints"
        deadline = time.monotonic() + 15
        receipts: list[Path] = []
        while not receipts and time.monotonic() < deadline:
            receipts = sorted(prints.glob(f"receipt-S-T01-{number}-*.pdf")) if prints.exists() else []
            time.sleep(0.1)
        assert len(receipts) == 1, f"no receipt for S-T01-{number} in {prints}"
        text = read_pdf_text(receipts[0])
        assert f"S-T01-{number}" in text
        total = sum(float(price) for _code, price in products)
        assert f"{total:.2f}" in text
        tmux.keys("F12")
        tmux.keys("C-q")
    finally:
        subprocess.run(["tmux", "-L", tmux.socket, "kill-server"], capture_output=True)
