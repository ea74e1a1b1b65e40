"""Reusable widgets for the counter screens."""

from tui.widgets.scan_input import ScanInput

__all__ = ["ScanInput"]
