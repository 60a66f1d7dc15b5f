"""roll actions."""
