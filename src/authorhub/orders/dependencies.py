"""The admin order list's filters, read from the query string once and passed down whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from authorhub.models import OrderStatus


@dataclass(frozen=True, slots=True)
class OrderFilters:
    status: OrderStatus | None = None
    date_from: date | None = None
    date_to: date | None = None
    email: str | None = None
    reference: str | None = None  # order number or payment reference


async def order_filters(
    status: Annotated[OrderStatus | None, Query()] = None,
    date_from: Annotated[
        date | None, Query(alias="from", description="created on or after (UTC)")
    ] = None,
    date_to: Annotated[
        date | None, Query(alias="to", description="created on or before (UTC)")
    ] = None,
    email: Annotated[str | None, Query(max_length=320, description="customer email")] = None,
    reference: Annotated[
        str | None, Query(max_length=200, description="order number or payment reference")
    ] = None,
) -> OrderFilters:
    return OrderFilters(status, date_from, date_to, email, reference)


OrderFilterParams = Annotated[OrderFilters, Depends(order_filters)]
