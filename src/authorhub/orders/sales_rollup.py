"""Keeps the daily sales rollup (`sales_days`, `sales_item_days`, models/sales.py) current.

`mark_order_paid` and `mark_order_refunded` are the only places where an order becomes paid or
a refund is recorded; each calls one function here after its flush, in its own transaction, so
the rollup commits or rolls back with the sale. Application code rather than a trigger: the
sale and its lines are both known at that moment (a trigger on orders would run before a
seeder's COPY of the lines, so it would need triggers on three tables reasoning about insertion
order), and the rule stays next to the state change it follows.

Each statement aggregates from the rows just written (the same expressions as the backfill, so
the day is the one the old queries derived from `paid_at` / `created_at`) and adds to the
existing rows with ON CONFLICT. Rows are written in key order, `sales_days` first, so two
settlements wait on each other instead of deadlocking. Busy days make `sales_days` a hot row:
settlements of one currency serialise from this point to their commit (a few milliseconds).
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_PAID = """
INSERT INTO sales_days AS s (day, currency, paid_orders, revenue)
SELECT (o.paid_at AT TIME ZONE 'UTC')::date, o.currency, count(*),
       sum(coalesce(o.amount_paid, o.total))
  FROM orders o
 WHERE o.paid_at IS NOT NULL AND {where}
 GROUP BY 1, 2
 ORDER BY 1, 2
ON CONFLICT (day, currency) DO UPDATE
   SET paid_orders = s.paid_orders + excluded.paid_orders, revenue = s.revenue + excluded.revenue
"""

_PAID_ITEMS = """
INSERT INTO sales_item_days AS s (kind, day, currency, item_id, units, revenue)
SELECT l.kind, (o.paid_at AT TIME ZONE 'UTC')::date, l.currency, l.item_id, sum(l.quantity),
       sum(l.line_total)
  FROM orders o JOIN order_lines l ON l.order_id = o.id
 WHERE o.paid_at IS NOT NULL AND {where}
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 3, 4
ON CONFLICT (kind, day, currency, item_id) DO UPDATE
   SET units = s.units + excluded.units, revenue = s.revenue + excluded.revenue
"""

_REFUNDS = """
INSERT INTO sales_days AS s (day, currency, refunds, refunded)
SELECT (r.created_at AT TIME ZONE 'UTC')::date, r.currency, count(*), sum(r.amount)
  FROM order_refunds r
 WHERE {where}
 GROUP BY 1, 2
 ORDER BY 1, 2
ON CONFLICT (day, currency) DO UPDATE
   SET refunds = s.refunds + excluded.refunds, refunded = s.refunded + excluded.refunded
"""

_ORDER_PAID = [text(sql.format(where="o.id = :id")) for sql in (_PAID, _PAID_ITEMS)]
_REFUND = text(_REFUNDS.format(where="r.id = :id"))
_EVERYTHING = [text(sql.format(where="true")) for sql in (_PAID, _PAID_ITEMS, _REFUNDS)]


async def record_paid(session: AsyncSession, order_id: uuid.UUID) -> None:
    """Add an order that has just been marked paid (flushed) to its day's figures."""
    for statement in _ORDER_PAID:
        await session.execute(statement, {"id": order_id})


async def record_refund(session: AsyncSession, refund_id: uuid.UUID) -> None:
    """Add a refund that has just been recorded (flushed) to its day's figures."""
    await session.execute(_REFUND, {"id": refund_id})


async def rebuild(session: AsyncSession) -> None:
    """Recompute both tables from the orders (after orders were written by SQL: a restore, a
    seeder). Locks the tables, so settlements wait for it rather than being missed."""
    await session.execute(text("LOCK TABLE sales_days, sales_item_days IN EXCLUSIVE MODE"))
    await session.execute(text("DELETE FROM sales_item_days"))
    await session.execute(text("DELETE FROM sales_days"))
    for statement in _EVERYTHING:
        await session.execute(statement)
