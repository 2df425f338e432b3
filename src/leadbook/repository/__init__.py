"""Queries, one module per aggregate. Each function takes a Connection the caller owns."""
