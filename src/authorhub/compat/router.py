"""The original frontend's routes (section 5 of the original plan), each a thin translation to
our services. Paths shared with our own API are chosen by what the client sends
(compat.dispatch); the others exist only here. None of them is in the OpenAPI schema: new
clients use our own API (clients/typescript)."""

from __future__ import annotations

import html
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from authorhub.auth.cookies import set_issued_cookies
from authorhub.auth.dependencies import AppSettings, Client
from authorhub.books import service as books
from authorhub.books.schemas import BookListQuery, BookSort
from authorhub.books.sellable import BOOK_FORMAT
from authorhub.cart import service as cart
from authorhub.cart.dependencies import presented_cart_token, set_cart_cookie, take_guest_cart
from authorhub.compat import magic_link, shapes
from authorhub.compat.browser import (
    BrowserUser,
    CurrentBrowserUser,
    VerifiedBrowserUser,
    from_our_pages,
)
from authorhub.compat.schemas import (
    MagicLinkRequest,
    OriginalBookChoice,
    OriginalPasswordChange,
    OriginalPaymentStart,
    OriginalProfile,
    OriginalWishlistChange,
)
from authorhub.db import DbSession
from authorhub.errors import AppError, BadRequest, Forbidden, NotFound, error_body
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.slugs import slugify
from authorhub.library import service as library
from authorhub.media import service as media
from authorhub.media.uploads import PublicStorage, read_limited
from authorhub.models import User
from authorhub.orders import service as orders
from authorhub.orders.schemas import OrderCreate, OrderItemInput
from authorhub.payments import router as payments_router
from authorhub.payments import service as payments
from authorhub.payments.dependencies import PaymentProviders
from authorhub.payments.providers import ProviderName
from authorhub.users import router as users_router
from authorhub.users import service as users
from authorhub.users.schemas import PasswordChange, ProfileUpdate
from authorhub.wishlist import service as wishlist

router = APIRouter(tags=["compat"], include_in_schema=False)

# Where compat.dispatch sends the shared paths when the original frontend calls them.
ORIGINAL_BOOKS_PATH = "/api/compat/books"
ORIGINAL_ORDERS_PATH = "/api/compat/orders"

# The original's sortBy (and sortOrder) as our sorts; the rest sort newest first.
_SORTS = {
    ("title", "asc"): BookSort.by_title,
    ("price", "asc"): BookSort.price,
    ("price", "desc"): BookSort.price_desc,
    ("salesCount", "desc"): BookSort.bestselling,
    ("salesCount", "asc"): BookSort.bestselling,
    ("averageRating", "desc"): BookSort.rating,
    ("averageRating", "asc"): BookSort.rating,
}


# --- books ---------------------------------------------------------------------------------------


@router.get("/compat/books")
async def list_books(
    session: DbSession,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    category: Annotated[str | None, Query(max_length=100)] = None,
    search: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
    sort_by: Annotated[str, Query(alias="sortBy", max_length=40)] = "createdAt",
    sort_order: Annotated[str, Query(alias="sortOrder", max_length=4)] = "desc",
) -> JSONResponse:
    """GET /api/books as the original answered it: `data.books`, `data.pagination`. Only
    published books, whatever `status` says (the original showed drafts to anyone)."""
    filters = {"category": category, "search": search, "sortBy": sort_by, "sortOrder": sort_order}
    category_slug = slugify(category) if category and category != "All Books" else None
    query = BookListQuery.model_validate(
        {
            "page": page,
            "limit": limit,
            "category": category_slug or None,
            "search": search or None,
            "sort": _SORTS.get((sort_by, sort_order.lower()), BookSort.newest),
        }
    )
    try:
        found = await books.book_filter(session, query=query)
    except AppError:  # a category name we do not have: no books, as the original answered
        return JSONResponse(
            shapes.original_page([], page=page, limit=limit, total=0, filters=filters)
        )
    items, total = await books.list_books(session, f=found)
    return JSONResponse(
        shapes.original_page(items, page=page, limit=limit, total=total, filters=filters)
    )


@router.get("/books/slug/{slug}")
async def book_by_slug(slug: str, session: DbSession) -> JSONResponse:
    """app/books/[id]/page.tsx: one published book, our fields plus the original's names."""
    item = await books.get_public_book(session, ref=slug)
    return JSONResponse({"success": True, "data": shapes.original_book(item)})


async def _format_id(session: DbSession, book_id: uuid.UUID, word: str | None) -> uuid.UUID:
    """The id of the book's format the original names by a word ("PDF" is the ebook)."""
    kind = shapes.format_kind(word)
    if kind is None:
        raise BadRequest(
            f"Unknown format “{word}”: send PDF, ebook, paperback or hardcover.",
            code="unknown_format",
            details=[{"field": "format", "message": "unknown format"}],
        )
    book = shapes.original_book(await books.get_public_book(session, ref=str(book_id)))
    for fmt in book["formats"]:
        if fmt["format"] == kind.value:
            return uuid.UUID(fmt["id"])
    raise NotFound(f"This book is not sold as {kind.value}.", code="format_not_found")


# --- cart, orders, payments ----------------------------------------------------------------------


@router.post("/cart")
async def add_to_cart(
    body: OriginalBookChoice,
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    user: BrowserUser,
) -> dict[str, Any]:
    """components/book-purchase "Add to cart": {bookId, format, currency, amount} (the amount
    is ignored: the cart prices from the catalog). Guests get a cart cookie, as on our API."""
    format_id = await _format_id(session, body.book_id, body.format)
    if user is not None:
        await take_guest_cart(request, response, session, settings, user)
    owner = cart.CartOwner(user=user, guest_token=None if user else presented_cart_token(request))
    view, issued = await cart.add_item(
        session, owner=owner, key=(BOOK_FORMAT, format_id), quantity=body.quantity
    )
    if issued is not None:
        set_cart_cookie(response, settings, issued)
    return {
        "success": True,
        "data": view.model_dump(mode="json", by_alias=True),
        "message": "Added to your cart.",
    }


@router.post("/compat/orders", status_code=201)
async def place_order(
    body: OriginalBookChoice,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    user: VerifiedBrowserUser,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> dict[str, Any]:
    """POST /api/orders {bookId, format, amount, currency}: an order of that one book, priced
    by the catalog. The page reads the top-level `orderId` (and `customerEmail`)."""
    format_id = await _format_id(session, body.book_id, body.format)
    order, created = await orders.create_order(
        session,
        user=user,
        data=OrderCreate(
            items=[OrderItemInput(kind=BOOK_FORMAT, item_id=format_id, quantity=body.quantity)]
        ),
        idempotency_key=idempotency_key,
        settings=settings,
    )
    if not created:
        response.status_code = 200
    return {
        "success": True,
        "data": order.model_dump(mode="json", by_alias=True),
        "orderId": str(order.id),
        "orderNumber": order.number,
        "customerEmail": order.customer.email,
        "total": shapes.naira(order.total, order.currency),
        "currency": order.currency,
        "message": "Order created.",
    }


# The original's gateways: MTN MoMo is paid through Flutterwave's mobile-money checkout; PayPal
# is not offered (a clear refusal, not a checkout the customer did not choose).
_GATEWAYS = {
    "paystack": ProviderName.paystack,
    "flutterwave": ProviderName.flutterwave,
    "mtn-momo": ProviderName.flutterwave,
}


@router.post("/payment/initialize")
async def start_payment(
    body: OriginalPaymentStart,
    session: DbSession,
    settings: AppSettings,
    providers: PaymentProviders,
    user: VerifiedBrowserUser,
) -> dict[str, Any]:
    """{orderId, gateway, amount, currency, email}: the amount, currency and email come from
    the order, never from the request. The page redirects to the top-level
    `authorizationUrl`."""
    gateway = (body.gateway or body.payment_method or "paystack").lower()
    provider = _GATEWAYS.get(gateway)
    if provider is None:
        raise BadRequest(
            f"“{gateway}” is not offered: pay with Paystack, Flutterwave or MTN MoMo.",
            code="gateway_not_offered",
            details=[{"field": "gateway", "message": "paystack, flutterwave or mtn-momo"}],
        )
    started = await payments.start_payment(
        session,
        providers=providers,
        provider=provider,
        user=user,
        order_id=body.order_id,
        callback_url=None,
        settings=settings,
    )
    return {
        "success": True,
        "data": started.model_dump(mode="json", by_alias=True),
        "authorizationUrl": started.authorization_url,
        "reference": started.reference,
        "provider": provider.value,
        "amount": shapes.naira(started.amount, started.currency),
        "currency": started.currency,
    }


@router.post("/webhooks/{provider}")
async def provider_webhook(
    provider: ProviderName,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    providers: PaymentProviders,
) -> JSONResponse:
    """/api/webhooks/paystack|flutterwave, where the original's provider dashboards point: our
    webhook endpoint itself (the same raw-byte signature check)."""
    return await payments_router.provider_webhook(provider, request, session, settings, providers)


# --- downloads -----------------------------------------------------------------------------------


def _refusal(status_code: int, message: str, code: str, **extra: Any) -> JSONResponse:
    return JSONResponse({**error_body(message, code), **extra}, status_code=status_code)


@router.get("/books/{book_id}/download")
async def download(
    book_id: uuid.UUID, session: DbSession, settings: AppSettings, user: BrowserUser
) -> JSONResponse:
    """components/book-card-with-download: `downloadUrl` (a signed, short-lived link) or
    `requiresPurchase`. A free book goes into the signed-in reader's library first."""
    book = shapes.original_book(await books.get_public_book(session, ref=str(book_id)))
    prices = {k: book[k] for k in ("price", "priceNgn", "priceUsd")}
    if user is None:
        return _refusal(
            401,
            "Sign in to download this book."
            if not book["isFree"]
            else "Sign in, or get this free book by email, to download it.",
            "not_authenticated",
            requiresPurchase=not book["isFree"],
            bookTitle=book["title"],
            **prices,
        )
    try:
        if book["isFree"]:
            await library.claim_free_book(session, user=user, book_id=book_id, settings=settings)
        link = await library.issue_download_link(
            session, user=user, book_id=book_id, format_id=None, settings=settings
        )
    except NotFound:
        return _refusal(
            403,
            "Buy this book to download it.",
            "purchase_required",
            requiresPurchase=True,
            bookTitle=book["title"],
            **prices,
        )
    return JSONResponse(
        {
            "success": True,
            "downloadUrl": link.url,
            "expiresAt": link.expires_at.isoformat(),
            "downloadsRemaining": link.downloads_remaining,
            "message": "Your download is ready.",
            "bookTitle": book["title"],
            "isFree": book["isFree"],
            "isPurchased": not book["isFree"],
        }
    )


# --- wishlist and profile ------------------------------------------------------------------------


@router.post("/wishlist")
async def toggle_wishlist(
    body: OriginalWishlistChange, session: DbSession, user: CurrentBrowserUser
) -> dict[str, Any]:
    """components/wishlist-button: {bookId, action: 'add'|'remove'}."""
    changed = await wishlist.change(session, user=user, book_id=body.book_id, action=body.action)
    message = "Added to your wishlist." if body.action == "add" else "Removed from your wishlist."
    return {
        "success": True,
        "data": changed.model_dump(mode="json", by_alias=True),
        "message": message,
    }


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "name": user.name,
        "email": user.email,
        "role": "reader" if user.role.value == "member" else user.role.value,
        "avatar": user.avatar_url,
        "bio": user.bio,
        "phone": user.phone,
        "updatedAt": user.updated_at.isoformat(),
    }


@router.put("/users/profile")
async def update_profile(
    body: OriginalProfile, session: DbSession, user: CurrentBrowserUser
) -> dict[str, Any]:
    """components/profile-settings: {name, bio, ...}; other fields it sends are ignored."""
    changes = ProfileUpdate.model_validate(body.model_dump(exclude_unset=True))
    updated = await users.update_profile(session, user=user, changes=changes)
    await session.flush()
    await session.refresh(updated)
    return {"success": True, "data": _profile(updated), "message": "Profile updated."}


@router.post("/users/avatar")
async def upload_avatar(
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    storage: PublicStorage,
    user: CurrentBrowserUser,
    avatar: Annotated[UploadFile, File(description="JPEG, PNG or WebP, judged by its content")],
) -> dict[str, Any]:
    """components/profile-settings' avatar upload (multipart field `avatar`): our avatar
    service (verified email, rate limit, re-encoded, the old file deleted) -> {avatarUrl}."""
    data = await read_limited(avatar, max_bytes=settings.media.max_image_bytes, field="avatar")
    image = await media.set_avatar(
        session, settings=settings, limiter=limiter, storage=storage, user=user, data=data
    )
    return {"success": True, "data": {"avatarUrl": image.url, "message": "Avatar updated."}}


@router.put("/users/password")
async def change_password(
    body: OriginalPasswordChange,
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
    user: CurrentBrowserUser,
) -> dict[str, Any]:
    """{currentPassword, newPassword, confirmPassword}: our own password change (every other
    session ends; this browser stays signed in)."""
    if body.confirm_password is not None and body.confirm_password != body.new_password:
        raise BadRequest(
            "The new passwords do not match.",
            code="passwords_differ",
            details=[{"field": "confirmPassword", "message": "must equal newPassword"}],
        )
    changed = await users_router.change_password(
        PasswordChange(current_password=body.current_password, new_password=body.new_password),
        request,
        response,
        user,
        session,
        settings,
        limiter,
        client,
    )
    return {"success": True, "message": changed.data.message}


# --- free books by email -------------------------------------------------------------------------


@router.post("/auth/magic-link")
async def request_magic_link(
    body: MagicLinkRequest,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
) -> dict[str, Any]:
    await magic_link.claim_by_email(
        session,
        settings=settings,
        limiter=limiter,
        name=body.name,
        email=body.email,
        phone=body.phone,
        book_id=body.book_id,
        newsletter=body.newsletter,
        client=client,
    )
    return {
        "success": True,
        "message": "Check your email: a sign-in link to download the book is on its way.",
        "data": {"email": body.email, "name": body.name, "downloadRecorded": True},
    }


_CONFIRM_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Sign in</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:4rem auto;text-align:center">
<h1>Sign in to get your book</h1>
<form method="post" action="/api/auth/magic-link/verify">
<input type="hidden" name="token" value="{token}">
<button type="submit" style="font-size:1.1rem;padding:.6rem 1.4rem">Sign in and download</button>
</form></body></html>"""


@router.get("/auth/magic-link/verify", response_class=HTMLResponse)
async def confirm_magic_link(token: Annotated[str, Query(max_length=200)]) -> HTMLResponse:
    """The emailed link: a button, so that mail scanners following links do not spend it."""
    page = HTMLResponse(_CONFIRM_PAGE.format(token=html.escape(token, quote=True)))
    page.headers["Cache-Control"] = "no-store"
    page.headers["Referrer-Policy"] = "no-referrer"
    return page


@router.post("/auth/magic-link/verify")
async def use_magic_link(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
) -> Response:
    if not from_our_pages(request, settings):  # a foreign page must not sign her in
        raise Forbidden("This form must be sent from our own page.", code="csrf_failed")
    await limiter.hit("email-token-ip", settings.auth.token_limit_per_ip, client.ip_or_unknown)
    try:
        signed_in = await magic_link.sign_in_with_link(
            session, settings=settings, token=token, client=client
        )
    except BadRequest:
        return RedirectResponse(
            f"{settings.frontend_base}/auth/signin?error=link_expired", status_code=303
        )
    path = f"/books/{signed_in.book_slug}" if signed_in.book_slug else "/"
    response = RedirectResponse(f"{settings.frontend_base}{path}", status_code=303)
    set_issued_cookies(response, settings, signed_in.tokens)
    return response
