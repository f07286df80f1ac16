"""Every data file the code reads at run time (TOML, templates, CSS, translations) is in the wheel.

setuptools ships only what ``[tool.setuptools.package-data]`` names; a template added in a new folder
would work from the checkout and be missing from an installed package.
"""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "ledger"


def test_package_data_globs_cover_every_data_file() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = {
        path
        for pattern in patterns["ledger"]
        for path in glob.glob(pattern, root_dir=PACKAGE, recursive=True)
        if (PACKAGE / path).is_file()
    }
    data = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }
    assert {"web/templates/base.html", "web/static/workbench.css", "config/policy.toml"} <= data
    assert data - shipped == set()
