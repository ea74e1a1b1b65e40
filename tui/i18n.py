"""Screen language: gettext catalogues (Babel .po files) for English and Simplified Chinese.

The .po file is the source of truth. A compiled .mo next to it is used when present and newer;
otherwise the .po is compiled in memory with Babel at startup (a few milliseconds for this
catalogue), so a fresh ``pip install -e .`` needs no manual compile step.

Screens call ``_()`` when they build text, never at import time, so switching language (tests run
both in one process) takes effect on the next screen built.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "counter"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "zh_CN")

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


@cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The translations for one language (English is the source text, so it needs none)."""
    if lang == "en":
        return gettext.NullTranslations()
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    if not po.exists():
        raise ValueError(f"No translations for {lang!r}: choose one of {', '.join(LANGUAGES)}.")
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def set_language(lang: str) -> None:
    """Switch every later ``_()`` to ``lang`` ('en' or 'zh_CN'; 'zh' means 'zh_CN')."""
    global _translations, _language
    lang = "zh_CN" if lang.lower().replace("-", "_") in ("zh", "zh_cn", "zh_hans") else lang
    if lang not in LANGUAGES:
        raise ValueError(f"Language {lang!r} is not available: choose one of {', '.join(LANGUAGES)}.")
    _translations = catalogue(lang)
    _language = lang


def language() -> str:
    return _language


def babel_locale() -> str:
    """The locale Babel formats numbers and money in."""
    return "zh_Hans_CN" if _language == "zh_CN" else "en"


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)
