"""Copy trading's use cases."""
