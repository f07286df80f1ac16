"""The workbench's languages: Chinese (zh-CN) first, English switchable per user.

Message ids are the English text; ``zh_CN/LC_MESSAGES/messages.po`` gives the Chinese. The catalogue is
read from the ``.po`` file when first needed (compiled in memory with Babel), so a fresh
``pip install -e .`` needs no compile step. The JSON API keeps its English messages: only pages use this.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("zh_CN", "en")
"""The languages a user may choose, the default first."""

DEFAULT_LOCALE = LOCALES[0]
CATALOGUE_DIR = Path(__file__).resolve().parent
DOMAIN = "messages"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)
"""The language of the page being rendered (set per request by the pages' hook)."""


def po_path(locale: str) -> Path:
    """The ``.po`` file of ``locale``."""
    return CATALOGUE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> gettext.NullTranslations:
    """The translations of ``locale``; English (the message ids themselves) has no catalogue.

    Args:
        locale: one of ``LOCALES``.
    """
    path = po_path(locale)
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def parse_locale(value: str | None) -> str:
    """A known locale from a cookie or form value (``zh-CN`` and ``zh_CN`` both work), else the default."""
    text = (value or "").replace("-", "_")
    return text if text in LOCALES else DEFAULT_LOCALE


def gettext_(message: str) -> str:
    """``message`` in the current page's language."""
    return translations(current_locale.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the current language."""
    return translations(current_locale.get()).ngettext(singular, plural, n)


def is_chinese() -> bool:
    """Whether the current page is in Chinese (then column heads also carry an English caption)."""
    return current_locale.get().startswith("zh")
