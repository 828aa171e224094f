"""Free books claimed by email (the original's "magic link"), done properly.

POST /api/auth/magic-link {name, email, phone?, bookId, newsletter?}: the reader's account is
found or created (no password), the free ebook goes into her library, and she is emailed a
sign-in link: single use, expiring, only its SHA-256 digest stored. Opening the link shows a
button (mail scanners that follow links must not spend it); pressing it signs her in with our
session cookies and takes her to the book. The newsletter opt-in is kept on the link's row
until the newsletter exists; it is never assumed.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth import service as auth
from authorhub.auth.audit import ClientInfo
from authorhub.books import service as books
from authorhub.config import Settings
from authorhub.errors import BadRequest
from authorhub.kit.crypto import hash_token, new_token
from authorhub.kit.ratelimit import RateLimiter
from authorhub.kit.time import utcnow
from authorhub.library import service as library
from authorhub.mail.service import send_mail
from authorhub.models import Book, MagicLink, User

LINK_TTL = timedelta(minutes=30)
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,22}$")


@dataclass(frozen=True, slots=True)
class SignedInByLink:
    tokens: auth.IssuedTokens
    book_slug: str | None


async def claim_by_email(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    name: str,
    email: str,
    phone: str | None,
    book_id: uuid.UUID,
    newsletter: bool,
    client: ClientInfo,
) -> None:
    await limiter.hit("magic-link-ip", settings.auth.register_limit_per_ip, client.ip_or_unknown)
    await limiter.hit("magic-link-email", settings.auth.reset_limit_per_email, email)
    book = await books.get_public_book(session, ref=str(book_id))  # 404 unless published
    if not book["isFree"]:
        raise BadRequest("This book is not free.", code="not_free")
    user, _ = await auth.find_or_create_reader(session, email=email, name=name, client=client)
    if not user.is_active:
        raise BadRequest("This account is disabled.", code="account_disabled")
    if phone and user.phone is None and _PHONE.match(phone):
        user.phone = phone
    await library.claim_free_book(session, user=user, book_id=book_id, settings=settings)
    token = new_token(32)
    session.add(
        MagicLink(
            user_id=user.id,
            book_id=book_id,
            token_hash=hash_token(token),
            newsletter_opt_in=newsletter,
            expires_at=utcnow() + LINK_TTL,
        )
    )
    # On the frontend's origin (it forwards /api to us), so the cookies land where its pages are.
    link = f"{settings.frontend_base}/api/auth/magic-link/verify?token={token}"
    await send_mail(
        session,
        to=user.email,
        template="notice",
        context={
            "subject": f"Your free book: {book['title']}",
            "name": user.name,
            "paragraphs": [
                f"“{book['title']}” is in your library.",
                f"Open this link within {int(LINK_TTL.total_seconds() // 60)} minutes to sign "
                "in and download it. It works once.",
            ],
            "action_url": link,
            "action_label": "Sign in and download",
        },
        settings=settings,
    )


async def sign_in_with_link(
    session: AsyncSession, *, settings: Settings, token: str, client: ClientInfo
) -> SignedInByLink:
    """Spend the link (once: a conditional UPDATE) and start a session for its reader."""
    used = await session.execute(
        update(MagicLink)
        .where(
            MagicLink.token_hash == hash_token(token),
            MagicLink.used_at.is_(None),
            MagicLink.expires_at > utcnow(),
        )
        .values(used_at=utcnow())
        .returning(MagicLink.user_id, MagicLink.book_id)
    )
    row = used.first()
    if row is None:
        raise BadRequest("This sign-in link is not valid any more.", code="invalid_token")
    user = await session.get(User, row.user_id)
    if user is None:  # pragma: no cover - the foreign key cascades
        raise BadRequest("This sign-in link is not valid any more.", code="invalid_token")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # she opened a link sent to the address
    tokens = await auth.sign_in_without_password(
        session, settings=settings, user=user, method="magic_link", client=client
    )
    slug = (
        await session.scalar(select(Book.slug).where(Book.id == row.book_id))
        if row.book_id
        else None
    )
    return SignedInByLink(tokens=tokens, book_slug=slug)
