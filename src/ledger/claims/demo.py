"""Demo data of the claims domain."""

from __future__ import annotations

from ledger.config import Settings


async def load_demo(settings: Settings) -> list[str]:
    """Load the claims demo data unless it is there; return lines to print."""
    del settings
    return []
