"""Book formats as a sellable kind (commerce/sellable.py): what a format costs in a currency,
whether it can be bought now, print stock held and given back, ebooks put in (and taken out
of) the buyer's library, and the books' sales counts. Importing this module registers it."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books import repository
from authorhub.commerce import sellable
from authorhub.commerce.sellable import Offer, Problem
from authorhub.errors import Conflict, NotFound
from authorhub.kit.time import today
from authorhub.library import repository as library_repository
from authorhub.library import service as library
from authorhub.models import Book, BookFormat, BookStatus, Order, OrderLine, User

BOOK_FORMAT = "book_format"
MAX_PRINT_QUANTITY = 20  # copies of one print format per order


def max_quantity(fmt: BookFormat) -> int:
    """An ebook (or audiobook) is bought once; print copies up to a per-order cap."""
    return MAX_PRINT_QUANTITY if fmt.format.is_print else 1


def price(fmt: BookFormat, currency: str) -> int | None:
    """The format's price in the currency's minor unit; None when it has none in it."""
    return {"NGN": fmt.price_ngn, "USD": fmt.price_usd}.get(currency)


def purchase_problem(fmt: BookFormat, book: Book, quantity: int) -> Problem | None:
    """Why `quantity` of this format cannot be bought right now, or None when it can."""
    if book.status != BookStatus.published or not fmt.is_active:
        return Problem("unavailable", f"“{book.title}” ({fmt.format.value}) is no longer sold.")
    if fmt.is_preorder(today()):
        # Paid now, delivered on release: its file and its stock are not needed yet; the
        # cap is settled by reserve(), this only explains it to the cart.
        left = fmt.preorder_remaining(today())
        if left is not None and left < quantity:
            return Problem(
                "preorder_full",
                f"Only {left} preorders of “{book.title}” ({fmt.format.value}) left."
                if left
                else f"Preorders of “{book.title}” ({fmt.format.value}) are full.",
            )
        return None
    if not fmt.format.is_print and not fmt.file_key:
        # Never sell an ebook whose file is not there to download.
        return Problem("unavailable", f"“{book.title}” ({fmt.format.value}) is not ready yet.")
    if not fmt.format.is_print and fmt.is_free:
        return Problem("free_ebook", f"“{book.title}” is free: claim it from its page instead.")
    if fmt.format.is_print and fmt.stock is not None:
        if fmt.stock <= 0:
            return Problem("out_of_stock", f"“{book.title}” ({fmt.format.value}) is sold out.")
        if fmt.stock < quantity:
            return Problem(
                "insufficient_stock",
                f"Only {fmt.stock} of “{book.title}” ({fmt.format.value}) left.",
            )
    return None


class BookFormats:
    kind = BOOK_FORMAT

    async def offers(
        self,
        session: AsyncSession,
        item_ids: Iterable[uuid.UUID],
        *,
        currency: str,
        user: User | None,
        quantities: dict[uuid.UUID, int] | None = None,
    ) -> dict[uuid.UUID, Offer]:
        found = await repository.formats_with_books(session, item_ids)
        owned: set[uuid.UUID] = set()
        preordered: set[uuid.UUID] = set()
        if user is not None and found:
            owned = await library_repository.owned_format_ids(session, user.id, found)
            on_preorder = [
                fmt.id
                for fmt, _ in found.values()
                if fmt.is_preorder(today()) and not fmt.format.is_print
            ]
            if on_preorder:  # an ebook is preordered once, like it is bought once
                preordered = await library_repository.preordered_format_ids(
                    session, user.id, on_preorder
                )
        return {
            fmt.id: Offer(
                kind=BOOK_FORMAT,
                item_id=fmt.id,
                title=book.title,
                sku=fmt.sku,
                category="books",
                unit_price=price(fmt, currency),
                currency=currency,
                max_quantity=max_quantity(fmt),
                needs_shipping=fmt.format.is_print,
                problem=Problem(
                    "already_preordered",
                    f"You have already preordered “{book.title}” ({fmt.format.value}).",
                )
                if fmt.id in preordered
                else purchase_problem(fmt, book, (quantities or {}).get(fmt.id, 1)),
                owned=fmt.id in owned and not fmt.format.is_print,
                ref={"formatId": str(fmt.id)},
                columns={
                    "book_id": book.id,
                    "book_format_id": fmt.id,
                    "format": fmt.format,
                    "author_name": book.author_name,
                    # A preorder line is delivered on this date, not on payment.
                    "release_date": fmt.release_date if fmt.is_preorder(today()) else None,
                },
                display={
                    "format_id": fmt.id,
                    "book_id": book.id,
                    "author_name": book.author_name,
                    "slug": book.slug,
                    "cover_image_url": book.cover_image_url,
                    "format": fmt.format,
                    "stock": fmt.stock if fmt.format.is_print else None,
                },
            )
            for fmt, book in found.values()
        }

    def not_found(self, item_ids: Sequence[uuid.UUID]) -> NotFound:
        return NotFound(
            "This book format does not exist."
            if len(item_ids) == 1
            else "Some items do not exist.",
            code="format_not_found",
            details={"formatIds": [str(item_id) for item_id in item_ids]},
        )

    async def reserve(self, session: AsyncSession, quantities: dict[uuid.UUID, int]) -> None:
        """Print copies, by conditional UPDATE, in primary-key order (concurrent orders lock
        rows in the same order). Stock is settled by the database, never by an earlier read."""
        found = await repository.formats_with_books(session, quantities)
        for format_id in sorted(quantities):
            fmt, book = found[format_id]
            if fmt.is_preorder(today()):
                await _take_places(session, fmt, book, quantities[format_id])
            elif fmt.format.is_print and not await repository.reserve_stock(
                session, format_id, quantities[format_id]
            ):
                available = await repository.current_stock(session, format_id)
                raise Conflict(
                    f"Not enough copies of “{book.title}” ({fmt.format.value}) left.",
                    code="out_of_stock",
                    details={
                        "formatId": str(format_id),
                        "requested": quantities[format_id],
                        "available": max(available or 0, 0),
                    },
                )

    async def release(self, session: AsyncSession, lines: Sequence[OrderLine]) -> None:
        await _give_back(session, lines, restock=True)

    async def fulfil(self, session: AsyncSession, order: Order, lines: Sequence[OrderLine]) -> None:
        """Ebooks enter the buyer's library; the copies count as sales."""
        if order.user_id is not None:
            await library.grant_order_lines(
                session, user_id=order.user_id, order_id=order.id, lines=list(lines)
            )
        await _count_sales(session, lines, 1)

    async def revoke(
        self, session: AsyncSession, order: Order, lines: Sequence[OrderLine]
    ) -> list[str]:
        """Ebooks leave the library; print copies go back to stock if the order had not
        shipped; the copies no longer count as sales. A preorder not yet released was never
        delivered: its places go back under the cap, and nothing else happens."""
        delivered = [line for line in lines if not awaits_release(line)]
        await _give_back(session, lines, restock=order.shipped_at is None)
        await _count_sales(session, delivered, -1)
        digital = [line for line in delivered if not line.is_print]
        await library.revoke_order_lines(session, line_ids=[line.id for line in digital])
        return [line.title for line in digital]


def awaits_release(line: OrderLine) -> bool:
    return line.release_date is not None and line.released_at is None


async def _take_places(session: AsyncSession, fmt: BookFormat, book: Book, quantity: int) -> None:
    if not await repository.take_preorder_places(session, fmt.id, quantity):
        left = await repository.preorder_places_left(session, fmt.id)
        raise Conflict(
            f"Not enough preorders of “{book.title}” ({fmt.format.value}) left.",
            code="preorder_full",
            details={
                "formatId": str(fmt.id),
                "requested": quantity,
                "available": max(left or 0, 0),
            },
        )


async def _give_back(session: AsyncSession, lines: Sequence[OrderLine], *, restock: bool) -> None:
    """Preorder places of lines not yet released go back under the cap; print copies (not
    preorders: those never took stock) go back to stock when `restock`. Formats in
    primary-key order, as checkout takes them."""
    places: Counter[uuid.UUID] = Counter()
    copies: Counter[uuid.UUID] = Counter()
    for line in lines:
        assert line.book_format_id is not None
        if awaits_release(line):
            places[line.book_format_id] += line.quantity
        elif restock and line.is_print and not line.release_date:
            copies[line.book_format_id] += line.quantity
    for format_id in sorted(places.keys() | copies.keys()):
        if places[format_id]:
            await repository.give_back_preorder_places(session, format_id, places[format_id])
        if copies[format_id]:
            await repository.release_stock(session, format_id, copies[format_id])


async def _count_sales(session: AsyncSession, lines: Sequence[OrderLine], sign: int) -> None:
    copies: Counter[uuid.UUID] = Counter()
    for line in lines:
        assert line.book_id is not None
        copies[line.book_id] += line.quantity
    for book_id in sorted(copies):
        await repository.add_sales(session, book_id, sign * copies[book_id])


sellable.register(BookFormats())
