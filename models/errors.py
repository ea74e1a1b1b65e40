"""Errors a clerk can read: what is wrong and what to do. Raising one means nothing was written."""

from __future__ import annotations

from collections.abc import Callable


class DomainError(Exception):
    """A rule of the shop refused the operation. The message is for the person at the counter.

    Raise it with a message template and its values, `DomainError("{sku}: none on hand.", sku=sku)`,
    not a ready-made f-string: `str()` gives the English text, and a screen translates `template`
    before filling in `params` (the templates are extracted for the catalogues like the screens'
    strings). The values are formatted as an f-string would.
    """

    def __init__(self, template: str = "", /, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params) if params else template)

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message in the language of `gettext` (English where it has no translation)."""
        if not self.template:
            return str(self)
        text = gettext(self.template)
        try:
            return text.format(**self.params) if self.params else text
        except (KeyError, IndexError, ValueError):  # a translation with a broken placeholder
            return str(self)


class NotFound(DomainError):
    pass


class InsufficientStock(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Conflict(DomainError):
    """The same id arrived again with different content."""
