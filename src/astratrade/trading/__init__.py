"""Trading: markets, prices, collateral, orders, positions, margin, funding, liquidation."""
