"""Copy trading's routes."""
