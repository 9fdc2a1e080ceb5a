"""Analytics over HTTP."""
