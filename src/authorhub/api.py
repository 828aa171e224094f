"""Every domain router, under /api. Add one line per domain."""

from __future__ import annotations

from fastapi import APIRouter

from authorhub.academy.router import admin_router as admin_academy_router
from authorhub.academy.router import router as academy_router
from authorhub.auth.router import router as auth_router
from authorhub.books.router import router as books_router
from authorhub.cart.router import router as cart_router
from authorhub.categories.router import router as categories_router
from authorhub.coupons.router import admin_router as admin_coupons_router
from authorhub.coupons.router import router as coupons_router
from authorhub.flows.router import router as flows_router
from authorhub.library.router import router as library_router
from authorhub.media.router import router as media_router
from authorhub.orders.router import admin_router as admin_orders_router
from authorhub.orders.router import router as orders_router
from authorhub.payments.router import admin_router as admin_payments_router
from authorhub.payments.router import router as payments_router
from authorhub.search.router import router as search_router
from authorhub.system.router import router as system_router
from authorhub.tags.router import router as tags_router
from authorhub.users.router import router as users_router

api_router = APIRouter(prefix="/api")
api_router.include_router(system_router)
api_router.include_router(books_router)
api_router.include_router(categories_router)
api_router.include_router(tags_router)
api_router.include_router(search_router)
api_router.include_router(media_router)
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(cart_router)
api_router.include_router(coupons_router)
api_router.include_router(admin_coupons_router)
api_router.include_router(orders_router)
api_router.include_router(admin_orders_router)
api_router.include_router(library_router)
api_router.include_router(payments_router)
api_router.include_router(admin_payments_router)
api_router.include_router(flows_router)
api_router.include_router(academy_router)
api_router.include_router(admin_academy_router)
