"""Audit statements from the Beancount ledger (PDF, CSV, XLSX), cross-checked with the journal."""
