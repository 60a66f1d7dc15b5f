"""rounds actions."""
