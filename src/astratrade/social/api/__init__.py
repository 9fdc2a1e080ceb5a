"""Social's HTTP API."""
