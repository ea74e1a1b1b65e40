"""Exceptions raised by the printing package.

Everything the caller can get wrong (bad document, unknown printer, bad config) is a
``PrintError`` raised *before* anything is queued or sent. ``PrinterUnavailable`` is the
one transient error: the queue catches it and retries.
"""

from __future__ import annotations


class PrintError(Exception):
    """Base class for every error the printing package raises on purpose."""


class InvalidBarcode(PrintError, ValueError):
    """The data cannot be encoded in the requested symbology (bad check digit, bad characters)."""


class InvalidDocument(PrintError, ValueError):
    """A document field is missing or malformed (negative quantity, float money, ...)."""


class DoesNotFit(PrintError):
    """A text or barcode does not fit the label: printing it would cut it off."""


class LabelSizeMismatch(PrintError):
    """The document's label size differs from the media loaded in the printer."""


class UnsupportedDocument(PrintError):
    """The printer's format cannot render this kind of document (e.g. a pick list in ESC/POS)."""


class UnknownPrinter(PrintError, KeyError):
    """No printer of that name is configured on this terminal."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "unknown printer"


class ConfigError(PrintError, ValueError):
    """The ``[printing]`` configuration is invalid."""


class UnknownJob(PrintError, KeyError):
    """No job with that id in the queue."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown job"


class PrinterUnavailable(PrintError):
    """Sending failed for a reason that may go away (printer off, network down, lp error).

    ``partial`` is true when some bytes may have reached the printer before the failure.
    """

    def __init__(self, message: str, *, partial: bool = False) -> None:
        super().__init__(message)
        self.partial = partial
