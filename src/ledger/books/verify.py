"""The hash chain, recomputed from the ledger files alone: any edit is detected and located.

Every exported transaction carries its journal ``seq`` and ``hash`` (sha256 of the previous entry's hash
and its own content). Walking the transactions in file order (file name, then line), each one is read back
with ``render.from_transaction`` and its hash recomputed from the *stored* hash of ``seq - 1``. So an edit
is named at the entry that was edited and does not cascade into every later entry. Problems, in file order:

- ``edited``: the stored hash is not the recomputed one (an amount, account or text of seq N changed), or
  the transaction no longer reads back as exported;
- ``missing``: seq N is absent (reported once per gap, at the entry after it);
- ``inserted``: a transaction without seq/hash metadata, or a second copy of a seq;
- ``reordered``: within one file, seq N comes after a higher seq.

Within a year file ``seq`` rises; across files it need not (an entry dated last year lands in last year's
file).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from beancount.core import data

from ledger.books.query import load, transactions
from ledger.books.render import from_transaction, ledger_seq
from ledger.core.entries import GENESIS_HASH, entry_hash
from ledger.core.errors import LedgerValidationFailed

ProblemKind = Literal["edited", "missing", "inserted", "reordered"]


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One break of the hash chain.

    Args:
        kind: ``edited``, ``missing``, ``inserted`` or ``reordered``.
        seq: the journal seq concerned (the first of a gap for ``missing``); ``None`` for a transaction
            without one.
        filename: the file where the problem shows.
        lineno: the line there.
        message: what is wrong, for people.
    """

    kind: ProblemKind
    seq: int | None
    filename: str
    lineno: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as JSON-serialisable data."""
        return {
            "kind": self.kind,
            "seq": self.seq,
            "filename": self.filename,
            "lineno": self.lineno,
            "message": self.message,
        }

    @property
    def brief(self) -> str:
        """The problem in a few words, without the entry's text or the directory: ``edited seq 3 at
        2026.beancount:12`` (safe to show on ``/health``)."""
        seq = f" seq {self.seq}" if self.seq is not None else ""
        return f"{self.kind}{seq} at {Path(self.filename).name}:{self.lineno}"


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of walking the chain.

    Args:
        ok: no problem found.
        count: how many distinct journal entries the files hold.
        head_seq: the highest seq (0 when none).
        head_hash: its stored hash (``GENESIS_HASH`` when none).
        problems: the problems in file order; the first is where the files first went wrong.
        hashes: seq -> stored hash of every entry (the first copy of a duplicated seq).
    """

    ok: bool
    count: int
    head_seq: int
    head_hash: str
    problems: list[ChainProblem]
    hashes: dict[int, str] = field(repr=False)

    def headline(self) -> str:
        """One line for people and ``/health``: the verdict and the first problem, no entry text."""
        if self.ok:
            return f"chain intact: {self.count} entries, head seq {self.head_seq}"
        count = len(self.problems)
        return f"{count} chain problem{'s' if count != 1 else ''}; the first: {self.problems[0].brief}"

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-serialisable data (without the per-entry hashes)."""
        return {
            "ok": self.ok,
            "entries": self.count,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "problems": [p.to_dict() for p in self.problems],
        }


def verify_chain(entries: Iterable[data.Directive]) -> ChainReport:
    """Recompute the hash chain over loaded directives and locate every break.

    Args:
        entries: directives as Beancount's loader returns them (any order; file order is restored from
            each transaction's ``filename`` and ``lineno``).
    """
    ours = [(txn, ledger_seq(txn)) for txn in transactions(entries)]
    first: dict[int, data.Transaction] = {}
    for txn, seq in ours:
        if seq is not None:
            first.setdefault(seq, txn)
    hashes = {seq: txn.meta["hash"] for seq, txn in first.items()}
    problems: list[ChainProblem] = []
    previous_in_file: dict[str, int] = {}
    for txn, seq in ours:
        if seq is None:
            problems.append(_problem("inserted", None, txn, "transaction without journal seq/hash metadata"))
            continue
        if first[seq] is not txn:
            where = f"{first[seq].meta['filename']}:{first[seq].meta['lineno']}"
            problems.append(_problem("inserted", seq, txn, f"seq {seq} appears again (first at {where})"))
            continue
        filename = txn.meta["filename"]
        before = previous_in_file.get(filename, 0)
        previous_in_file[filename] = max(before, seq)
        if seq < before:
            problems.append(
                _problem("reordered", seq, txn, f"seq {seq} comes after seq {before} in the file")
            )
        if seq > 1 and seq - 1 not in hashes:
            first_missing = seq - 1
            while first_missing > 1 and first_missing - 1 not in hashes:
                first_missing -= 1
            span = f"seq {first_missing}" + (f"..{seq - 1}" if first_missing < seq - 1 else "")
            problems.append(_problem("missing", first_missing, txn, f"{span} missing before seq {seq}"))
            continue  # without its predecessor's hash this entry cannot be checked
        problem = _edit(txn, seq, hashes[seq - 1] if seq > 1 else GENESIS_HASH)
        if problem is not None:
            problems.append(problem)
    head_seq = max(hashes, default=0)
    return ChainReport(
        ok=not problems,
        count=len(hashes),
        head_seq=head_seq,
        head_hash=hashes.get(head_seq, GENESIS_HASH),
        problems=problems,
        hashes=hashes,
    )


def _edit(txn: data.Transaction, seq: int, previous_hash: str) -> ChainProblem | None:
    """Return an ``edited`` problem unless ``txn`` hashes, after ``previous_hash``, to its stored hash."""
    try:
        recomputed = entry_hash(previous_hash, from_transaction(txn))
    except LedgerValidationFailed as error:
        return _problem("edited", seq, txn, f"seq {seq} no longer reads back as exported: {error.message}")
    if recomputed != txn.meta["hash"]:
        return _problem(
            "edited", seq, txn, f"seq {seq} was changed after export: it no longer matches its hash"
        )
    return None


def _problem(kind: ProblemKind, seq: int | None, txn: data.Transaction, message: str) -> ChainProblem:
    return ChainProblem(kind, seq, txn.meta["filename"], txn.meta["lineno"], message)


def verify_files(directory: Path) -> ChainReport:
    """Load ``<directory>/main.beancount`` (no cache) and verify its chain."""
    return verify_chain(load(directory).entries)
