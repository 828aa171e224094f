"""The plumbing every admin list repeats, once: a page of a statement with its total, a row
locked for a change, and the created-between date filter. No business rules here: each domain
builds the statement (scoped to what the caller may read) and its filters object.

    rows, total = await page_of(session, statement, paging, Order.created_at.desc(), Order.id)
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.interfaces import ORMOption

from authorhub.kit.pagination import PageParams
from authorhub.kit.time import utc_midnight

T = TypeVar("T")


async def page_of(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    paging: PageParams,
    *order_by: Any,
    options: tuple[ORMOption, ...] = (),
) -> tuple[list[Any], int]:
    """One page of `statement` in `order_by` order, and how many rows it has in all (two
    queries). A statement of one entity gives the entities; of several, tuples of them."""
    total = int(await session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    paged = (
        statement.options(*options).order_by(*order_by).offset(paging.offset).limit(paging.limit)
    )
    if len(statement.column_descriptions) == 1:
        return list(await session.scalars(paged)), total
    return [tuple(row) for row in await session.execute(paged)], total


async def get_for_update(
    session: AsyncSession,
    model: type[T],
    row_id: uuid.UUID,
    *,
    options: tuple[ORMOption, ...] = (),
    key_share: bool = False,
) -> T | None:
    """The row, locked until the transaction ends and read afresh (another transaction may have
    just changed it). `key_share`: FOR NO KEY UPDATE, so rows pointing at it are not blocked."""
    primary_key: InstrumentedAttribute[uuid.UUID] = model.id  # type: ignore[attr-defined]
    return await session.scalar(
        select(model)
        .where(primary_key == row_id)
        .options(*options)
        .with_for_update(of=model, key_share=key_share)
        .execution_options(populate_existing=True)
    )


def created_between(
    column: InstrumentedAttribute[Any], date_from: date | None, date_to: date | None
) -> list[ColumnElement[bool]]:
    """`from` and `to` are whole UTC days, both included."""
    conditions: list[ColumnElement[bool]] = []
    if date_from is not None:
        conditions.append(column >= utc_midnight(date_from))
    if date_to is not None:
        conditions.append(column < utc_midnight(date_to + timedelta(days=1)))
    return conditions
