"""The dashboard's figures, each one SQL aggregate over an indexed range (never rows in Python).

Money is kept per currency (NGN and USD orders are never added together). Revenue, paid orders,
top items and refunds come from the daily sales rollup (models/sales.py, kept by
orders.sales_rollup): revenue is what was paid in the range (by the UTC day of orders.paid_at),
refunds what was refunded in it (by the day of order_refunds.created_at). Orders, carts and
members count what was created in the range, from their own tables.
"""

from __future__ import annotations

import uuid
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

    def days(self) -> dict[str, object]:
        """The range as the rollup's days (first and last included)."""
        return {"first": self.start, "last": self.end, "period": self.period}


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
class TopItem:
    id: uuid.UUID  # the book, course or event
    title: str
    currency: str
    units: int  # copies, seats, tickets
    revenue: int


@dataclass(frozen=True, slots=True)
class Funnel:
    carts: int
    orders: int
    paid: int
    new_members: int


async def plan_per_range(session: AsyncSession) -> None:
    """Plan this transaction's statements for their actual range. A range is a day or three
    years: the generic plan PostgreSQL switches a prepared statement to after five runs guesses
    a few hundred rows and walks the rollup's index row by row (300 ms for a year of book
    sales, against 60 ms with a plan made for the year). SET LOCAL: transaction-scoped, so a
    transaction pooler's next client is unaffected."""
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


async def revenue_series(session: AsyncSession, r: Range) -> list[RevenuePoint]:
    rows = await session.execute(
        text(
            """
            SELECT date_trunc(:period, day::timestamp)::date AS bucket, currency,
                   sum(paid_orders) AS orders, sum(revenue)::bigint AS revenue
              FROM sales_days
             WHERE day >= :first AND day <= :last
             GROUP BY 1, 2
            HAVING sum(paid_orders) > 0
             ORDER BY 1, 2
            """
        ),
        r.days(),
    )
    return [RevenuePoint(*row) for row in rows]


async def currency_totals(
    session: AsyncSession, r: Range, series: list[RevenuePoint]
) -> list[CurrencyTotals]:
    """Per currency: paid orders, revenue and average order value added up from the revenue
    series (its few aggregated rows), and the refunds of the range from the rollup's days."""
    refunded = {
        currency: (amount, count)
        for currency, amount, count in await session.execute(
            text(
                """
                SELECT currency, sum(refunded)::bigint, sum(refunds)
                  FROM sales_days
                 WHERE day >= :first AND day <= :last
                 GROUP BY currency
                HAVING sum(refunds) > 0
                """
            ),
            r.days(),
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


# What a sold item counts towards in the "top" tables: a book format's sales are its book's, a
# ticket tier's are its event's. (join from the rollup's item_id, the id and title shown)
TopOf = Literal["books", "courses", "events"]
_TOP: dict[TopOf, tuple[str, str]] = {
    "books": (
        "book_format",
        "JOIN book_formats f ON f.id = p.item_id JOIN books t ON t.id = f.book_id",
    ),
    "courses": ("course", "JOIN courses t ON t.id = p.item_id"),
    "events": (
        "event_ticket",
        "JOIN event_ticket_tiers f ON f.id = p.item_id JOIN events t ON t.id = f.event_id",
    ),
}


async def top(session: AsyncSession, r: Range, of: TopOf, limit: int = 10) -> list[TopItem]:
    """The best sellers of one kind in the range, by revenue per currency: the rollup's rows of
    that kind and those days (its primary key's prefix), summed per item, then per book or
    event. (PostgreSQL sums bigints as numeric: cast back, so amounts stay ints.)"""
    kind, join = _TOP[of]
    rows = await session.execute(
        text(
            f"""
            WITH p AS (
                SELECT item_id, currency, sum(units) AS units, sum(revenue)::bigint AS revenue
                  FROM sales_item_days
                 WHERE kind = :kind AND day >= :first AND day <= :last
                 GROUP BY 1, 2
            )
            SELECT t.id, t.title, p.currency, sum(p.units), sum(p.revenue)::bigint AS revenue
              FROM p {join}
             GROUP BY t.id, p.currency
             ORDER BY revenue DESC, t.title, t.id
             LIMIT :limit
            """  # noqa: S608 (the join is one of _TOP's constants)
        ),
        {**r.days(), "kind": kind, "limit": limit},
    )
    return [TopItem(*row) for row in rows]


async def funnel(session: AsyncSession, r: Range) -> Funnel:
    """Carts started → orders placed → orders paid, and new members, in the range. Carts
    merged into a member's cart at sign-in are gone, so the first step undercounts a little.
    The orders placed and those of them paid come from one scan of the range."""
    row = (
        await session.execute(
            text(
                """
                SELECT (SELECT count(*) FROM carts
                         WHERE created_at >= :since AND created_at < :until),
                       placed.orders, placed.paid,
                       (SELECT count(*) FROM users
                         WHERE created_at >= :since AND created_at < :until
                           AND role = 'member')
                  FROM (SELECT count(*) AS orders, count(paid_at) AS paid FROM orders
                         WHERE created_at >= :since AND created_at < :until) AS placed
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
