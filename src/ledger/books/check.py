"""``ledger check``: Beancount's own checks, the hash chain and the reconciliation with the journal.

The ledger is loaded once, with the validations ``bean-check`` runs and without the pickle cache; the
chain walk and the reconciliation are single linear passes over the loaded entries, so the whole check
costs little more than ``bean-check`` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from beancount.core import data

from ledger.books.query import LoadedLedger, cny_number, load, paused_gc
from ledger.books.verify import ChainReport, verify_chain
from ledger.core.money import Fen, to_decimal

DifferenceKind = Literal["count", "sum", "missing", "extra", "hash"]
_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class JournalSummary:
    """What the database journal says the ledger must hold.

    Args:
        count: the number of journal entries.
        sums: account -> sum of its postings, in fen.
        hashes: seq -> the entry's chained hash.
    """

    count: int
    sums: Mapping[str, Fen]
    hashes: Mapping[int, str]


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """An error Beancount reported while loading (syntax, balance, unknown account ...).

    Args:
        message: Beancount's message.
        filename: the file, when Beancount knows it.
        lineno: the line, when Beancount knows it.
    """

    message: str
    filename: str | None
    lineno: int | None


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the files differ from the journal.

    Args:
        kind: ``count``, ``sum`` (an account's total), ``missing`` (a journal seq not in the files),
            ``extra`` (a seq in the files but not in the journal) or ``hash``.
        subject: the account name, ``seq N`` or ``entries``.
        journal: the journal's value (amounts as ``"123.45"``), ``None`` when it has none.
        ledger: the files' value, ``None`` when they have none.
    """

    kind: DifferenceKind
    subject: str
    journal: str | None
    ledger: str | None

    @property
    def message(self) -> str:
        """The difference for people: ``Assets:Charity:Bank: journal 123.45 vs ledger 120.00``."""
        if self.kind == "missing":
            return f"{self.subject} is in the journal but missing from the files"
        if self.kind == "extra":
            return f"{self.subject} is in the files but not in the journal"
        label = f"{self.subject}: hash differs" if self.kind == "hash" else self.subject
        return f"{label}: journal {self.journal} vs ledger {self.ledger}"


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The outcome of ``check_ledger``.

    Args:
        directory: the ledger directory.
        errors: Beancount's errors.
        chain: the hash-chain report.
        differences: journal vs files; empty when no journal summary was given.
        reconciled: whether a journal summary was compared.
    """

    directory: Path
    errors: list[LoadProblem]
    chain: ChainReport
    differences: list[Difference]
    reconciled: bool

    @property
    def ok(self) -> bool:
        """No Beancount error, an unbroken chain and, if reconciled, no difference."""
        return not self.errors and self.chain.ok and not self.differences

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-serialisable data (amounts as decimal strings)."""
        return {
            "ok": self.ok,
            "directory": str(self.directory),
            "entries": self.chain.count,
            "head_seq": self.chain.head_seq,
            "head_hash": self.chain.head_hash,
            "reconciled": self.reconciled,
            "errors": [
                {"message": e.message, "filename": e.filename, "lineno": e.lineno} for e in self.errors
            ],
            "chain": [p.to_dict() for p in self.chain.problems],
            "differences": [
                {
                    "kind": d.kind,
                    "subject": d.subject,
                    "journal": d.journal,
                    "ledger": d.ledger,
                    "message": d.message,
                }
                for d in self.differences
            ],
        }

    def headline(self) -> str:
        """One line for people and ``/health``: the verdict and the first problem, no entry text."""
        if self.ok:
            return f"OK: {self.chain.count} entries" + (
                " reconciled with the journal" if self.reconciled else ""
            )
        firsts = [
            *(f"beancount error at {_where(e.filename, e.lineno, brief=True)}" for e in self.errors[:1]),
            *(p.brief for p in self.chain.problems[:1]),
            *(f"{d.kind} {d.subject}" for d in self.differences[:1]),
        ]
        count = len(self.errors) + len(self.chain.problems) + len(self.differences)
        return f"{count} problem{'s' if count != 1 else ''}; the first: {firsts[0]}"

    def summary_lines(self) -> list[str]:
        """Return the report as lines for a terminal, the verdict first."""
        chain = self.chain
        scope = "checked and reconciled with the journal" if self.reconciled else "checked"
        count = len(self.errors) + len(chain.problems) + len(self.differences)
        verdict = "OK" if self.ok else f"{count} problem{'s' if count != 1 else ''}"
        lines = [
            f"{self.directory}: {verdict}: {chain.count} entries {scope}, "
            f"head seq {chain.head_seq} hash {chain.head_hash[:12]}"
        ]
        lines.extend(f"  beancount: {_where(e.filename, e.lineno)}{e.message}" for e in self.errors)
        lines.extend(f"  chain: {p.kind} {_where(p.filename, p.lineno)}{p.message}" for p in chain.problems)
        lines.extend(f"  journal: {d.message}" for d in self.differences)
        return lines


def check_ledger(directory: Path, journal: JournalSummary | None = None) -> CheckReport:
    """Load the ledger once, with ``bean-check``'s validations, and run every check on it.

    Args:
        directory: the ledger directory (``main.beancount`` inside).
        journal: the journal's count, sums and hashes to reconcile with; ``None`` to check the files alone.
    """
    with paused_gc():
        return check_loaded(directory, load(directory, hardcore=True), journal)


def check_loaded(directory: Path, loaded: LoadedLedger, journal: JournalSummary | None = None) -> CheckReport:
    """Run the checks of ``check_ledger`` on a ledger already loaded (for callers that need the entries too).

    Args:
        directory: the ledger directory the entries were loaded from.
        loaded: ``query.load(directory, hardcore=True)``.
        journal: see ``check_ledger``.
    """
    with paused_gc():
        chain = verify_chain(loaded.entries)
        differences = [] if journal is None else reconcile(loaded, chain, journal)
    return CheckReport(
        directory=directory,
        errors=[_load_problem(e) for e in loaded.errors],
        chain=chain,
        differences=differences,
        reconciled=journal is not None,
    )


def reconcile(loaded: LoadedLedger, chain: ChainReport, journal: JournalSummary) -> list[Difference]:
    """Return every difference between the files and the journal: count, sums per account, hashes.

    Args:
        loaded: the loaded ledger (every transaction counts towards the sums).
        chain: its chain report (the stored hash per seq).
        journal: what the journal holds.
    """
    differences: list[Difference] = []
    if journal.count != chain.count:
        differences.append(Difference("count", "entries", str(journal.count), str(chain.count)))
    ledger_sums = _sums(loaded.entries)
    for account in sorted(ledger_sums.keys() | journal.sums.keys()):
        expected = to_decimal(journal.sums.get(account, 0))
        found = ledger_sums.get(account, _ZERO)
        if expected != found:
            differences.append(Difference("sum", account, str(expected), str(found)))
    for seq in sorted(journal.hashes.keys() | chain.hashes.keys()):
        expected_hash, found_hash = journal.hashes.get(seq), chain.hashes.get(seq)
        if found_hash is None:
            differences.append(Difference("missing", f"seq {seq}", expected_hash, None))
        elif expected_hash is None:
            differences.append(Difference("extra", f"seq {seq}", None, found_hash))
        elif expected_hash != found_hash:
            differences.append(Difference("hash", f"seq {seq}", expected_hash, found_hash))
    return differences


def _sums(entries: list[data.Directive]) -> dict[str, Decimal]:
    """Return account -> sum of its CNY postings over every transaction, with two decimals."""
    sums: dict[str, Decimal] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                number = cny_number(posting)
                if number is not None:
                    sums[posting.account] = sums.get(posting.account, _ZERO) + number
    return sums


def _load_problem(error: Any) -> LoadProblem:
    source = error.source or {}
    return LoadProblem(message=error.message, filename=source.get("filename"), lineno=source.get("lineno"))


def _where(filename: str | None, lineno: int | None, *, brief: bool = False) -> str:
    """``file:line: `` for a terminal; with ``brief`` only ``name:line``, without the directory."""
    if brief:
        return f"{Path(filename).name}:{lineno}" if filename else "an unknown place"
    return f"{filename}:{lineno}: " if filename else ""
