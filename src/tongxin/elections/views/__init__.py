"""Election and motion pages, one module per part of the work; each lists its own routes."""
