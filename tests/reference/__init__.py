"""Independent reference implementations, written from the SPEC alone, that the real
domain is checked against. Nothing here imports astratrade."""
