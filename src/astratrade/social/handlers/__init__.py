"""Social's use cases."""
