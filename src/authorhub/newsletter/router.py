"""Newsletter endpoints.

- /api/newsletter: subscribe (double opt-in), confirm, the signed-in member's subscription.
- /u/{token}: RFC 8058 one-click unsubscribe (POST, no login); GET shows a page with a button.
- /newsletter/confirm: the page the confirmation mail links to.
- /api/admin/newsletter: subscribers, CSV import/export, segments, campaigns, stats.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import HTMLResponse, StreamingResponse

from authorhub.auth.dependencies import AdminUser, AppSettings, CurrentUser
from authorhub.db import DbSession
from authorhub.errors import NotFound
from authorhub.kit.pagination import Paging
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.schemas import Envelope, Message, Page, Pagination, ok
from authorhub.models import CampaignStatus, DeliveryStatus
from authorhub.newsletter import campaigns, segments, service, subscribers
from authorhub.newsletter.pages import masked, page
from authorhub.newsletter.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignSend,
    CampaignWrite,
    ConfirmRequest,
    DeliveryRead,
    ImportReport,
    MySubscription,
    MySubscriptionUpdate,
    NewsletterStats,
    RenderedMail,
    Segment,
    SegmentCount,
    SegmentKind,
    SubscriberCreate,
    SubscribeRequest,
    SubscriberQuery,
    SubscriberRead,
    SubscriberUpdate,
    TestSend,
)

router = APIRouter(prefix="/newsletter", tags=["newsletter"])
admin_router = APIRouter(prefix="/admin/newsletter", tags=["admin: newsletter"])
unsubscribe_router = APIRouter(tags=["newsletter"])


@router.post("/subscribe", response_model=Envelope[Message], status_code=status.HTTP_202_ACCEPTED)
async def subscribe(
    body: SubscribeRequest,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
) -> Envelope[Message]:
    """Double opt-in: the address gets a link to confirm. The answer is the same whether the
    address is new, waiting, subscribed or unsubscribed (nobody learns who is on the list)."""
    client_ip = request.client.host if request.client else "unknown"
    await limiter.hit("newsletter-subscribe-ip", settings.content.subscribe_limit_per_ip, client_ip)
    await limiter.hit(
        "newsletter-subscribe-email", settings.content.subscribe_limit_per_email, body.email.lower()
    )
    await service.subscribe(session, data=body, settings=settings)
    return ok(Message(message=service.SUBSCRIBE_ANSWER))


@router.post("/confirm", response_model=Envelope[Message])
async def confirm(
    body: ConfirmRequest, session: DbSession, settings: AppSettings
) -> Envelope[Message]:
    """Confirm with the token from the mail (for a frontend; the mail's link opens /newsletter/confirm)."""
    await service.confirm(session, token=body.token, settings=settings)
    return ok(Message(message="You are subscribed. Welcome!"))


@router.get("/me", response_model=Envelope[MySubscription])
async def my_subscription(member: CurrentUser, session: DbSession) -> Envelope[MySubscription]:
    return ok(await service.my_subscription(session, member))


@router.put("/me", response_model=Envelope[MySubscription])
async def set_my_subscription(
    body: MySubscriptionUpdate, member: CurrentUser, session: DbSession, settings: AppSettings
) -> Envelope[MySubscription]:
    """Subscribe from the profile (immediate for a verified address) or unsubscribe."""
    return ok(
        await service.set_my_subscription(
            session, user=member, subscribed=body.subscribed, settings=settings
        )
    )


# --- pages behind links in mails -------------------------------------------------------------


@unsubscribe_router.get("/u/{token}", response_class=HTMLResponse, include_in_schema=False)
async def unsubscribe_page(token: str, session: DbSession) -> HTMLResponse:
    """Shows what the button would do; never unsubscribes by itself."""
    subscriber = await service.by_unsubscribe_token(session, token)
    if subscriber is None:
        return HTMLResponse(
            page("Link not valid", "This unsubscribe link is not valid."), status_code=404
        )
    return HTMLResponse(
        page(
            "Unsubscribe",
            f"Stop sending the newsletter to {masked(subscriber.email)}?",
            action=f"/u/{token}",
            button="Unsubscribe",
        )
    )


@unsubscribe_router.post(
    "/u/{token}", response_class=HTMLResponse, summary="One-click unsubscribe (RFC 8058)"
)
async def unsubscribe(token: str, session: DbSession) -> HTMLResponse:
    """What mail clients POST (`List-Unsubscribe=One-Click`) and the page's button: no login,
    whatever the body. Repeating it is harmless."""
    subscriber = await service.unsubscribe(session, token=token)
    if subscriber is None:
        return HTMLResponse(
            page("Link not valid", "This unsubscribe link is not valid."), status_code=404
        )
    return HTMLResponse(
        page(
            "Unsubscribed",
            f"{masked(subscriber.email)} will get no more newsletters. Sorry to see you go.",
        )
    )


@unsubscribe_router.get("/newsletter/confirm", response_class=HTMLResponse, include_in_schema=False)
async def confirm_page(token: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    return HTMLResponse(
        page(
            "Confirm your subscription",
            "One click to start receiving the newsletter.",
            action="/newsletter/confirm",
            button="Yes, subscribe me",
            fields={"token": token},
        )
    )


@unsubscribe_router.post(
    "/newsletter/confirm", response_class=HTMLResponse, include_in_schema=False
)
async def confirm_form(
    session: DbSession, settings: AppSettings, token: Annotated[str, Form(max_length=100)] = ""
) -> HTMLResponse:
    try:
        await service.confirm(session, token=token, settings=settings)
    except NotFound as exc:
        return HTMLResponse(page("Link not valid", exc.message), status_code=404)
    return HTMLResponse(page("Subscribed", "You are subscribed. Welcome!"))


# --- admin: subscribers ----------------------------------------------------------------------


@admin_router.get("/subscribers", response_model=Page[SubscriberRead])
async def list_subscribers(
    _admin: AdminUser, session: DbSession, query: Annotated[SubscriberQuery, Query()]
) -> Page[SubscriberRead]:
    rows, total = await subscribers.list_subscribers(session, query)
    return Page[SubscriberRead](
        data=rows, pagination=Pagination.of(page=query.page, limit=query.limit, total=total)
    )


@admin_router.post(
    "/subscribers", response_model=Envelope[SubscriberRead], status_code=status.HTTP_201_CREATED
)
async def add_subscriber(
    body: SubscriberCreate, _admin: AdminUser, session: DbSession
) -> Envelope[SubscriberRead]:
    return ok(await subscribers.add_subscriber(session, data=body))


@admin_router.post("/subscribers/import", response_model=Envelope[ImportReport])
async def import_subscribers(
    _admin: AdminUser,
    session: DbSession,
    file: Annotated[
        UploadFile, File(description="CSV: email[,name[,source]], a header row optional")
    ],
    source: Annotated[str, Form(max_length=50, pattern=r"^[a-z0-9_-]{1,50}$")] = "import",
) -> Envelope[ImportReport]:
    """Add the file's addresses as active subscribers; a report of what was added, duplicated,
    already there (never overwritten) and invalid (by line)."""
    text = subscribers.import_text(await file.read(subscribers.IMPORT_MAX_BYTES + 1))
    return ok(await subscribers.import_csv(session, text=text, default_source=source))


@admin_router.get("/subscribers/export", response_class=StreamingResponse)
async def export_subscribers(
    _admin: AdminUser, session: DbSession, query: Annotated[SubscriberQuery, Query()]
) -> StreamingResponse:
    """The filtered subscribers as CSV (every page, streamed)."""
    return StreamingResponse(
        subscribers.export_csv(session, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="subscribers.csv"'},
    )


@admin_router.put("/subscribers/{subscriber_id}", response_model=Envelope[SubscriberRead])
async def update_subscriber(
    subscriber_id: uuid.UUID, body: SubscriberUpdate, _admin: AdminUser, session: DbSession
) -> Envelope[SubscriberRead]:
    return ok(await subscribers.update_subscriber(session, subscriber_id=subscriber_id, data=body))


@admin_router.delete("/subscribers/{subscriber_id}", response_model=Envelope[Message])
async def delete_subscriber(
    subscriber_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[Message]:
    await subscribers.delete_subscriber(session, subscriber_id=subscriber_id)
    return ok(Message(message="Subscriber deleted."))


@admin_router.get("/stats", response_model=Envelope[NewsletterStats])
async def newsletter_stats(_admin: AdminUser, session: DbSession) -> Envelope[NewsletterStats]:
    return ok(await subscribers.stats(session))


# --- admin: segments and campaigns -----------------------------------------------------------


@admin_router.get("/segments", response_model=Envelope[list[SegmentKind]])
async def segment_kinds(_admin: AdminUser) -> Envelope[list[SegmentKind]]:
    return ok(
        [
            SegmentKind(
                kind=k.kind,
                description=k.description,
                needs_value=k.needs_value,
                value_hint=k.value_hint,
            )
            for k in segments.kinds()
        ]
    )


@admin_router.post("/segments/count", response_model=Envelope[SegmentCount])
async def count_segment(
    body: Segment, _admin: AdminUser, session: DbSession
) -> Envelope[SegmentCount]:
    return ok(await campaigns.count_segment(session, body))


@admin_router.get("/campaigns", response_model=Page[CampaignRead])
async def list_campaigns(
    _admin: AdminUser,
    session: DbSession,
    paging: Paging,
    campaign_status: Annotated[CampaignStatus | None, Query(alias="status")] = None,
) -> Page[CampaignRead]:
    rows, total = await campaigns.list_campaigns(
        session, status=campaign_status, limit=paging.limit, offset=paging.offset
    )
    return Page[CampaignRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@admin_router.post(
    "/campaigns", response_model=Envelope[CampaignRead], status_code=status.HTTP_201_CREATED
)
async def create_campaign(
    body: CampaignCreate, admin: AdminUser, session: DbSession
) -> Envelope[CampaignRead]:
    """A draft: Markdown content in a campaign email template, for a segment."""
    return ok(await campaigns.create(session, data=body, admin=admin))


@admin_router.get("/campaigns/{campaign_id}", response_model=Envelope[CampaignRead])
async def get_campaign(
    campaign_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[CampaignRead]:
    """The campaign with its numbers: recipients, sent, failed, unsubscribed after."""
    return ok(await campaigns.get(session, campaign_id))


@admin_router.put("/campaigns/{campaign_id}", response_model=Envelope[CampaignRead])
async def update_campaign(
    campaign_id: uuid.UUID, body: CampaignWrite, _admin: AdminUser, session: DbSession
) -> Envelope[CampaignRead]:
    return ok(await campaigns.update(session, campaign_id=campaign_id, data=body))


@admin_router.delete("/campaigns/{campaign_id}", response_model=Envelope[Message])
async def delete_campaign(
    campaign_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[Message]:
    await campaigns.delete(session, campaign_id=campaign_id)
    return ok(Message(message="Campaign deleted."))


@admin_router.post("/campaigns/{campaign_id}/preview", response_model=Envelope[RenderedMail])
async def preview_campaign(
    campaign_id: uuid.UUID, _admin: AdminUser, session: DbSession, settings: AppSettings
) -> Envelope[RenderedMail]:
    return ok(await campaigns.preview(session, campaign_id=campaign_id, settings=settings))


@admin_router.post("/campaigns/{campaign_id}/test", response_model=Envelope[Message])
async def test_send_campaign(
    campaign_id: uuid.UUID,
    body: TestSend,
    _admin: AdminUser,
    session: DbSession,
    settings: AppSettings,
) -> Envelope[Message]:
    """Send it to up to 5 addresses now, subject prefixed with [Test]."""
    sent = await campaigns.test_send(
        session, campaign_id=campaign_id, to=list(body.to), settings=settings
    )
    return ok(Message(message=f"Test sent to {sent} address(es)."))


@admin_router.post("/campaigns/{campaign_id}/send", response_model=Envelope[CampaignRead])
async def send_campaign(
    campaign_id: uuid.UUID,
    body: CampaignSend,
    _admin: AdminUser,
    session: DbSession,
    settings: AppSettings,
) -> Envelope[CampaignRead]:
    """Send now, or at `sendAt`: a job sends it in batches of up to 100."""
    return ok(
        await campaigns.schedule(
            session, campaign_id=campaign_id, send_at=body.send_at, settings=settings
        )
    )


@admin_router.post("/campaigns/{campaign_id}/cancel", response_model=Envelope[CampaignRead])
async def cancel_campaign(
    campaign_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[CampaignRead]:
    return ok(await campaigns.cancel(session, campaign_id=campaign_id))


@admin_router.get("/campaigns/{campaign_id}/deliveries", response_model=Page[DeliveryRead])
async def campaign_deliveries(
    campaign_id: uuid.UUID,
    _admin: AdminUser,
    session: DbSession,
    paging: Paging,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
) -> Page[DeliveryRead]:
    """Each recipient with its status."""
    rows, total = await campaigns.deliveries(
        session,
        campaign_id=campaign_id,
        status=delivery_status,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page[DeliveryRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )
