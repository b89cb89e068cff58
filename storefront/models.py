"""Catalog, discovery, campaigns and the school (built by their issues)."""
