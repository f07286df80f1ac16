"""Response bodies of the report routes (msgspec)."""

from __future__ import annotations

import msgspec


class ReportInfo(msgspec.Struct, frozen=True):
    """A report that can be downloaded."""

    name: str
    title_cn: str
    title_en: str
    books: list[str]
    formats: list[str]
