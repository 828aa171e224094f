"""/api/cart: the shopping cart of a guest (cart token) or a member."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from authorhub.auth.dependencies import AppSettings
from authorhub.cart import service
from authorhub.cart.dependencies import CurrentCartOwner, set_cart_cookie
from authorhub.cart.schemas import CartItemAdd, CartItemUpdate, CartRead
from authorhub.db import DbSession
from authorhub.kit.schemas import Envelope, ok

router = APIRouter(prefix="/cart", tags=["cart"])


@router.get("", response_model=Envelope[CartRead])
async def get_cart(
    session: DbSession,
    owner: CurrentCartOwner,
    currency: Annotated[
        Literal["NGN", "USD"], Query(description="show prices in this currency")
    ] = "NGN",
) -> Envelope[CartRead]:
    """The cart with live prices in `currency` (lines with no price in it are unavailable)."""
    return ok(await service.view_cart(session, owner=owner, currency=currency))


@router.post("/items", response_model=Envelope[CartRead])
async def add_cart_item(
    body: CartItemAdd,
    session: DbSession,
    owner: CurrentCartOwner,
    settings: AppSettings,
    response: Response,
) -> Envelope[CartRead]:
    cart, issued_token = await service.add_item(
        session, owner=owner, key=body.key, quantity=body.quantity
    )
    if issued_token is not None:
        set_cart_cookie(response, settings, issued_token)
    return ok(cart)


@router.patch("/items/{item_id}", response_model=Envelope[CartRead])
async def update_cart_item(
    item_id: uuid.UUID, body: CartItemUpdate, session: DbSession, owner: CurrentCartOwner
) -> Envelope[CartRead]:
    return ok(
        await service.update_item(session, owner=owner, item_id=item_id, quantity=body.quantity)
    )


@router.delete("/items/{item_id}", response_model=Envelope[CartRead])
async def remove_cart_item(
    item_id: uuid.UUID, session: DbSession, owner: CurrentCartOwner
) -> Envelope[CartRead]:
    return ok(await service.remove_item(session, owner=owner, item_id=item_id))


@router.delete("", response_model=Envelope[CartRead])
async def clear_cart(session: DbSession, owner: CurrentCartOwner) -> Envelope[CartRead]:
    return ok(await service.clear_cart(session, owner=owner))
