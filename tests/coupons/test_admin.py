"""Admin coupon management at /api/admin/coupons."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.coupons.service import seed_demo_coupon
from authorhub.db import Database
from authorhub.kit.time import utcnow
from authorhub.models import Coupon, Role
from authorhub.orders.schemas import OrderCreate
from authorhub.orders.service import create_order
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import LAGOS, item, make_coupon, make_shop_book, place_order


def _coupon(**fields: object) -> dict[str, object]:
    return {"code": f"vc{uuid.uuid4().hex[:6]}", "kind": "percentage", "value": 15, **fields}


class TestCreate:
    async def test_an_admin_creates_a_coupon_with_every_rule(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, admin_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings)
        starts = utcnow() - timedelta(days=1)
        body = _coupon(
            code="launch-25",
            value=25,
            description="Launch week",
            minOrderAmount=500_000,
            maxDiscountAmount=200_000,
            usageLimit=100,
            perCustomerLimit=1,
            startsAt=starts.isoformat(),
            endsAt=(starts + timedelta(days=8)).isoformat(),
            appliesTo="formats",
            formatIds=[str(shop.paperback.id)],
        )

        response = await client.post("/api/admin/coupons", json=body, headers=admin_headers)

        assert response.status_code == 201, response.text
        coupon = response.json()["data"]
        assert coupon["code"] == "LAUNCH-25"  # codes are case-insensitive, stored upper-case
        assert coupon["status"] == "active"
        assert coupon["usesCount"] == 0
        assert coupon["formatIds"] == [str(shop.paperback.id)]
        assert (coupon["minOrderAmount"], coupon["maxDiscountAmount"]) == (500_000, 200_000)

        duplicate = await client.post(
            "/api/admin/coupons", json=_coupon(code="Launch-25"), headers=admin_headers
        )
        assert duplicate.status_code == 409
        assert duplicate.json()["code"] == "coupon_code_taken"

    async def test_inconsistent_coupons_are_refused(
        self, client: httpx.AsyncClient, admin_headers: dict
    ) -> None:
        now = utcnow()
        bad = [
            _coupon(value=101),
            _coupon(kind="fixed", value=0),
            _coupon(appliesTo="formats"),
            _coupon(formatIds=[str(uuid.uuid4())]),
            _coupon(startsAt=now.isoformat(), endsAt=(now - timedelta(hours=1)).isoformat()),
            _coupon(code="no spaces allowed"),
            _coupon(usesCount=5),  # read-only: unknown input fields are refused, not ignored
            _coupon(startsAt="2026-01-01T00:00:00"),  # a time without a zone is ambiguous
        ]
        for body in bad:
            response = await client.post("/api/admin/coupons", json=body, headers=admin_headers)
            assert response.status_code == 422, (body, response.text)
        unknown_format = await client.post(
            "/api/admin/coupons",
            json=_coupon(appliesTo="formats", formatIds=[str(uuid.uuid4())]),
            headers=admin_headers,
        )
        assert unknown_format.status_code == 422
        assert unknown_format.json()["code"] == "format_not_found"

    async def test_members_and_guests_cannot_manage_coupons(
        self, client: httpx.AsyncClient, member_headers: dict
    ) -> None:
        as_member = await client.post("/api/admin/coupons", json=_coupon(), headers=member_headers)
        assert as_member.status_code == 403
        assert (await client.get("/api/admin/coupons")).status_code == 401


class TestReadUpdateDelete:
    async def test_list_filter_update_and_delete(
        self, client: httpx.AsyncClient, admin_headers: dict
    ) -> None:
        past = utcnow() - timedelta(days=10)
        active = (
            await client.post("/api/admin/coupons", json=_coupon(), headers=admin_headers)
        ).json()["data"]
        expired = (
            await client.post(
                "/api/admin/coupons",
                json=_coupon(
                    startsAt=past.isoformat(), endsAt=(past + timedelta(days=1)).isoformat()
                ),
                headers=admin_headers,
            )
        ).json()["data"]

        listed = await client.get(
            "/api/admin/coupons", params={"status": "expired", "limit": 100}, headers=admin_headers
        )
        assert listed.status_code == 200
        codes = [c["code"] for c in listed.json()["data"]]
        assert expired["code"] in codes and active["code"] not in codes
        by_prefix = await client.get(
            "/api/admin/coupons", params={"q": active["code"][:6].lower()}, headers=admin_headers
        )
        assert [c["code"] for c in by_prefix.json()["data"]] == [active["code"]]

        patched = await client.patch(
            f"/api/admin/coupons/{active['id']}",
            json={"isActive": False, "usageLimit": 3, "kind": "fixed", "value": 150_000},
            headers=admin_headers,
        )
        assert patched.status_code == 200, patched.text
        data = patched.json()["data"]
        assert (data["isActive"], data["status"], data["usageLimit"], data["kind"]) == (
            False,
            "inactive",
            3,
            "fixed",
        )
        cleared = await client.patch(
            f"/api/admin/coupons/{active['id']}", json={"usageLimit": None}, headers=admin_headers
        )
        assert cleared.json()["data"]["usageLimit"] is None
        not_null = await client.patch(
            f"/api/admin/coupons/{active['id']}", json={"value": None}, headers=admin_headers
        )
        assert not_null.status_code == 422

        deleted = await client.delete(f"/api/admin/coupons/{active['id']}", headers=admin_headers)
        assert deleted.status_code == 200
        gone = await client.get(f"/api/admin/coupons/{active['id']}", headers=admin_headers)
        assert gone.status_code == 404

    async def test_a_coupon_used_by_an_order_cannot_be_deleted(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        admin_headers: dict,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings)
        coupon = (
            await client.post("/api/admin/coupons", json=_coupon(), headers=admin_headers)
        ).json()["data"]
        await place_order(
            client,
            member_headers,
            [item(shop.paperback)],
            shippingAddress=LAGOS,
            couponCode=coupon["code"],
        )

        response = await client.delete(f"/api/admin/coupons/{coupon['id']}", headers=admin_headers)

        assert response.status_code == 409
        assert response.json()["code"] == "coupon_in_use"
        seen = await client.get(f"/api/admin/coupons/{coupon['id']}", headers=admin_headers)
        assert seen.json()["data"]["usesCount"] == 1


async def test_deleting_a_coupon_while_an_order_takes_it_is_a_clear_409(
    committed: Database, committed_client: httpx.AsyncClient, settings: Settings
) -> None:
    """Real commits: the delete waits for the checkout holding the coupon, then sees its use."""
    async with committed.session() as session:
        shop = await make_shop_book(session, settings)
        coupon = await make_coupon(session)
        buyer = await make_user(session)
        admin_headers = bearer(settings, await make_user(session, role=Role.admin))
    checkout_holds_the_coupon = asyncio.Event()
    delete_started = asyncio.Event()

    async def checkout() -> None:
        async with committed.session() as session:
            await create_order(
                session,
                user=buyer,
                data=OrderCreate.model_validate(
                    {"items": [item(shop.ebook)], "couponCode": coupon.code}
                ),
                idempotency_key=None,
                settings=settings,
            )
            checkout_holds_the_coupon.set()
            await delete_started.wait()
            await asyncio.sleep(0.2)  # the delete is now waiting on the coupon row

    async def delete() -> httpx.Response:
        await checkout_holds_the_coupon.wait()
        delete_started.set()
        return await committed_client.delete(
            f"/api/admin/coupons/{coupon.id}", headers=admin_headers
        )

    _, response = await asyncio.gather(checkout(), delete())

    assert (response.status_code, response.json()["code"]) == (409, "coupon_in_use")
    async with committed.session() as session:
        uses = await session.scalar(select(Coupon.uses_count).where(Coupon.id == coupon.id))
    assert uses == 1


async def test_the_demo_coupon_is_seeded_once(db: AsyncSession, settings: Settings) -> None:
    assert await seed_demo_coupon(db, settings) == "coupon WELCOME10: created"
    assert await seed_demo_coupon(db, settings) == "coupon WELCOME10: already there"
