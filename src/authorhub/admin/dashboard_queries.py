"""The dashboard's figures, each one SQL aggregate over an indexed range (never rows in Python).

Money is kept per currency (NGN and USD orders are never added together). Revenue is what was
paid in the range (orders.paid_at, ix_orders_paid_at_currency); refunds are what was refunded in
the range (order_refunds.created_at); orders, carts and members count what was created in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.kit.time import utc_midnight

Period = Literal["day", "week", "month"]


@dataclass(frozen=True, slots=True)
class Range:
    start: date
    end: date  # inclusive
    period: Period

    @property
    def since(self) -> datetime:
        return utc_midnight(self.start)

    @property
    def until(self) -> datetime:
        return utc_midnight(self.end + timedelta(days=1))

    def params(self) -> dict[str, object]:
        return {"since": self.since, "until": self.until, "period": self.period}


@dataclass(frozen=True, slots=True)
class RevenuePoint:
    bucket: date
    currency: str
    orders: int
    revenue: int


@dataclass(frozen=True, slots=True)
class CurrencyTotals:
    currency: str
    paid_orders: int
    revenue: int
    average_order: int
    refunded: int
    refunds: int


@dataclass(frozen=True, slots=True)
class TopBook:
    title: str
    currency: str
    copies: int
    revenue: int


@dataclass(frozen=True, slots=True)
class Funnel:
    carts: int
    orders: int
    paid: int
    new_members: int


async def revenue_series(session: AsyncSession, r: Range) -> list[RevenuePoint]:
    rows = await session.execute(
        text(
            """
            SELECT date_trunc(:period, paid_at AT TIME ZONE 'UTC')::date AS bucket, currency,
                   count(*) AS orders, coalesce(sum(coalesce(amount_paid, total)), 0) AS revenue
              FROM orders
             WHERE paid_at IS NOT NULL AND paid_at >= :since AND paid_at < :until
             GROUP BY 1, 2
             ORDER BY 1, 2
            """
        ),
        r.params(),
    )
    return [RevenuePoint(*row) for row in rows]


async def currency_totals(
    session: AsyncSession, r: Range, series: list[RevenuePoint]
) -> list[CurrencyTotals]:
    """Per currency: paid orders, revenue and average order value added up from the revenue
    series (its few aggregated rows, so the orders are scanned once for both), and the refunds
    of the range from their own indexed aggregate."""
    refunded = {
        currency: (amount, count)
        for currency, amount, count in await session.execute(
            text(
                """
                SELECT currency, sum(amount), count(*)
                  FROM order_refunds
                 WHERE created_at >= :since AND created_at < :until
                 GROUP BY currency
                """
            ),
            r.params(),
        )
    }
    paid: dict[str, tuple[int, int]] = {}
    for point in series:
        orders, revenue = paid.get(point.currency, (0, 0))
        paid[point.currency] = (orders + point.orders, revenue + point.revenue)
    return [
        CurrencyTotals(
            currency=currency,
            paid_orders=paid.get(currency, (0, 0))[0],
            revenue=paid.get(currency, (0, 0))[1],
            average_order=round(paid[currency][1] / paid[currency][0]) if currency in paid else 0,
            refunded=refunded.get(currency, (0, 0))[0],
            refunds=refunded.get(currency, (0, 0))[1],
        )
        for currency in sorted(paid.keys() | refunded.keys())
    ]


async def top_books(session: AsyncSession, r: Range, limit: int = 10) -> list[TopBook]:
    rows = await session.execute(
        text(
            """
            SELECT min(l.title), l.currency, sum(l.quantity), sum(l.line_total) AS revenue
              FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.paid_at IS NOT NULL AND o.paid_at >= :since AND o.paid_at < :until
             GROUP BY l.book_id, l.currency
             ORDER BY revenue DESC, 1
             LIMIT :limit
            """
        ),
        {**r.params(), "limit": limit},
    )
    return [TopBook(*row) for row in rows]


async def funnel(session: AsyncSession, r: Range) -> Funnel:
    """Carts started → orders placed → orders paid, and new members, in the range. Carts
    merged into a member's cart at sign-in are gone, so the first step undercounts a little."""
    row = (
        await session.execute(
            text(
                """
                SELECT (SELECT count(*) FROM carts
                         WHERE created_at >= :since AND created_at < :until),
                       (SELECT count(*) FROM orders
                         WHERE created_at >= :since AND created_at < :until),
                       (SELECT count(*) FROM orders
                         WHERE created_at >= :since AND created_at < :until
                           AND paid_at IS NOT NULL),
                       (SELECT count(*) FROM users
                         WHERE created_at >= :since AND created_at < :until
                           AND role = 'member')
                """
            ),
            r.params(),
        )
    ).one()
    return Funnel(*row)


@dataclass(frozen=True, slots=True)
class Audience:
    new_subscribers: int  # active subscribers who joined in the range
    new_discussions: int  # community discussions published in the range
    waiting_for_moderators: int  # now: the community's queue and the blog comments' queue


async def audience(session: AsyncSession, r: Range) -> Audience:
    """One statement, each count on an index: (status, created_at) of subscribers,
    (status, is_pinned, created_at) of discussions, (status, created_at) of review items and
    the partial needs_review index of blog comments."""
    row = (
        await session.execute(
            text(
                """
                SELECT (SELECT count(*) FROM newsletter_subscribers
                         WHERE status = 'active'
                           AND created_at >= :since AND created_at < :until),
                       (SELECT count(*) FROM discussions
                         WHERE status = 'published' AND is_pinned IN (true, false)
                           AND created_at >= :since AND created_at < :until),
                       (SELECT count(*) FROM community_review_items WHERE status = 'pending')
                       + (SELECT count(*) FROM blog_comments WHERE needs_review)
                """
            ),
            r.params(),
        )
    ).one()
    return Audience(*row)
