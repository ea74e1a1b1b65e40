"""A new user's first minutes, in a real terminal: `counter demo`, log in, sell three items by
typing their barcodes, pay cash, read the order number on screen and the printed receipt (the
default folder printer writes a PDF into the user data dir; we read its text back)."""

from __future__ import annotations

import os
import re
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


def shelf_product(database: Path) -> dict:
    """A plain product on exactly one shelf of STORE1 with a few on hand, and what the ledger says."""
    code = """
import json, sys
from models.store import open_store
from models.catalog import Barcode, Product
from models.ledger import StockLevel
from models.places import Location
open_store(sys.argv[1], migrate=False)
store = Location.get(Location.code == "STORE1")
for p in Product.select().where((Product.weight_priced == False) & (Product.track_lot == False)
                                & (Product.active == True)).order_by(Product.sku):
    levels = list(StockLevel.select().where((StockLevel.location == store) & (StockLevel.product == p)))
    code = Barcode.get_or_none((Barcode.product == p) & (Barcode.pack_qty == 1))
    if code is None or len(levels) != 1 or not levels[0].bin or levels[0].on_hand < 5:
        continue
    print(json.dumps({"sku": p.sku, "name": p.name, "name_zh": p.name_zh,
                      "barcode": code.code.lstrip("0").zfill(13), "bin": levels[0].bin,
                      "on_hand": str(levels[0].on_hand.normalize())}))
    break
"""
    result = subprocess.run([sys.executable, "-c", code, str(database)], check=True, capture_output=True, text=True)
    import json

    return json.loads(result.stdout)


def ledger(database: Path, sku: str) -> tuple[str, list[str]]:
    """On hand of `sku` at STORE1 by (bin, lot), and the order numbers and kinds, read from the store."""
    code = """
import sys
from models.store import open_store
from models.catalog import product_by_sku
from models.ledger import StockLevel
from models.orders import Order
open_store(sys.argv[1], migrate=False)
p = product_by_sku(sys.argv[2])
print(sorted((lv.bin, lv.lot, str(lv.on_hand.normalize())) for lv in StockLevel.select().where(StockLevel.product == p)
             if lv.location.code == "STORE1"))
print(sorted(o.kind for o in Order.select()))
"""
    result = subprocess.run([sys.executable, "-c", code, str(database), sku], check=True, capture_output=True,
                            text=True)
    levels, kinds = result.stdout.splitlines()
    return levels, kinds


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_sell_return_and_count_a_shelf_at_80x24(tmp_path, lang):
    """The README's first command in an 80x24 terminal: sell, take it back, sell again, count the shelf
    after the sale, and the stock shown is what was counted; `counter verify` agrees afterwards."""
    from tui import i18n

    tr = i18n.catalogue(lang).gettext
    home = tmp_path / "home"
    home.mkdir()
    database = tmp_path / "demo.db"
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local" / "share")}
    counter = shutil.which("counter") or "counter"
    tmux = Tmux(f"counter-e2e-{lang}-{os.getpid()}")
    # The language flag after the subcommand, as a newcomer types it.
    command = f"{counter} --db {database} demo --products 200 --lang {lang}; sleep 30"
    tmux.run("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24",
             *[arg for name, value in env.items() for arg in ("-e", f"{name}={value}")], command)

    def scan(text: str) -> None:
        tmux.type(text)
        tmux.keys("Enter")

    def sale_number() -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = re.search(r"S-T01-\d{6}", tmux.screen())
            if found:
                return found.group(0)
            time.sleep(0.2)
        raise AssertionError(f"no sale number on screen:\n{tmux.screen()}")

    def fixed(template: str) -> str:
        """The longest fixed part of a translated message, to wait for on the screen."""
        return max(re.split(r"\{[^}]*\}", tr(template)), key=len).strip()

    def key(name: str, then: str, timeout: float = 20) -> str:
        tmux.keys(name)
        return tmux.wait_for(then, timeout=timeout)

    home, sale, returns = f"F10 {tr('Log out')}", f"F10 {tr('Pay')}", f"F8 {tr('Find sale')}"
    try:
        tmux.wait_for(fixed("last sync: {when}"), timeout=120)
        time.sleep(1.0)
        item = shelf_product(database)
        start = int(item["on_hand"])
        shown = (item["name_zh"] or item["name"] if lang == "zh_CN" else item["name"])[:8]
        scan("1001")
        scan("1234")
        tmux.wait_for(home)
        key("F2", sale)  # sell one
        scan(item["barcode"])
        tmux.wait_for(shown)
        key("F10", tr("To pay"))
        tmux.keys("Enter")
        first = sale_number()
        key("Escape", home)
        key("F3", returns)  # take it back
        scan(first)
        tmux.wait_for(shown)
        scan(item["barcode"])  # picks its line: the reason and condition dialog opens
        tmux.wait_for(f"F10 {tr('OK')}")
        key("F10", returns)
        key("F10", tr("To refund"))
        tmux.keys("Enter")
        tmux.wait_for(fixed("Done: {numbers}."))
        levels, kinds = ledger(database, item["sku"])
        assert "return" in kinds, tmux.screen()
        assert levels == str([(item["bin"], "", str(start))]), levels
        key("Escape", home)
        key("F2", sale)  # sell it again
        scan(item["barcode"])
        tmux.wait_for(shown)
        key("F10", tr("To pay"))
        tmux.keys("Enter")
        sale_number()
        levels, _ = ledger(database, item["sku"])
        assert levels == str([(item["bin"], "", str(start - 1))]), levels  # from its shelf, not "no bin"
        key("Escape", home)
        key("F6", f"F2 {tr('Start or resume a count')}")  # count the shelf after the sale
        key("F2", tr("Count a bin"))
        key("Enter", tr("Bin code"))
        scan(item["bin"])
        tmux.wait_for(item["sku"])
        scan(f"{start - 2}*{item['barcode']}")  # one fewer than the books say
        time.sleep(0.5)
        key("F10", tr("Supervisor code or badge"))
        scan("2001")
        scan("2345")
        tmux.wait_for(fixed("Count {n} posted: {k} lines. F2 starts the next."))
        levels, _ = ledger(database, item["sku"])
        assert levels == str([(item["bin"], "", str(start - 2))]), (levels, tmux.screen())
        key("Escape", home)
        key("F4", f"F6 {tr('Print shelf label')}")  # what the lookup shows is what was counted
        scan(item["barcode"])
        tmux.wait_for(tr("Here ({loc}): {q} {unit}").format(loc="STORE1", q=start - 2, unit=tr("pcs")))
        key("Escape", home)
        tmux.keys("C-q")
        time.sleep(1.0)
        # The demo's files are the defaults now: `counter verify` finds its store without flags.
        verify = subprocess.run([counter, "verify"], capture_output=True, text=True, env={**os.environ, **env},
                                timeout=120)
        assert verify.returncode == 0, verify.stdout + verify.stderr
    finally:
        subprocess.run(["tmux", "-L", tmux.socket, "kill-server"], capture_output=True)
