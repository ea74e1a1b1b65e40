"""The boundaries between the layers are a test, not a convention."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_tui_holds_no_sql():
    offenders = [
        str(path.relative_to(ROOT)) for path in (ROOT / "tui").rglob("*.py")
        if any(token in path.read_text(encoding="utf-8") for token in (".execute_sql(", "SELECT ", "INSERT INTO "))
    ]
    assert offenders == []


# Query building on a peewee model or query. Textual's DOM queries (query_one, query) are not these.
QUERY_METHODS = {"select", "where", "join", "order_by", "get_or_none", "get_by_id", "execute"}


def query_calls(source: str) -> list[str]:
    """`line: call` for each peewee query a module builds: Model.get(...), and .select/.where/.join/
    .get_or_none/.get_by_id/.execute on anything but a string (", ".join(...) is a string join)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver, method = node.func.value, node.func.attr
        if isinstance(receiver, ast.Constant) and isinstance(receiver.value, str):
            continue
        model_get = method == "get" and isinstance(receiver, ast.Name) and receiver.id[:1].isupper()
        if method in QUERY_METHODS or model_get:
            found.append(f"{node.lineno}: {ast.unparse(node.func)}(...)")
    return found


def test_tui_builds_no_queries():
    """Screens call the domain's named reads and operations; the queries live in models/."""
    offenders = {
        str(path.relative_to(ROOT)): calls for path in sorted((ROOT / "tui").rglob("*.py"))
        if (calls := query_calls(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


@pytest.mark.parametrize("source", [
    # What the screens used to do, before the domain had a name for it.
    "list(Order.select().where((Order.kind == SALE_ORDER) & (Order.location == location_id)))",
    "list(Delivery.select().where(Delivery.status == OPEN).order_by(Delivery.expected_at))",
    "delivery = Delivery.get(Delivery.number == key)",
    "StockCountLine.get_or_none(StockCountLine.id == int(key))",
    "list(StockCountLine.select(StockCountLine, Product).join(Product).where(StockCountLine.count == c))",
    "Transfer.get_or_none(Transfer.id == self.draft.transfer_id)",
    "Terminal.select(Terminal, Location).join(Location).where(Terminal.code == code).first()",
    "StockCount.get_by_id(int(key))",
    "Product.update(name=n).where(Product.sku == s).execute()",
])
def test_the_scan_finds_queries(source):
    assert query_calls(source)


@pytest.mark.parametrize("source", [
    "self.query_one('#lines', LinesTable).move_cursor(0)",
    "self.query(Input)",
    "', '.join(skus)",
    "'\\n'.join(parts)",
    "kinds.get(kind, kind)",
    "self._products.get(key)",
])
def test_the_scan_leaves_textual_and_plain_python_alone(source):
    assert query_calls(source) == []
