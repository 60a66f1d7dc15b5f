"""Every state change of elections and motions, one module per part of the work."""
