"""The progression domain: pure Python, no I/O, no clock (times arrive as arguments)."""
