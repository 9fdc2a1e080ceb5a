"""The HTTP kernel every context's routes stand on: authentication and request
dependencies, decimal-safe routes and error bodies, shared field types, request ids."""
