"""Errors a clerk can read: what is wrong and what to do. Raising one means nothing was written."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the shop refused the operation. The message is for the person at the counter."""


class NotFound(DomainError):
    pass


class InsufficientStock(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Conflict(DomainError):
    """The same id arrived again with different content."""
