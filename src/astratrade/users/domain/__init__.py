"""The users domain: pure Python, no I/O."""
