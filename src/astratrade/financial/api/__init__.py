"""Financial's public routes: transfers and the ledger, subscriptions."""
