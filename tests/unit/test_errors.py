"""Every error the code raises on purpose belongs to one base type, and that base alone decides its status.

The walk imports every module of the package, so an error class added anywhere is checked without being
listed here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter

import ledger
from ledger.core import errors
from ledger.web.errors import STATUS_OF, status_of

BASES = frozenset(STATUS_OF)


def _all_errors() -> list[type[errors.LedgerError]]:
    for module in pkgutil.walk_packages(ledger.__path__, "ledger."):
        if module.name != "ledger.__main__" and ".piccolo_migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[type[errors.LedgerError]] = []
    todo = [errors.LedgerError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in found and sub.__module__.startswith("ledger."):
                found.append(sub)
                todo.append(sub)
    return found


ALL = _all_errors()
DOMAIN = [cls for cls in ALL if cls not in BASES]


def test_the_walk_finds_the_errors_of_every_layer() -> None:
    modules = {cls.__module__ for cls in DOMAIN}
    assert {"ledger.claims.errors", "ledger.funds.errors", "ledger.core.entries", "ledger.db"} <= modules
    assert len(DOMAIN) >= 50


def test_every_base_type_in_core_errors_has_a_status() -> None:
    direct = {cls for cls in errors.LedgerError.__subclasses__() if cls.__module__ == errors.__name__}
    assert direct == BASES
    assert STATUS_OF[errors.PermissionDenied] == 403
    assert STATUS_OF[errors.Conflict] == 409


def test_each_error_subclasses_exactly_one_base_and_answers_its_status() -> None:
    for cls in DOMAIN:
        bases = [base for base in cls.__mro__ if base in BASES]
        assert len(bases) == 1, f"{cls.__module__}.{cls.__name__} has bases {bases}"
        assert status_of(cls.__new__(cls)) == STATUS_OF[bases[0]], cls


def test_no_two_error_classes_share_a_name() -> None:
    names = Counter(cls.__name__ for cls in ALL)
    twins = {name: n for name, n in names.items() if n > 1}
    assert not twins, twins


def test_errors_are_defined_beside_their_rules_not_in_services_or_controllers() -> None:
    for cls in DOMAIN:
        assert not cls.__module__.endswith((".service", ".controllers")), cls


def test_each_error_has_its_message_in_its_docstring() -> None:
    for cls in ALL:
        assert (cls.__doc__ or "").strip(), cls
        if cls.__init__ is errors.LedgerError.__init__:
            assert cls().message == (cls.__doc__ or "").strip(), cls


def test_four_eyes_is_a_permission_conflict_and_a_status_change_a_state_conflict() -> None:
    assert status_of(errors.FourEyesViolation()) == 403
    assert status_of(errors.IllegalTransition()) == 409
