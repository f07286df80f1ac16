"""The double-entry journal in the database and its export to the Beancount ledger."""
