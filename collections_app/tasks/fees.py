"""Tasks of this area."""
