"""Restriction and receipts: the guidance grant and matching donations, and their entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from ledger.core.entries import Posting
from ledger.core.errors import InvalidInput
from ledger.core.money import Fen
from ledger.funds.domain.accounts import (
    BANK,
    DONATIONS_RESTRICTED,
    DONATIONS_UNRESTRICTED,
    GOVERNMENT_GRANT_RESTRICTED,
    GOVERNMENT_GRANT_UNRESTRICTED,
)
from ledger.funds.domain.inputs import required_text, transfer, whole_fen


class Restriction(StrEnum):
    """Whether donors or the grantor limited how the money may be used (限定性 / 非限定性)."""

    RESTRICTED = "restricted"
    UNRESTRICTED = "unrestricted"


class ReceiptKind(StrEnum):
    """Where money coming into the fund is from."""

    GOVERNMENT_GRANT = "government_grant"
    """The district finance's guidance grant (政府补助收入, 4401xx)."""
    DONATION = "donation"
    """An enterprise's or person's donation, e.g. matching money (捐赠收入, 4101xx)."""


_INCOME_ACCOUNTS: Mapping[tuple[ReceiptKind, Restriction], str] = MappingProxyType(
    {
        (ReceiptKind.GOVERNMENT_GRANT, Restriction.RESTRICTED): GOVERNMENT_GRANT_RESTRICTED,
        (ReceiptKind.GOVERNMENT_GRANT, Restriction.UNRESTRICTED): GOVERNMENT_GRANT_UNRESTRICTED,
        (ReceiptKind.DONATION, Restriction.RESTRICTED): DONATIONS_RESTRICTED,
        (ReceiptKind.DONATION, Restriction.UNRESTRICTED): DONATIONS_UNRESTRICTED,
    }
)


def income_account(kind: ReceiptKind, restriction: Restriction) -> str:
    """Return the income account a receipt of ``kind`` with ``restriction`` is credited to."""
    return _INCOME_ACCOUNTS[ReceiptKind(kind), Restriction(restriction)]


def check_receipt(
    kind: ReceiptKind,
    amount_fen: Fen,
    *,
    donor: str,
    agreement: str,
    reference: str,
    received_on: dt.date,
    today: dt.date,
) -> None:
    """Check a receipt before it is recorded.

    Args:
        kind: government grant or donation.
        amount_fen: the money received; above zero.
        donor: who gave it (the district finance bureau, the enterprise); required.
        agreement: the grant document or donation agreement number; required.
        reference: the bank statement's reference of the credit (银行流水号); required.
        received_on: the value date on the bank statement; not after ``today``.
        today: the current date (injected, so the rule is testable).

    Raises:
        InvalidInput: naming ``amount``, ``donor``, ``agreement``, ``reference`` or ``received_on``.
    """
    ReceiptKind(kind)
    whole_fen(amount_fen, "amount")
    required_text(donor, "donor")
    required_text(agreement, "agreement")
    required_text(reference, "reference")
    if received_on > today:
        raise InvalidInput(
            f"received_on is in the future: {received_on.isoformat()}",
            field="received_on",
            rule="not in the future",
        )


def receipt_postings(kind: ReceiptKind, restriction: Restriction, amount_fen: Fen) -> tuple[Posting, Posting]:
    """Return the entry for money received: Dr 1002 bank / Cr the income account.

    The guidance grant is ``(GOVERNMENT_GRANT, RESTRICTED)``: Dr 1002 / Cr 440102; a matching donation is
    ``(DONATION, RESTRICTED)``: Dr 1002 / Cr 410102.

    Raises:
        InvalidInput: ``amount`` is not above zero.
    """
    return transfer(BANK, income_account(kind, restriction), amount_fen)
