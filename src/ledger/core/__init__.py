"""Shared kernel: money, identity numbers, errors, clock. Imports no web, database or Beancount code."""
