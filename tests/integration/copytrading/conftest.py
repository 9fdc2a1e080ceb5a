from copying_support import api

__all__ = ["api"]
