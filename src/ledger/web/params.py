"""Query parameters shared by every list route."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

Limit = Annotated[int, QueryParameter(ge=1, le=500, description="page size (1-500)")]
Offset = Annotated[int, QueryParameter(ge=0, description="rows to skip")]
