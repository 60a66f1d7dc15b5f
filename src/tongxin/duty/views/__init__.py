"""The duty pages: one module per part of the work, each listing its routes."""
