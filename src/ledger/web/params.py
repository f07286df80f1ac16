"""Query and path parameters shared by the routes.

Every integer is bounded by what the database can compare it with: an unbounded one (a row id of
``2**70``, an offset past a 64-bit integer) would otherwise reach the driver and fail there as a 500.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from ledger.db import MAX_BIGINT, MAX_INTEGER

Limit = Annotated[int, QueryParameter(ge=1, le=500, description="page size (1-500)")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_BIGINT, description="rows to skip")]
RowId = Annotated[int, PathParameter(ge=1, le=MAX_INTEGER, description=f"a row id (1-{MAX_INTEGER})")]
"""A database row id in the path (``/api/grants/{grant_id}``)."""
Number = Annotated[
    int, PathParameter(ge=1, le=MAX_INTEGER, description=f"a number from 1 (to {MAX_INTEGER})")
]
"""A 1-based number in the path (a grant's tranche ``n``)."""
RowIdQuery = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_INTEGER, description=f"a row id (1-{MAX_INTEGER})")
]
"""An optional database row id in the query string (``?call_id=3``)."""
