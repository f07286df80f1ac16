"""The import rules of ``[tool.importlinter]`` in pyproject.toml hold, and would catch a breach.

The rules: rule modules (``*.domain``, ``core``, the configuration schemas) import neither Litestar
nor Piccolo; only ``ledger.books`` imports Beancount, beanquery or Fava; reports read the claims and
funds tables only through those domains' services; and packages import only the
layers below them (entry points, reports, claims | funds, journal, web plumbing, platform, books, db,
config, core).
"""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import ledger

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
    "contracts"
]


def lint_imports(project: Path, *pythonpath: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` on the project in ``project`` (its pyproject.toml), without a cache."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(str(p) for p in pythonpath)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def contract_named(contract_id: str) -> str:
    return next(c["name"] for c in CONTRACTS if c["id"] == contract_id)


def test_the_code_keeps_every_import_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def test_every_top_level_module_has_a_layer() -> None:
    layers = next(c for c in CONTRACTS if c["id"] == "layers")["layers"]
    listed = {name.strip().strip("()") for layer in layers for name in layer.replace(":", "|").split("|")}
    for module in pkgutil.iter_modules(ledger.__path__):
        name = f"ledger.{module.name}"
        if name == "ledger.web":  # HTTP plumbing sits low, the pages high: each module is placed
            web = Path(ledger.__path__[0]) / "web"
            assert {f"ledger.web.{m.name}" for m in pkgutil.iter_modules([str(web)])} <= listed
        else:
            assert name in listed, f"{name} is in no layer of [tool.importlinter] 'layers'"


def test_the_contracts_catch_forbidden_imports(tmp_path: Path) -> None:
    skip = shutil.ignore_patterns("__pycache__", "*.toml")
    shutil.copytree(ROOT / "src" / "ledger", tmp_path / "ledger", ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    breaches = {
        "claims/domain/__init__.py": "import litestar",  # a rule module reaching for the web framework
        "reports/service.py": "import beancount.loader",  # Beancount outside ledger.books
        "journal/repository.py": "from ledger.claims import service",  # journal importing upwards
        "reports/exports.py": "from ledger.funds.tables import Grant",  # reports reading a table
        "funds/domain/periods.py": "import piccolo.table",  # a rule module of a domain package
    }
    for module, line in breaches.items():
        with (tmp_path / "ledger" / module).open("a", encoding="utf-8") as handle:
            handle.write(f"\n{line}\n")
    result = lint_imports(tmp_path, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 4 broken." in result.stdout
    for contract in ("pure-rules", "beancount-in-books", "reports-ask-services", "layers"):
        assert f"{contract_named(contract)} BROKEN" in " ".join(result.stdout.split())
    assert "ledger.claims.domain -> litestar" in result.stdout
    assert "ledger.funds.domain.periods -> piccolo" in result.stdout
    assert "ledger.reports.exports -> ledger.funds.tables" in result.stdout
    assert "ledger.reports.service -> beancount" in result.stdout
    assert "ledger.journal.repository -> ledger.claims.service" in result.stdout
