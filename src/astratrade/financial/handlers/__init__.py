"""Financial's use cases, by concept: transfers, subscriptions."""
