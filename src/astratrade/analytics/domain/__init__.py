"""Pure rules of analytics: metrics of closed trades and daily returns, candles."""
