"""Printers of one terminal, from the ``[printing]`` section of its TOML config (passed as a dict).

Example::

    [printing]
    queue = "/var/lib/counter/print-queue.sqlite3"   # default: the user data dir
    interrupted = "resend"                           # or "hold" (at-most-once), see queue.py

    [printing.printers.zebra]
    backend = "tcp"                # folder | cups | tcp
    target = "192.168.1.40:9100"   # folder path | CUPS queue name | host[:port]
    format = "zpl"                 # zpl | escpos | pdf | png | svg
    dpi = 203
    label = { width_mm = 60, height_mm = 40 }

    [printing.printers.till]
    backend = "cups"
    target = "TM_T20"
    format = "escpos"

    [printing.routes]              # document kind -> printer; "default" for the rest
    receipt = "till"
    product_label = "zebra"
    shelf_label = "zebra"
    default = "folder"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from printing.backends.base import Backend
from printing.documents import DOCUMENT_KINDS, LabelSize
from printing.errors import ConfigError, InvalidDocument, UnknownPrinter
from printing.renderers import FORMATS, SUPPORTED
from printing.renderers.options import RenderOptions

BACKENDS = ("folder", "cups", "tcp")
_PRINTER_KEYS = {
    "backend", "target", "format", "dpi", "label", "zpl_cjk_font", "escpos_cjk", "pdf_sheet",
    "connect_timeout", "send_timeout", "lp_command",
}  # fmt: skip
_TOP_KEYS = {"printers", "routes", "queue", "output_dir", "interrupted", "max_attempts"}


def default_data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path("counter-oms", appauthor=False)


@dataclass(frozen=True)
class PrinterConfig:
    name: str
    backend: str
    target: str
    format: str
    dpi: int = 203
    label: LabelSize | None = None
    zpl_cjk_font: str = ""
    escpos_cjk: str = "gb18030"
    pdf_sheet: str | None = None
    connect_timeout: float = 5.0
    send_timeout: float = 30.0
    lp_command: str = "lp"

    def render_options(self, copies: int = 1) -> RenderOptions:
        return RenderOptions(
            dpi=self.dpi,
            size=self.label,
            copies=copies,
            zpl_cjk_font=self.zpl_cjk_font,
            escpos_cjk=self.escpos_cjk,  # type: ignore[arg-type]
            pdf_sheet=self.pdf_sheet,  # type: ignore[arg-type]
        )

    def make_backend(self) -> Backend:
        if self.backend == "folder":
            from printing.backends.folder import FolderBackend

            return FolderBackend(self.target)
        if self.backend == "cups":
            from printing.backends.cups import CupsBackend

            return CupsBackend(self.target, lp_command=self.lp_command, timeout=self.send_timeout)
        from printing.backends.tcp import TcpBackend, parse_target

        host, port = parse_target(self.target)
        return TcpBackend(host, port, connect_timeout=self.connect_timeout, send_timeout=self.send_timeout)

    def supports(self, kind: str) -> bool:
        return kind in SUPPORTED[self.format]


@dataclass(frozen=True)
class PrintingConfig:
    printers: dict[str, PrinterConfig]
    routes: dict[str, str] = field(default_factory=dict)
    queue_path: Path = field(default_factory=lambda: default_data_dir() / "print-queue.sqlite3")
    interrupted: str = "resend"
    max_attempts: int | None = 50

    def printer(self, name: str) -> PrinterConfig:
        try:
            return self.printers[name]
        except KeyError:
            known = ", ".join(sorted(self.printers)) or "none"
            raise UnknownPrinter(
                f"no printer named {name!r} on this terminal (configured: {known})"
            ) from None

    def printer_for(self, kind: str) -> PrinterConfig:
        name = self.routes.get(kind) or self.routes.get("default")
        if name is None:
            capable = [p for p in self.printers.values() if p.supports(kind)]
            if not capable:
                raise UnknownPrinter(f"no printer on this terminal can print a {kind}")
            return capable[0]
        return self.printer(name)

    @classmethod
    def default(cls, data_dir: Path | None = None) -> PrintingConfig:
        """One folder printer writing PDFs (every document kind renders to PDF)."""
        base = data_dir or default_data_dir()
        folder = PrinterConfig("folder", "folder", str(base / "prints"), "pdf", dpi=300)
        return cls({"folder": folder}, {"default": "folder"}, base / "print-queue.sqlite3")

    @classmethod
    def from_dict(cls, section: Mapping[str, Any] | None, data_dir: Path | None = None) -> PrintingConfig:
        if not section:
            return cls.default(data_dir)
        unknown = set(section) - _TOP_KEYS
        if unknown:
            raise ConfigError(f"unknown [printing] keys: {', '.join(sorted(unknown))}")
        base = data_dir or default_data_dir()
        default = cls.default(base)
        printers = dict(default.printers)
        if "output_dir" in section:
            printers["folder"] = PrinterConfig(
                "folder", "folder", str(Path(section["output_dir"]).expanduser()), "pdf", dpi=300
            )
        for name, raw in (section.get("printers") or {}).items():
            printers[name] = _printer(name, raw)
        routes = {"default": "folder", **dict(section.get("routes") or {})}
        for kind, name in routes.items():
            if kind != "default" and kind not in DOCUMENT_KINDS:
                raise ConfigError(
                    f"[printing.routes] {kind!r} is not a document kind ({', '.join(DOCUMENT_KINDS)})"
                )
            if name not in printers:
                raise ConfigError(f"[printing.routes] {kind} -> {name!r}: no such printer")
            if kind != "default" and not printers[name].supports(kind):
                raise ConfigError(f"printer {name!r} ({printers[name].format}) cannot print a {kind}")
        interrupted = section.get("interrupted", "resend")
        if interrupted not in ("resend", "hold"):
            raise ConfigError(f"[printing] interrupted must be 'resend' or 'hold', got {interrupted!r}")
        queue = Path(section["queue"]).expanduser() if section.get("queue") else default.queue_path
        return cls(printers, routes, queue, interrupted, section.get("max_attempts", 50))


def _printer(name: str, raw: Mapping[str, Any]) -> PrinterConfig:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[printing.printers.{name}] must be a table")
    unknown = set(raw) - _PRINTER_KEYS
    if unknown:
        raise ConfigError(f"[printing.printers.{name}] unknown keys: {', '.join(sorted(unknown))}")
    for key in ("backend", "target", "format"):
        if not raw.get(key):
            raise ConfigError(f"[printing.printers.{name}] needs {key!r}")
    if raw["backend"] not in BACKENDS:
        raise ConfigError(
            f"[printing.printers.{name}] backend must be one of {BACKENDS}, got {raw['backend']!r}"
        )
    if raw["format"] not in FORMATS:
        raise ConfigError(
            f"[printing.printers.{name}] format must be one of {FORMATS}, got {raw['format']!r}"
        )
    dpi = int(raw.get("dpi", 203))
    if raw["format"] == "zpl" and dpi not in (203, 300):
        raise ConfigError(f"[printing.printers.{name}] ZPL printers are 203 or 300 dpi, got {dpi}")
    if not 72 <= dpi <= 600:
        raise ConfigError(f"[printing.printers.{name}] dpi {dpi} out of range")
    label = _label(name, raw.get("label"))
    if raw.get("pdf_sheet") not in (None, "A4", "Letter"):
        raise ConfigError(f"[printing.printers.{name}] pdf_sheet must be 'A4' or 'Letter'")
    if raw.get("escpos_cjk", "gb18030") not in ("gb18030", "none"):
        raise ConfigError(f"[printing.printers.{name}] escpos_cjk must be 'gb18030' or 'none'")
    return PrinterConfig(
        name=name,
        backend=raw["backend"],
        target=str(raw["target"]),
        format=raw["format"],
        dpi=dpi,
        label=label,
        zpl_cjk_font=raw.get("zpl_cjk_font", ""),
        escpos_cjk=raw.get("escpos_cjk", "gb18030"),
        pdf_sheet=raw.get("pdf_sheet"),
        connect_timeout=float(raw.get("connect_timeout", 5.0)),
        send_timeout=float(raw.get("send_timeout", 30.0)),
        lp_command=raw.get("lp_command", "lp"),
    )


def _label(name: str, raw: object) -> LabelSize | None:
    if raw is None:
        return None
    try:
        if isinstance(raw, str):  # "60x40"
            width, height = (float(v) for v in raw.lower().replace("mm", "").split("x"))
            return LabelSize(width, height)
        if isinstance(raw, Mapping):
            return LabelSize(float(raw["width_mm"]), float(raw["height_mm"]))
    except (ValueError, KeyError, InvalidDocument) as exc:
        raise ConfigError(f"[printing.printers.{name}] bad label size {raw!r}: {exc}") from exc
    raise ConfigError(f"[printing.printers.{name}] label must be 'WxH' or {{width_mm, height_mm}}")
