"""What every subcommand needs: the config, the open store, JSON or human output, clean errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import peewee

from models.errors import DomainError

from . import config as config_mod


def load_config(ctx: click.Context, *, demo: bool = True) -> config_mod.Config:
    """The config of this run. With no config of its own yet, a machine that ran `counter demo` uses
    the demo's (`demo=False` for the commands that set a real terminal up)."""
    obj = ctx.find_root().obj or {}
    path = Path(obj["config_path"]) if obj.get("config_path") else config_mod.config_path(demo=demo)
    return config_mod.load(path, database=obj.get("database"), terminal=obj.get("terminal"), lang=obj.get("lang"))


def open_local(ctx: click.Context, *, create: bool = False) -> config_mod.Config:
    """Load the config and open (and migrate) the local store it names. Only the commands that set a
    terminal up may `create` it: any other would silently work on an empty store."""
    from models.store import open_store

    cfg = load_config(ctx, demo=not create)
    if not create and "://" not in cfg.database and not Path(cfg.database).exists():
        raise DomainError(f"No store at {cfg.database} yet: run `counter init --terminal T01 --location STORE1` "
                          "to set this terminal up, or `counter demo` to try the demo shop.")
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
        except peewee.DatabaseError as exc:  # the store file: read-only, locked, full disk, damaged
            from models.db import db, store_problem

            raise click.ClickException(str(store_problem(exc, str(getattr(db.obj, "database", "the store"))))) from None

    return wrapper


json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
