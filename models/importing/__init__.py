"""Migration from an old system: products, prices, stock and customers from messy CSV exports.

`run_import(kind, path, dry_run=, skip_bad=, encoding=, terminal=, user=) -> ImportReport`.
Formats and accepted column names: docs/import.md.
"""

from .columns import CUSTOMERS, KINDS, PRICES, PRODUCTS, STOCK
from .importer import run_import
from .reading import ImportFileError
from .report import DRY_RUN, IMPORTED, REFUSED, ImportReport

__all__ = ["CUSTOMERS", "DRY_RUN", "IMPORTED", "KINDS", "PRICES", "PRODUCTS", "REFUSED", "STOCK",
           "ImportFileError", "ImportReport", "run_import"]
