"""What every subcommand needs: the config, the open store, JSON or human output, clean errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from models.errors import DomainError

from . import config as config_mod


def load_config(ctx: click.Context) -> config_mod.Config:
    obj = ctx.find_root().obj or {}
    path = Path(obj["config_path"]) if obj.get("config_path") else None
    return config_mod.load(path, database=obj.get("database"), terminal=obj.get("terminal"), lang=obj.get("lang"))


def open_local(ctx: click.Context) -> config_mod.Config:
    """Load the config and open (and migrate) the local store it names."""
    from models.store import open_store

    cfg = load_config(ctx)
    open_store(cfg.database)
    return cfg


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def emit(data: Any, as_json: bool, human: Callable[[Any], str] | None = None) -> None:
    if as_json:
        click.echo(json.dumps(data, default=_default, ensure_ascii=False, indent=2))
    else:
        click.echo(human(data) if human else str(data))


def domain_errors(func: Callable) -> Callable:
    """Turn a refused operation into a one-line message and exit code 1 (nothing was written)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
