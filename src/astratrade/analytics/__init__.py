"""Analytics (SPEC 13): trader analytics, candles and platform analytics, read models only,
fed by other contexts' events and rebuildable from the audit log."""
