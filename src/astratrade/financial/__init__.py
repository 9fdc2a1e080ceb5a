"""Financial: the double-entry ledger that proves every balance, and its reconciliation."""
