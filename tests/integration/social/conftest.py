from http_support import api

__all__ = ["api"]
