"""An event's description, agenda and refund policy, and its ticket tiers, edited from the admin
over HTTP: through the events service (the API's own rules and errors), confirmed forms with
CSRF, audited only when done, refused with the field named and nothing changed."""

from __future__ import annotations

import html
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.events import service as events
from authorhub.events.schemas import EventCreate, TierCreate
from authorhub.kit.time import utcnow
from authorhub.models import AuditLog, Event, EventTicketTier, RefundPolicy, Role
from tests.admin.conftest import Signed, csrf_of, person, sign_in


async def _audit(db: AsyncSession) -> list[str]:
    rows = await db.scalars(
        select(AuditLog.event)
        .where(AuditLog.event.startswith("admin."))
        .order_by(AuditLog.created_at)
    )
    return list(rows)


async def _paid_event(db: AsyncSession, *, capacity: int = 10) -> Event:
    start = utcnow().replace(second=0, microsecond=0) + timedelta(days=20)
    return await events.create_event(
        db,
        EventCreate(
            title="Editing Masterclass",
            event_type="workshop",
            is_online=False,
            location="Terra Kulture, Lagos",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            capacity=capacity,
            is_free=False,
        ),
    )


def _event_form(event: Event, token: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "title": event.title,
        "event_type": event.event_type.value,
        "location": event.location or "",
        "timezone": "Africa/Lagos",
        "starts_at": event.starts_at.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.ends_at.strftime("%Y-%m-%dT%H:%M"),
        "capacity": str(event.capacity),
        "refund_policy": "full",
        "agenda-0-title": "",
        "agenda-1-title": "",
    }
    return {**form, **changes}


async def _shown(http: httpx.AsyncClient, response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return html.unescape((await http.get(response.headers["location"])).text)


class TestEventContent:
    async def test_description_agenda_and_refund_policy_are_saved_and_shown(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        event = await _paid_event(db)
        page = await http.get(f"/admin/events/{event.id}/edit")
        assert 'name="description"' in page.text and 'name="agenda-0-title"' in page.text
        day = event.starts_at.strftime("%Y-%m-%d")
        form = _event_form(
            event,
            csrf_of(page.text),
            description="Bring a chapter you are stuck on.",
            refund_policy="until_days",
            refund_days="3",
            **{
                "agenda-0-title": "Welcome",
                "agenda-0-starts_at": f"{day}T{event.starts_at:%H:%M}",
                "agenda-0-speaker": "Chioma",
                "agenda-1-title": "Line edits, live",
                "agenda-1-description": "Volunteers read a page",
            },
        )
        shown = await _shown(http, await http.post(f"/admin/events/{event.id}/edit", data=form))
        assert "Saved." in shown
        assert "Bring a chapter you are stuck on." in shown
        assert "Full refund if you cancel at least 3 days before the start." in shown
        assert "Welcome" in shown and "Line edits, live" in shown
        await db.refresh(event)
        assert event.description == "Bring a chapter you are stuck on."
        assert event.refund_policy == RefundPolicy.until_days and event.refund_days == 3
        assert [item["title"] for item in event.agenda] == ["Welcome", "Line edits, live"]
        assert event.agenda[0]["speaker"] == "Chioma"
        # The form shows the agenda back, with empty rows under it for new items.
        again = (await http.get(f"/admin/events/{event.id}/edit")).text
        assert 'value="Line edits, live"' in again and 'name="agenda-4-title"' in again

        # Emptying a row removes its item; emptying the description clears it.
        emptied = {**form, "description": "", "agenda-0-title": "", "agenda-0-speaker": ""}
        emptied.pop("agenda-0-starts_at")
        await http.post(f"/admin/events/{event.id}/edit", data=emptied)
        await db.refresh(event)
        assert event.description is None
        assert [item["title"] for item in event.agenda] == ["Line edits, live"]
        assert await _audit(db) == ["admin.event.update", "admin.event.update"]

    async def test_refusals_name_the_field_and_change_nothing(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        event = await _paid_event(db)
        token = csrf_of((await http.get(f"/admin/events/{event.id}/edit")).text)
        cases = [
            ({"refund_policy": "until_days", "refund_days": ""}, "refundDays"),
            ({"agenda-0-speaker": "Someone"}, "Agenda item 1 needs a title."),
            ({"agenda-0-title": "Late", "agenda-0-starts_at": "soon"}, "agenda.1.startsAt"),
            ({"description": "x" * 20_001}, "description"),
        ]
        for changes, reason in cases:
            refused = await http.post(
                f"/admin/events/{event.id}/edit",
                data=_event_form(event, token, **{"description": "Typed text", **changes}),
            )
            assert refused.status_code == 422, changes
            assert reason in html.unescape(refused.text), (changes, refused.text[-3000:])
        await db.refresh(event)
        assert event.description is None and event.agenda == []
        assert event.refund_policy == RefundPolicy.full
        assert await _audit(db) == []


class TestTiers:
    async def test_add_then_edit_a_tier_in_naira_and_dollars(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        event = await _paid_event(db)
        detail = (await http.get(f"/admin/events/{event.id}")).text
        assert "No ticket tiers yet" in detail
        assert f'href="/admin/events/{event.id}/tiers/new"' in detail
        token = csrf_of((await http.get(f"/admin/events/{event.id}/tiers/new")).text)
        opens = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        added = await http.post(
            f"/admin/events/{event.id}/tiers/new",
            data={
                "csrf_token": token,
                "name": "Early bird",
                "price_ngn": "5,000.00",
                "price_usd": "12.50",
                "quantity_limit": "4",
                "sales_start": opens,
                "sales_end": "",
            },
        )
        assert "Tier “Early bird” saved." in await _shown(http, added)
        tier = await db.scalar(select(EventTicketTier).where(EventTicketTier.event_id == event.id))
        assert tier is not None
        assert (tier.price_ngn, tier.price_usd, tier.quantity_limit) == (500_000, 1250, 4)
        assert tier.sales_start is not None and tier.sales_start.strftime("%Y-%m-%dT%H:%M") == opens
        assert tier.sales_end is None and tier.is_active

        form = (await http.get(f"/admin/events/{event.id}/tiers/{tier.id}")).text
        assert 'value="5000.00"' in form and 'value="12.50"' in form
        edited = await http.post(
            f"/admin/events/{event.id}/tiers/{tier.id}",
            data={
                "csrf_token": token,
                "name": "Regular",
                "price_ngn": "7500",
                "price_usd": "",
                "quantity_limit": "",
                "is_active": "on",
            },
        )
        assert "Tier “Regular” saved." in await _shown(http, edited)
        await db.refresh(tier)
        assert (tier.name, tier.price_ngn, tier.price_usd) == ("Regular", 750_000, None)
        assert tier.quantity_limit is None and tier.sales_start is None
        assert await _audit(db) == ["admin.event.tier_create", "admin.event.tier_update"]

    async def test_a_limit_under_what_was_sold_is_refused_clearly(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        event = await _paid_event(db, capacity=10)
        tier = await events.create_tier(
            db, event.id, TierCreate(name="Standard", price_ngn=300_000, quantity_limit=8)
        )
        tier.sold = 5
        await db.flush()
        token = csrf_of((await http.get(f"/admin/events/{event.id}/tiers/{tier.id}")).text)
        base = {"csrf_token": token, "name": "Standard", "price_ngn": "3000", "is_active": "on"}
        cases = [
            ({"quantity_limit": "4"}, "5 tickets of this tier are already sold (quantityLimit"),
            ({"quantity_limit": "11"}, "cannot exceed the event's capacity (10)"),
            ({"quantity_limit": "6", "price_ngn": "abc"}, "Enter an amount such as 2500"),
            ({"quantity_limit": "6", "price_ngn": "-5"}, "must be more than zero"),
            ({"quantity_limit": "6", "price_ngn": ""}, "Give the price in naira."),
            ({"quantity_limit": "6", "name": ""}, "Give the tier a name."),
        ]
        for changes, reason in cases:
            refused = await http.post(
                f"/admin/events/{event.id}/tiers/{tier.id}", data={**base, **changes}
            )
            assert refused.status_code == 422, changes
            text = html.unescape(refused.text)
            assert reason in text, (changes, text[-2000:])
            assert f'value="{changes["quantity_limit"]}"' in text  # what was typed stays
        # The field the service named is marked on the form.
        marked = await http.post(
            f"/admin/events/{event.id}/tiers/{tier.id}", data={**base, "quantity_limit": "4"}
        )
        assert 'name="quantity_limit" value="4" aria-invalid="true"' in marked.text
        assert 'name="name" value="Standard" required aria-invalid' not in marked.text
        await db.refresh(tier)
        assert (tier.quantity_limit, tier.price_ngn, tier.name) == (8, 300_000, "Standard")
        assert await _audit(db) == []

    async def test_remove_switches_off_a_tier_that_sold_and_deletes_one_that_did_not(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        event = await _paid_event(db)
        sold = await events.create_tier(db, event.id, TierCreate(name="Sold", price_ngn=100_000))
        sold.sold = 2
        unsold = await events.create_tier(db, event.id, TierCreate(name="Unsold", price_ngn=1000))
        await db.flush()
        page = (await http.get(f"/admin/events/{event.id}")).text
        assert "Switch off “Sold”? Its 2 tickets stay valid." in html.unescape(page)
        token = csrf_of(page)
        for tier in (sold, unsold):
            await http.post(
                f"/admin/events/{event.id}/tiers/{tier.id}/remove", data={"csrf_token": token}
            )
        await db.refresh(sold)
        assert not sold.is_active
        assert await db.get(EventTicketTier, unsold.id, populate_existing=True) is None
        assert await _audit(db) == ["admin.event.tier_remove", "admin.event.tier_remove"]

    async def test_a_free_event_has_no_tiers_and_another_events_tier_is_404(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        paid = await _paid_event(db)
        tier = await events.create_tier(db, paid.id, TierCreate(name="Std", price_ngn=1000))
        free = await _paid_event(db)
        free.is_free = True
        await db.flush()
        assert "A free event needs no tiers." in (await http.get(f"/admin/events/{free.id}")).text
        token = csrf_of((await http.get(f"/admin/events/{free.id}/tiers/new")).text)
        refused = await http.post(
            f"/admin/events/{free.id}/tiers/new",
            data={"csrf_token": token, "name": "VIP", "price_ngn": "100"},
        )
        assert refused.status_code == 422
        assert "a free event has no ticket tiers" in refused.text
        assert (await http.get(f"/admin/events/{free.id}/tiers/{tier.id}")).status_code == 404
        moved = await http.post(
            f"/admin/events/{free.id}/tiers/{tier.id}",
            data={"csrf_token": token, "name": "Moved", "price_ngn": "100"},
        )
        assert moved.status_code == 404
        await db.refresh(tier)
        assert tier.name == "Std"

    async def test_moderators_and_forged_forms_are_refused(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        event = await _paid_event(db)
        moderator = await person(db, Role.moderator)
        assert (await sign_in(admin_http, moderator.email)).status_code == 303
        page = await admin_http.get("/admin/events/checkin")
        assert (await admin_http.get(f"/admin/events/{event.id}/tiers/new")).status_code == 403
        refused = await admin_http.post(
            f"/admin/events/{event.id}/tiers/new",
            data={"csrf_token": csrf_of(page.text), "name": "VIP", "price_ngn": "100"},
        )
        assert refused.status_code == 403
        admin = await person(db, Role.admin)
        assert (await sign_in(admin_http, admin.email)).status_code == 303
        forged = await admin_http.post(
            f"/admin/events/{event.id}/tiers/new",
            data={"csrf_token": "forged", "name": "VIP", "price_ngn": "100"},
        )
        assert forged.status_code == 403
        assert await db.scalar(select(EventTicketTier.id)) is None
        assert await _audit(db) == []
