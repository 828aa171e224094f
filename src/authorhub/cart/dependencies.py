"""Whose cart: the signed-in member's, or the guest's named by the cart token.

A guest cart token arrives as the `X-Cart-Token` header (API clients) or the `authorhub_cart`
cookie (browsers). When a signed-in request still carries one, the guest cart is merged into the
member's cart right there and the cookie is cleared, so nothing a guest picked is lost.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from authorhub.auth.dependencies import AppSettings, OptionalUser
from authorhub.cart.service import CartOwner, merge_guest_cart
from authorhub.config import Settings
from authorhub.db import DbSession

CART_COOKIE = "authorhub_cart"
CART_HEADER = "X-Cart-Token"
_MAX_TOKEN_LENGTH = 100


def presented_cart_token(request: Request) -> str | None:
    token = request.headers.get(CART_HEADER) or request.cookies.get(CART_COOKIE)
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    return token.strip() or None


def set_cart_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        CART_COOKIE,
        token,
        max_age=settings.commerce.guest_cart_days * 86_400,
        httponly=True,
        secure=settings.is_production,
        samesite="lax",
        path="/api",
    )


def clear_cart_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        CART_COOKIE, path="/api", httponly=True, secure=settings.is_production, samesite="lax"
    )


async def get_cart_owner(
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    user: OptionalUser,
) -> CartOwner:
    token = presented_cart_token(request)
    if user is None:
        return CartOwner(user=None, guest_token=token)
    if token is not None:
        await merge_guest_cart(session, user=user, cart_token=token)
        if request.cookies.get(CART_COOKIE):
            clear_cart_cookie(response, settings)
    return CartOwner(user=user)


CurrentCartOwner = Annotated[CartOwner, Depends(get_cart_owner)]
