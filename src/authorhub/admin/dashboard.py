"""The sales dashboard: revenue by day/week/month per currency, orders, average order value,
top books, courses and events, new members, conversion and refunds for a date range; the chart's data as CSV."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, cast

from fastapi import Request
from fastapi.responses import Response

from authorhub.admin import dashboard_queries as q
from authorhub.admin.frame import AdminCaller, admin_router, nav_section, render
from authorhub.db import DbSession
from authorhub.kit.money import to_major
from authorhub.kit.time import utcnow

router = admin_router()
nav_section("Dashboard", "/admin", order=0)

DEFAULT_DAYS = 30
MAX_DAYS = 366 * 3


def _date(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


def chosen_range(request: Request) -> tuple[q.Range, str | None]:
    """The range the query asks for (`from`, `to`, `period`), clamped to something sane, and
    what was wrong with it, if anything (shown, never a 500)."""
    today = utcnow().date()
    params = request.query_params
    end = _date(params.get("to"), today)
    start = _date(params.get("from"), end - timedelta(days=DEFAULT_DAYS - 1))
    problem = None
    if start > end:
        start, end, problem = end, start, "The start came after the end; the dates were swapped."
    if (end - start).days > MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS)
        problem = "Ranges are limited to three years; the start was moved."
    period = params.get("period", "day")
    if period not in ("day", "week", "month"):
        period = "day"
    return q.Range(start=start, end=end, period=cast(q.Period, period)), problem


def buckets(r: q.Range) -> list[date]:
    """Every period start of the range (what date_trunc gives), so days without sales show as
    zero instead of disappearing from the axis."""
    if r.period == "month":
        first = r.start.replace(day=1)
    elif r.period == "week":
        first = r.start - timedelta(days=r.start.weekday())  # ISO weeks start on Monday
    else:
        first = r.start
    found, current = [], first
    while current <= r.end:
        found.append(current)
        if r.period == "month":
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            current += timedelta(days=7 if r.period == "week" else 1)
    return found


def _chart(r: q.Range, points: list[q.RevenuePoint]) -> dict[str, Any]:
    """Chart.js data: one dataset per currency over every period, amounts in major units."""
    axis = buckets(r)
    by_currency: dict[str, dict[date, int]] = defaultdict(dict)
    for p in points:
        by_currency[p.currency][p.bucket] = p.revenue
    return {
        "labels": [b.isoformat() for b in axis],
        "datasets": [
            {
                "label": currency,
                "data": [float(to_major(values.get(b, 0), currency)) for b in axis],
            }
            for currency, values in sorted(by_currency.items())
        ],
    }


@router.get("")
async def dashboard(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    r, problem = chosen_range(request)
    await q.plan_per_range(session)
    points = await q.revenue_series(session, r)
    return render(
        request,
        caller,
        "dashboard.html",
        range=r,
        problem=problem,
        totals=await q.currency_totals(session, r, points),
        top={of: await q.top(session, r, of) for of in ("books", "courses", "events")},
        funnel=await q.funnel(session, r),
        audience=await q.audience(session, r),
        chart=_chart(r, points),
        points=points,
    )


@router.get("/dashboard.csv")
async def dashboard_csv(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    """What the chart shows: one row per period and currency."""
    r, _ = chosen_range(request)
    await q.plan_per_range(session)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period_start", "currency", "paid_orders", "revenue_minor", "revenue"])
    for p in await q.revenue_series(session, r):
        writer.writerow(
            [p.bucket.isoformat(), p.currency, p.orders, p.revenue, to_major(p.revenue, p.currency)]
        )
    name = f"revenue-{r.period}-{r.start.isoformat()}-{r.end.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
