"""The HTTP edge: error mapping, authentication, idempotency, request ids, docs. No business rules."""
