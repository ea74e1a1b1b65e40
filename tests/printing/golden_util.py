"""Golden files: compare bytes, or rewrite them with ``UPDATE_GOLDEN=1``.

Regenerate after an intended output change and review the diff::

    UPDATE_GOLDEN=1 python -m pytest tests/printing -k golden
    git diff tests/printing/golden
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("UPDATE_GOLDEN") != "1" and os.environ.get("CI"):
            raise AssertionError(f"golden file {path} missing; run with UPDATE_GOLDEN=1")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    expected = path.read_bytes()
    assert data == expected, f"{name} differs from golden file; if intended, regenerate (see golden_util.py)"
