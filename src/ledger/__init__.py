"""Relief Ledger (救助账本): relief-insurance claims and a charity guidance fund on a Beancount ledger."""
