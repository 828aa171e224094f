"""The sellable-item port: how cart, orders and coupons sell things they know nothing about.

A cart item and an order line name what is sold as `(kind, item_id)`. Each kind (`book_format`
now; `course` and `event_ticket` next) is one `Sellable`, registered here by the module that owns
the goods (books/sellable.py), and commerce only ever loops over the registry:

- `offers(session, ids, currency=, user=)` prices items in one currency (one query per kind,
  never one per item) and says why one cannot be bought now (`Offer.problem`),
- `reserve(session, quantities)` / `release(session, lines)` hold and give back stock, seats or
  quotas with conditional UPDATEs, rows locked in primary-key order,
- `fulfil(session, order, lines)` delivers a paid order's lines (library entry, enrolment,
  ticket), `revoke(session, order, lines)` takes refunded lines back.

A new kind: implement the protocol in its own domain, add its module to SELLABLE_MODULES, give
order_lines and cart_items a nullable foreign-key column for it (see Offer.columns) in the
kind's migration, and extend the CHECKs there. Nothing in cart, orders, coupons or payments
changes.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.errors import AppError
from authorhub.models import Order, OrderLine, User

# Modules whose import registers a kind (like jobs.TASK_MODULES). Add one line per kind.
SELLABLE_MODULES = [
    "authorhub.books.sellable",
    "authorhub.events.sellable",
    "authorhub.academy.sellable",
]

# The currencies an order can be placed in, each with its minor unit (kobo, cents).
CURRENCIES = ("NGN", "USD")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an item cannot be bought right now (`code` is the API error code)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Offer:
    """One item as commerce sees it, priced in one currency."""

    kind: str
    item_id: uuid.UUID
    title: str
    sku: str
    # Coupons' "applies to" group: books | courses | events.
    category: str
    # Minor units of the asked currency; None when the item has no price in it.
    unit_price: int | None
    currency: str
    max_quantity: int
    needs_shipping: bool = False
    problem: Problem | None = None
    # Already owned by the member (an ebook in the library, a course enrolled in).
    owned: bool = False
    # What the API shows as the item's own id next to kind/itemId (books: {"formatId": ...}).
    ref: dict[str, str] = field(default_factory=dict)
    # Snapshot fields and the kind's foreign-key columns for an order line / cart item
    # (books: book_id, book_format_id, format, author_name).
    columns: dict[str, Any] = field(default_factory=dict)
    # Extra fields the cart shows (slug, cover, stock...).
    display: dict[str, Any] = field(default_factory=dict)


class Sellable(Protocol):
    kind: str

    async def offers(
        self,
        session: AsyncSession,
        item_ids: Iterable[uuid.UUID],
        *,
        currency: str,
        user: User | None,
        quantities: dict[uuid.UUID, int] | None = None,
    ) -> dict[uuid.UUID, Offer]:
        """The items that exist, keyed by id (missing ids are absent)."""
        ...

    def not_found(self, item_ids: Sequence[uuid.UUID]) -> AppError:
        """The 404 for ids of this kind that do not exist."""
        ...

    async def reserve(self, session: AsyncSession, quantities: dict[uuid.UUID, int]) -> None:
        """Hold stock for an order (all or nothing: raise a 409 AppError, the caller's
        transaction rolls back)."""
        ...

    async def release(self, session: AsyncSession, lines: Sequence[OrderLine]) -> None:
        """Give back what unpaid lines held (expired or cancelled orders)."""
        ...

    async def fulfil(self, session: AsyncSession, order: Order, lines: Sequence[OrderLine]) -> None:
        """Deliver the lines of an order that has just been paid."""
        ...

    async def revoke(
        self, session: AsyncSession, order: Order, lines: Sequence[OrderLine]
    ) -> list[str]:
        """Take back refunded lines; the titles whose access ended (for the customer's email)."""
        ...


_registry: dict[str, Sellable] = {}
_loaded = False


def register(sellable: Sellable) -> None:
    _registry[sellable.kind] = sellable


def unregister(kind: str) -> None:
    _registry.pop(kind, None)


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in SELLABLE_MODULES:
            importlib.import_module(module)
        _loaded = True


def get(kind: str) -> Sellable | None:
    _load()
    return _registry.get(kind)


def kinds() -> list[str]:
    """Every registered kind, sorted: the order stock is reserved and released in."""
    _load()
    return sorted(_registry)


def group(keys: Iterable[tuple[str, uuid.UUID]]) -> dict[str, list[uuid.UUID]]:
    """(kind, item id) pairs by kind, ids sorted (the order rows are locked in)."""
    grouped: dict[str, set[uuid.UUID]] = {}
    for kind, item_id in keys:
        grouped.setdefault(kind, set()).add(item_id)
    return {kind: sorted(ids) for kind, ids in sorted(grouped.items())}


async def offers_for(
    session: AsyncSession,
    keys: Iterable[tuple[str, uuid.UUID]],
    *,
    currency: str,
    user: User | None,
    quantities: dict[tuple[str, uuid.UUID], int] | None = None,
) -> dict[tuple[str, uuid.UUID], Offer]:
    """Offers for (kind, item id) pairs of any kinds, one query per kind; unknown kinds and
    missing items are absent."""
    found: dict[tuple[str, uuid.UUID], Offer] = {}
    for kind, ids in group(keys).items():
        sellable = get(kind)
        if sellable is None:
            continue
        wanted = {i: (quantities or {}).get((kind, i), 1) for i in ids}
        for item_id, offer in (
            await sellable.offers(session, ids, currency=currency, user=user, quantities=wanted)
        ).items():
            found[(kind, item_id)] = offer
    return found


def by_kind(lines: Iterable[OrderLine]) -> dict[str, list[OrderLine]]:
    grouped: dict[str, list[OrderLine]] = {}
    for line in lines:
        grouped.setdefault(line.kind, []).append(line)
    return dict(sorted(grouped.items()))


def sellable_of(kind: str) -> Sellable:
    """The registered kind of a stored line (a kind that sold something stays registered)."""
    sellable = get(kind)
    if sellable is None:
        raise LookupError(f"no sellable kind {kind!r} is registered")
    return sellable
