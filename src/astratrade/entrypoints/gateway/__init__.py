"""The gateway of distributed mode: one public entry in front of the context services."""
