"""casting actions."""
