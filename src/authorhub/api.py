"""Every domain router, under /api. Add one line per domain."""

from __future__ import annotations

from fastapi import APIRouter

from authorhub.academy.router import admin_router as admin_academy_router
from authorhub.academy.router import router as academy_router
from authorhub.auth.router import router as auth_router

# content: blog, comments, newsletter, email templates
from authorhub.blog.router import admin_router as admin_blog_router
from authorhub.blog.router import router as blog_router
from authorhub.books.router import router as books_router
from authorhub.cart.router import router as cart_router
from authorhub.categories.router import router as categories_router
from authorhub.comments.router import moderation_router as blog_comment_moderation_router
from authorhub.comments.router import router as blog_comments_router
from authorhub.community.moderation_router import router as moderation_router
from authorhub.community.router import router as community_router
from authorhub.compat.nextauth import router as compat_nextauth_router
from authorhub.compat.router import router as compat_router
from authorhub.coupons.router import admin_router as admin_coupons_router
from authorhub.coupons.router import router as coupons_router
from authorhub.email_templates.router import admin_router as admin_email_templates_router
from authorhub.events.router import admin_router as admin_events_router
from authorhub.events.router import router as events_router
from authorhub.events.router import tickets_router as event_tickets_router
from authorhub.flows.router import events_router as event_flows_router
from authorhub.flows.router import preorders_router
from authorhub.flows.router import router as flows_router
from authorhub.library.router import router as library_router
from authorhub.media.router import router as media_router
from authorhub.newsletter.router import admin_router as admin_newsletter_router
from authorhub.newsletter.router import router as newsletter_router
from authorhub.orders.router import admin_router as admin_orders_router
from authorhub.orders.router import router as orders_router
from authorhub.payments.router import admin_router as admin_payments_router
from authorhub.payments.router import router as payments_router
from authorhub.recommendations.router import router as recommendations_router
from authorhub.reviews.router import router as reviews_router
from authorhub.search.router import router as search_router
from authorhub.system.router import router as system_router
from authorhub.tags.router import router as tags_router
from authorhub.users.router import router as users_router
from authorhub.wishlist.router import router as wishlist_router

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
api_router.include_router(preorders_router)
api_router.include_router(community_router)
api_router.include_router(moderation_router)
# Before blog_router: /blog/comments/... would otherwise match /blog/{slug}.
api_router.include_router(blog_comments_router)
api_router.include_router(blog_router)
api_router.include_router(admin_blog_router)
api_router.include_router(blog_comment_moderation_router)
api_router.include_router(newsletter_router)
api_router.include_router(admin_newsletter_router)
api_router.include_router(admin_email_templates_router)
api_router.include_router(wishlist_router)
# The original Next.js frontend's contract (docs/compat.md).
api_router.include_router(compat_nextauth_router)
api_router.include_router(compat_router)
api_router.include_router(event_flows_router)
api_router.include_router(events_router)
api_router.include_router(event_tickets_router)
api_router.include_router(admin_events_router)
api_router.include_router(academy_router)
api_router.include_router(admin_academy_router)
# readers (issue 17)
api_router.include_router(reviews_router)
api_router.include_router(recommendations_router)
