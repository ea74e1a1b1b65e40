"""The boundaries between the layers are a test, not a convention."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
