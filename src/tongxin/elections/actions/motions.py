"""motions actions."""
