"""Fixtures for the report rendering tests: the system tools and the CJK font they need.

Poppler (``pdffonts``, ``pdftoppm``) and a CJK TrueType font are required, not optional: when one is
missing the tests fail and say which apt command installs it (the project CI installs them).
"""

from __future__ import annotations

import shutil

import pytest
from reports_samples import APT

from ledger.reports.pdf.fonts import CJKFontMissing, register_cjk_font


@pytest.fixture(scope="session")
def poppler() -> None:
    """Fail (not skip) when the poppler tools are missing."""
    missing = [tool for tool in ("pdffonts", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: install with `{APT}` (CI installs them)")


@pytest.fixture(scope="session")
def cjk_font() -> str:
    """Register the CJK font; fail with the apt command when there is none."""
    try:
        return register_cjk_font()
    except CJKFontMissing as exc:
        pytest.fail(f"{exc}; the tests need `{APT}`")
