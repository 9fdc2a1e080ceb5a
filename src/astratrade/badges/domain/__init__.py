"""Badges as pure rules: token ids, the catalogue, images, metadata and credentials."""
