"""The checkout's write path runs a fixed, small number of SQL statements, whatever the size of
the cart (issue 11: each statement is a round trip, and round trips are most of a checkout's
CPU under load, in the API and in PostgreSQL)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.config import Settings
from authorhub.models import User
from tests.fixtures.auth import bearer
from tests.fixtures.commerce import make_shop_book
from tests.support import statements

# Caller, the offer (format + library), the cart, its line count, the line, the touch, then the
# cart's view (lines, and their offers).
CART_ADD = 10
# Caller, cart lines, offers (2), stock (formats), order number, order, lines, history, the
# ordered lines out of the cart and its touch, the order with its lines (2), the mail (template,
# message, job), the history.
ORDER = 17


async def _add(
    client: httpx.AsyncClient, headers: dict[str, str], format_id: object
) -> httpx.Response:
    response = await client.post(
        "/api/cart/items", json={"formatId": str(format_id), "quantity": 1}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response


async def _checkout_statements(
    client: httpx.AsyncClient,
    db: AsyncSession,
    engine: AsyncEngine,
    settings: Settings,
    user: User,
    already_in_cart: int,
) -> tuple[int, int]:
    headers = bearer(settings, user)
    for _ in range(already_in_cart):
        await _add(client, headers, (await make_shop_book(db, settings)).ebook.id)
    last = await make_shop_book(db, settings)
    with statements(engine) as adding:
        cart = await _add(client, headers, last.ebook.id)
    assert cart.json()["data"]["itemCount"] == already_in_cart + 1
    with statements(engine) as ordering:
        placed = await client.post("/api/orders", json={}, headers=headers)
    assert placed.status_code == 201, placed.text
    assert len(placed.json()["data"]["lines"]) == already_in_cart + 1
    return len(adding), len(ordering)


async def test_adding_to_the_cart_and_ordering_it_run_the_same_few_statements_for_any_cart(
    client: httpx.AsyncClient,
    db: AsyncSession,
    engine: AsyncEngine,
    settings: Settings,
    member: User,
    admin: User,
) -> None:
    small = await _checkout_statements(client, db, engine, settings, member, already_in_cart=1)
    large = await _checkout_statements(client, db, engine, settings, admin, already_in_cart=4)
    assert small == large == (CART_ADD, ORDER)
