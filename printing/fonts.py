"""Finding TrueType fonts on this machine for the PNG and PDF renderers.

Label printers use their own fonts; only the preview/PDF renderers need files. CJK text needs
a CJK font (fonts-noto-cjk or fonts-wqy-microhei on Debian); without one, renderers degrade
(see ``printing/README.md``) rather than draw empty boxes silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path

_LATIN_CANDIDATES = {
    False: ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
    True: ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"],
}
_CJK_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
]

#: Set COUNTER_CJK_FONT to a font file to override discovery (or to "" to pretend none exists).
CJK_FONT_ENV = "COUNTER_CJK_FONT"


def is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def needs_cjk(text: str) -> bool:
    return any(is_wide(c) for c in text)


@lru_cache(maxsize=4)
def latin_font(bold: bool = False) -> Path | None:
    for candidate in _LATIN_CANDIDATES[bold]:
        if Path(candidate).is_file():
            return Path(candidate)
    return _fc_list(":style=Bold" if bold else ":style=Book")


def cjk_font() -> Path | None:
    override = os.environ.get(CJK_FONT_ENV)
    if override is not None:
        return Path(override) if override and Path(override).is_file() else None
    return _cjk_font_discovered()


@lru_cache(maxsize=1)
def _cjk_font_discovered() -> Path | None:
    for candidate in _CJK_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return _fc_list(":lang=zh-cn")


def _fc_list(pattern: str) -> Path | None:
    if not shutil.which("fc-list"):
        return None
    try:
        out = subprocess.run(
            ["fc-list", pattern, "file"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    files = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
    for f in files:
        if f.lower().endswith((".ttf", ".otf", ".ttc")):
            return Path(f)
    return None
