"""Users, roles and sign-in; the audit trail; idempotency keys; job runs. What every domain stands on."""
