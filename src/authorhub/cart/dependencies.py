"""Whose cart: the signed-in member's, or the guest's named by the cart token.

A guest cart token arrives as the `X-Cart-Token` header (API clients) or the `authorhub_cart`
cookie (browsers). When a signed-in request still carries one, the guest cart is merged into the
member's cart right there and the cookie is cleared, so nothing a guest picked is lost.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.dependencies import AppSettings, OptionalUser
from authorhub.cart.service import CartOwner, merge_guest_cart
from authorhub.config import Settings
from authorhub.db import DbSession
from authorhub.models import User

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


async def take_guest_cart(
    request: Request, response: Response, session: AsyncSession, settings: Settings, user: User
) -> None:
    """Merge the guest cart this request carries (if any) into the member's cart, and clear its
    cookie: signing in, by password or Google, or any signed-in request does this."""
    token = presented_cart_token(request)
    if token is None:
        return
    await merge_guest_cart(session, user=user, cart_token=token)
    if request.cookies.get(CART_COOKIE):
        clear_cart_cookie(response, settings)


async def get_cart_owner(
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    user: OptionalUser,
) -> CartOwner:
    if user is None:
        return CartOwner(user=None, guest_token=presented_cart_token(request))
    await take_guest_cart(request, response, session, settings, user)
    return CartOwner(user=user)


CurrentCartOwner = Annotated[CartOwner, Depends(get_cart_owner)]
