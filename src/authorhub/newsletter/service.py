"""Subscriptions: double opt-in, one-click unsubscribe and a member's own subscription (the
admin's list is in subscribers.py).

POST /subscribe answers the same whatever the address's state, so it tells nobody whether an
address is on the list; only the mailbox's owner learns it (from the confirmation mail)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.errors import NotFound
from authorhub.kit.crypto import hash_token, new_token
from authorhub.kit.time import utcnow
from authorhub.mail.service import send_mail
from authorhub.models import NewsletterSubscriber, SubscriberStatus, User
from authorhub.newsletter.schemas import (
    MySubscription,
    SubscribeRequest,
)

SUBSCRIBE_ANSWER = (
    "Thanks! If this address is not on the list yet, we have sent it a link to confirm."
)


def new_subscriber(
    email: str, name: str | None, source: str, **fields: Any
) -> NewsletterSubscriber:
    return NewsletterSubscriber(
        id=uuid.uuid4(),
        email=email,
        name=name,
        source=source,
        unsubscribe_token=new_token(24),
        **fields,
    )


def unsubscribe_url(settings: Settings, subscriber: NewsletterSubscriber) -> str:
    return f"{settings.public_url}/u/{subscriber.unsubscribe_token}"


def list_headers(settings: Settings, subscriber: NewsletterSubscriber) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST to the URL, no login, no page."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(settings, subscriber)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


async def _send_confirmation(
    session: AsyncSession, subscriber: NewsletterSubscriber, settings: Settings
) -> None:
    token = new_token()
    subscriber.confirm_token_hash = hash_token(token)
    subscriber.confirm_sent_at = utcnow()
    await session.flush()
    await send_mail(
        session,
        to=subscriber.email,
        template="newsletter_confirm",
        context={
            "name": subscriber.name,
            "action_url": f"{settings.public_url}/newsletter/confirm?token={token}",
        },
        settings=settings,
        headers=list_headers(settings, subscriber),
    )


async def subscribe(session: AsyncSession, *, data: SubscribeRequest, settings: Settings) -> None:
    """Ask for a subscription: a confirmation mail for a new, pending or unsubscribed address;
    nothing for an active one. The caller answers the same in every case."""
    email = data.email.lower()
    await session.execute(
        pg_insert(NewsletterSubscriber)
        .values(
            id=uuid.uuid4(),
            email=email,
            name=data.name,
            source=data.source,
            unsubscribe_token=new_token(24),
            status=SubscriberStatus.pending,
        )
        .on_conflict_do_nothing(index_elements=["email"])
    )
    subscriber = await session.scalar(
        select(NewsletterSubscriber).where(NewsletterSubscriber.email == email).with_for_update()
    )
    assert subscriber is not None
    if subscriber.status == SubscriberStatus.active:
        return
    if subscriber.status in (SubscriberStatus.unsubscribed, SubscriberStatus.bounced):
        subscriber.status = SubscriberStatus.pending
    subscriber.name = subscriber.name or data.name
    await _send_confirmation(session, subscriber, settings)


async def confirm(session: AsyncSession, *, token: str, settings: Settings) -> NewsletterSubscriber:
    subscriber = await session.scalar(
        select(NewsletterSubscriber)
        .where(NewsletterSubscriber.confirm_token_hash == hash_token(token))
        .with_for_update()
    )
    expired = subscriber is not None and (
        subscriber.confirm_sent_at is None
        or subscriber.confirm_sent_at + timedelta(hours=settings.content.confirm_link_hours)
        < utcnow()
    )
    if subscriber is None or expired:
        raise NotFound(
            "This confirmation link is not valid (any more). Subscribe again to get a new one.",
            code="invalid_confirmation",
        )
    subscriber.status = SubscriberStatus.active
    subscriber.confirmed_at = utcnow()
    subscriber.unsubscribed_at = None
    subscriber.confirm_token_hash = None
    await session.flush()
    return subscriber


async def by_unsubscribe_token(session: AsyncSession, token: str) -> NewsletterSubscriber | None:
    if not token or len(token) > 64:
        return None
    return await session.scalar(
        select(NewsletterSubscriber).where(NewsletterSubscriber.unsubscribe_token == token)
    )


async def unsubscribe(session: AsyncSession, *, token: str) -> NewsletterSubscriber | None:
    """One-click unsubscribe by the token from the mail; repeating it changes nothing."""
    subscriber = await by_unsubscribe_token(session, token)
    if subscriber is None:
        return None
    if subscriber.status != SubscriberStatus.unsubscribed:
        subscriber.status = SubscriberStatus.unsubscribed
        subscriber.unsubscribed_at = utcnow()
        subscriber.confirm_token_hash = None
        await session.flush()
    return subscriber


# --- a member's own subscription -------------------------------------------------------------


async def _member_row(session: AsyncSession, user: User) -> NewsletterSubscriber | None:
    return await session.scalar(
        select(NewsletterSubscriber)
        .where(
            or_(NewsletterSubscriber.user_id == user.id, NewsletterSubscriber.email == user.email)
        )
        .order_by(NewsletterSubscriber.user_id.is_(None))
        .limit(1)
        .with_for_update()
    )


def _mine(user: User, row: NewsletterSubscriber | None) -> MySubscription:
    return MySubscription(
        subscribed=row is not None and row.status == SubscriberStatus.active,
        status=row.status if row else None,
        email=user.email,
    )


async def my_subscription(session: AsyncSession, user: User) -> MySubscription:
    return _mine(user, await _member_row(session, user))


async def set_my_subscription(
    session: AsyncSession, *, user: User, subscribed: bool, settings: Settings
) -> MySubscription:
    """From the profile: a verified member's address is already proven, so subscribing is
    immediate; an unverified one gets the confirmation mail first."""
    row = await _member_row(session, user)
    if row is None:
        if not subscribed:
            return _mine(user, None)
        row = new_subscriber(user.email, user.name, "profile", user_id=user.id)
        session.add(row)
    row.user_id = user.id
    if subscribed and row.status != SubscriberStatus.active:
        if user.is_verified:
            row.status, row.confirmed_at, row.unsubscribed_at = (
                SubscriberStatus.active,
                utcnow(),
                None,
            )
        else:
            row.status = SubscriberStatus.pending
            await _send_confirmation(session, row, settings)
    elif not subscribed and row.status != SubscriberStatus.unsubscribed:
        row.status, row.unsubscribed_at = SubscriberStatus.unsubscribed, utcnow()
    await session.flush()
    return _mine(user, row)
