"""Queries, one module per aggregate. Each function takes a Connection the caller owns."""

from __future__ import annotations

from typing import Any


def inserted_id(result: Any) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every leadbook table has an integer key
        raise RuntimeError("the database returned no key for the new row")
    return int(key[0])
