"""nominations actions."""
