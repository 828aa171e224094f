"""Issue 10: a kind that commerce has never heard of is sold through the real endpoints.

The test suite registers a toy "gift card" sellable (its stock and the codes it issues live in
memory here); nothing in cart, orders, coupons or payments knows about it. It is added to a
cart, ordered, paid through the Paystack sandbox, refunded by an admin, and a second order of
it expires, with its stock held and given back through the port."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.commerce import sellable
from authorhub.commerce.sellable import Offer, Problem
from authorhub.errors import Conflict, NotFound
from authorhub.kit.time import utcnow
from authorhub.models import Order, OrderLine, User
from authorhub.orders.tasks import expire_unpaid_orders_task
from tests.payments.shop import PAYSTACK, Shop

GIFT_CARD = "gift_card"


@dataclass
class GiftCards:
    """A sellable kind the application does not ship: N cards of one value, in naira only."""

    kind: str = GIFT_CARD
    value_kobo: int = 500_000
    stock: dict[uuid.UUID, int] = field(default_factory=dict)
    issued: dict[uuid.UUID, str] = field(default_factory=dict)  # order line -> card code
    revoked: set[uuid.UUID] = field(default_factory=set)

    async def offers(
        self,
        session: AsyncSession,
        item_ids: Iterable[uuid.UUID],
        *,
        currency: str,
        user: User | None,
        quantities: dict[uuid.UUID, int] | None = None,
    ) -> dict[uuid.UUID, Offer]:
        return {
            item_id: Offer(
                kind=GIFT_CARD,
                item_id=item_id,
                title="Gift card",
                sku=f"GIFT-{str(item_id)[:8]}",
                category="gifts",
                unit_price=self.value_kobo if currency == "NGN" else None,
                currency=currency,
                max_quantity=5,
                problem=None if self.stock[item_id] > 0 else Problem("out_of_stock", "Sold out."),
                ref={"giftCardId": str(item_id)},
            )
            for item_id in item_ids
            if item_id in self.stock
        }

    def not_found(self, item_ids: Sequence[uuid.UUID]) -> NotFound:
        return NotFound("No such gift card.", code="gift_card_not_found")

    async def reserve(self, session: AsyncSession, quantities: dict[uuid.UUID, int]) -> None:
        for item_id, quantity in sorted(quantities.items()):
            if self.stock[item_id] < quantity:
                raise Conflict("Not enough gift cards left.", code="out_of_stock")
            self.stock[item_id] -= quantity

    async def release(self, session: AsyncSession, lines: Sequence[OrderLine]) -> None:
        for line in lines:
            self.stock[line.item_id] += line.quantity

    async def fulfil(self, session: AsyncSession, order: Order, lines: Sequence[OrderLine]) -> None:
        for line in lines:
            self.issued[line.id] = f"CARD-{line.id.hex[:10].upper()}"

    async def revoke(
        self, session: AsyncSession, order: Order, lines: Sequence[OrderLine]
    ) -> list[str]:
        self.revoked.update(line.id for line in lines)
        return [line.title for line in lines]


@pytest.fixture
def gift_cards() -> Iterable[GiftCards]:
    cards = GiftCards(stock={uuid.uuid4(): 3})
    sellable.register(cards)
    try:
        yield cards
    finally:
        sellable.unregister(GIFT_CARD)


@pytest.fixture
async def shop_with_gift_cards(captured_shop: Shop, gift_cards: GiftCards) -> AsyncIterator[Shop]:
    yield captured_shop


async def test_a_gift_card_is_carted_ordered_paid_refunded_and_expired(
    shop_with_gift_cards: Shop, gift_cards: GiftCards
) -> None:
    shop = shop_with_gift_cards
    [card_id] = gift_cards.stock
    _, admin = await shop.admin()
    _, customer = await shop.customer()

    # The cart and the order know it only as (kind, itemId).
    added = await shop.http.post(
        "/api/cart/items",
        json={"kind": GIFT_CARD, "itemId": str(card_id), "quantity": 2},
        headers=customer,
    )
    assert added.status_code in (200, 201), added.text
    [line] = added.json()["data"]["items"]
    assert (line["kind"], line["itemId"], line["unitPrice"]) == (GIFT_CARD, str(card_id), 500_000)
    assert line["formatId"] is None and line["isPrint"] is False
    placed = await shop.http.post("/api/orders", json={}, headers=customer)
    assert placed.status_code == 201, placed.text
    order = placed.json()["data"]
    assert (order["total"], order["currency"], order["shipping"]) == (1_000_000, "NGN", 0)
    assert [(ln["kind"], ln["itemId"], ln["quantity"]) for ln in order["lines"]] == [
        (GIFT_CARD, str(card_id), 2)
    ]
    assert gift_cards.stock[card_id] == 1  # reserved through the port

    # Paid through the provider: the kind fulfils its lines, once.
    started = await shop.initialize(PAYSTACK, order, customer)
    await shop.checkout(started)
    [charge] = await shop.captured(PAYSTACK)
    await shop.forward(PAYSTACK, charge)
    await shop.forward(PAYSTACK, charge)
    await shop.run_jobs()
    assert (await shop.order_row(order["id"])).status.value == "paid"
    assert list(gift_cards.issued) == [uuid.UUID(order["lines"][0]["id"])]

    # Refunded by an admin: the kind revokes the line once the provider confirms.
    asked = await shop.http.post(
        f"/api/admin/orders/{order['id']}/refund", json={"reason": "gift"}, headers=admin
    )
    assert asked.status_code == 202, asked.text
    await shop.run_jobs()
    for event in await shop.captured(PAYSTACK, count=2):  # refund.pending, refund.processed
        await shop.forward(PAYSTACK, event)
    await shop.run_jobs()
    refunded = await shop.order_row(order["id"])
    assert (refunded.status.value, refunded.refunded_amount) == ("refunded", 1_000_000)
    assert gift_cards.revoked == {uuid.UUID(order["lines"][0]["id"])}
    [mail] = await shop.mails("order_refunded")
    assert "Gift card" in mail.text_body

    # A second order that is never paid expires: the kind gets its stock back.
    second = await shop.http.post(
        "/api/orders",
        json={"items": [{"kind": GIFT_CARD, "itemId": str(card_id)}]},
        headers=customer,
    )
    assert second.status_code == 201, second.text
    assert gift_cards.stock[card_id] == 0
    async with shop.database.session() as session:
        await session.execute(
            update(Order)
            .where(Order.id == uuid.UUID(second.json()["data"]["id"]))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    await expire_unpaid_orders_task.func(timestamp=0)
    assert (await shop.order_row(second.json()["data"]["id"])).status.value == "expired"
    assert gift_cards.stock[card_id] == 1


async def test_an_unknown_gift_card_and_an_unregistered_kind_are_404s(
    shop_with_gift_cards: Shop,
) -> None:
    shop = shop_with_gift_cards
    _, customer = await shop.customer()

    missing = await shop.http.post(
        "/api/orders",
        json={"items": [{"kind": GIFT_CARD, "itemId": str(uuid.uuid4())}]},
        headers=customer,
    )
    unknown_kind = await shop.http.post(
        "/api/cart/items", json={"kind": "spaceship", "itemId": str(uuid.uuid4())}, headers=customer
    )

    assert (missing.status_code, missing.json()["code"]) == (404, "gift_card_not_found")
    assert (unknown_kind.status_code, unknown_kind.json()["code"]) == (404, "unknown_kind")
