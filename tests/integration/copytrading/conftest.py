from copying_support import api, trading

__all__ = ["api", "trading"]
