"""``python -m ledger`` is the ``relief-ledger`` command."""

from ledger.cli import main

main()
