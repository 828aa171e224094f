"""The public reads' JSON, built from rows without validating again field by field: encoded
with orjson as the documented models serialise (UTC times end in Z), and the one way to run a
read's statements on either read path (a session, or the lean path's asyncpg pool)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

# Runs a statement and hands its rows out as dicts: on a session (the ORM path) or on the lean
# path's asyncpg pool (books.lean), so both take the same steps with the same statements.
Rows = Callable[[Select[Any], dict[str, Any]], Awaitable[list[dict[str, Any]]]]


def session_rows(session: AsyncSession) -> Rows:
    async def rows(statement: Select[Any], params: dict[str, Any]) -> list[dict[str, Any]]:
        result = await session.execute(statement, params)
        keys = list(result.keys())
        return [dict(zip(keys, row, strict=True)) for row in result]

    return rows


def _default(value: Any) -> str:
    # asyncpg hands out its own UUID class, which orjson does not know by type.
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> bytes:
    """JSON as the documented models serialise it (UTC times end in Z)."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_UTC_Z)


def page_json(items: list[dict[str, Any]], *, page: int, limit: int, total: int) -> bytes:
    pagination = {
        "page": page,
        "limit": limit,
        "total": total,
        "totalPages": -(-total // limit) if total else 0,
    }
    return dumps({"success": True, "data": items, "pagination": pagination})


def envelope_json(data: Any) -> bytes:
    return dumps({"success": True, "data": data})
