"""Demo data of the funds domain."""

from __future__ import annotations

from ledger.config import Settings


async def load_demo(settings: Settings) -> list[str]:
    """Load the funds demo data unless it is there; return lines to print."""
    del settings
    return []
