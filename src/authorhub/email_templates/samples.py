"""What each mail is for and sample values of its variables (used by previews and to check an
edited template on save: a template naming a variable its mail never gets is refused)."""

from __future__ import annotations

from typing import Any

from authorhub.models import TemplateKind

_LINES = {
    "lines": [
        {
            "title": "Nights in Lagos",
            "format": "ebook",
            "quantity": 1,
            "line_total": "₦4,500.00",
            "availability": None,
        }
    ],
    "subtotal": "₦4,500.00",
    "shipping": None,
    "discount": None,
    "coupon_code": None,
    "total": "₦4,500.00",
}

# name -> (kind, description, sample context)
SAMPLES: dict[str, tuple[TemplateKind, str, dict[str, Any]]] = {
    "verify_email": (
        TemplateKind.transactional,
        "Sent at registration: confirm the email address.",
        {"name": "Ada", "action_url": "https://example.com/verify-email?token=sample", "hours": 24},
    ),
    "reset_password": (
        TemplateKind.transactional,
        "A password reset link.",
        {
            "name": "Ada",
            "action_url": "https://example.com/reset-password?token=sample",
            "minutes": 60,
        },
    ),
    "password_changed": (
        TemplateKind.transactional,
        "The password was changed.",
        {
            "name": "Ada",
            "when": "4 Dec 2026 10:00 UTC",
            "ip": "203.0.113.9",
            "action_url": "https://example.com/forgot-password",
        },
    ),
    "notice": (
        TemplateKind.transactional,
        "A general notice with paragraphs and an optional button.",
        {
            "name": "Ada",
            "subject": "A notice",
            "paragraphs": ["Something happened."],
            "action_url": "https://example.com",
            "action_label": "Open",
        },
    ),
    "order_received": (
        TemplateKind.transactional,
        "An order was placed and awaits payment.",
        {
            "name": "Ada",
            "order_number": "VC-2026-000123",
            "order_url": "https://example.com/orders/1",
            "pay_by": "10:30 UTC",
            **_LINES,
        },
    ),
    "order_paid": (
        TemplateKind.transactional,
        "The receipt of a paid order.",
        {
            "name": "Ada",
            "order_number": "VC-2026-000123",
            "order_url": "https://example.com/orders/1",
            "amount_paid": "₦4,500.00",
            "paid_at": "4 Dec 2026",
            "payment_reference": "VC-PAY-1",
            "has_ebooks": True,
            "has_print": False,
            "preorders": [{"title": "Letters from Kano", "format": "ebook"}],
            "library_url": "https://example.com/library",
            **_LINES,
        },
    ),
    "order_shipped": (
        TemplateKind.transactional,
        "A print order was shipped.",
        {
            "name": "Ada",
            "order_number": "VC-2026-000123",
            "order_url": "https://example.com/orders/1",
            "carrier": "GIG Logistics",
            "tracking_number": "GIG123",
            **_LINES,
        },
    ),
    "order_cancelled": (
        TemplateKind.transactional,
        "An order was cancelled.",
        {"name": "Ada", "order_number": "VC-2026-000123", "reason": "Not paid in time.", **_LINES},
    ),
    "preorder_released": (
        TemplateKind.transactional,
        "A preorder was released: ebooks in the library, print copies being prepared.",
        {
            "name": "Ada",
            "order_number": "VC-2026-000123",
            "order_url": "https://example.com/orders/1",
            "library_url": "https://example.com/library",
            "released_titles": ["Nights in Lagos"],
            "released_ebooks": True,
            "released_print": False,
        },
    ),
    "order_refunded": (
        TemplateKind.transactional,
        "A refund was made.",
        {
            "name": "Ada",
            "order_number": "VC-2026-000123",
            "order_url": "https://example.com/orders/1",
            "refund_amount": "₦4,500.00",
            "fully_refunded": True,
            "revoked_titles": ["Nights in Lagos"],
        },
    ),
    "payment_alert": (
        TemplateKind.transactional,
        "An alert to the admins about a payment that needs a look.",
        {
            "headline": "Amount mismatch",
            "reference": "VC-PAY-1",
            "order_number": "VC-2026-000123",
            "provider": "paystack",
            "provider_transaction_id": "123",
            "amount": "₦4,500.00",
            "paragraphs": ["Check it."],
            "admin_url": "https://example.com/admin",
        },
    ),
    "register_attempt": (
        TemplateKind.transactional,
        "Someone registered with an address that already has an account: tell its owner.",
        {
            "name": "Ada",
            "signin_url": "https://example.com/auth/signin",
            "reset_url": "https://example.com/forgot-password",
        },
    ),
    "community_digest": (
        TemplateKind.transactional,
        "The daily digest of a member's unread community notifications.",
        {
            "name": "Ada",
            "unread": 2,
            "lines": [
                "@tunde replied to your discussion “Favourite opening lines”",
                "@amaka mentioned you in “Book club: Harmattan”",
            ],
            "action_url": "https://example.com/community/notifications",
            "settings_url": "https://example.com/account/preferences",
        },
    ),
    "course_welcome": (
        TemplateKind.transactional,
        "A student enrolled in a course.",
        {
            "name": "Ada",
            "course_title": "Start Writing Your First Story",
            "course_url": "https://example.com/academy/courses/start-writing",
        },
    ),
    "course_nudge": (
        TemplateKind.transactional,
        "A student has not opened her course for 7 days (sent once per enrolment).",
        {
            "name": "Ada",
            "course_title": "Start Writing Your First Story",
            "course_url": "https://example.com/academy/courses/start-writing",
        },
    ),
    "certificate_issued": (
        TemplateKind.transactional,
        "A student completed a course: her certificate.",
        {
            "name": "Ada",
            "course_title": "Start Writing Your First Story",
            "code": "F62W4ZRCJQHP",
            "pdf_url": "https://example.com/api/certificates/F62W4ZRCJQHP.pdf",
            "verify_url": "https://example.com/api/certificates/F62W4ZRCJQHP",
        },
    ),
    "newsletter_confirm": (
        TemplateKind.transactional,
        "Double opt-in: confirm a newsletter subscription.",
        {"name": "Ada", "action_url": "https://example.com/api/newsletter/confirm?token=sample"},
    ),
    "newsletter": (
        TemplateKind.campaign,
        "The default layout of a newsletter campaign.",
        {
            "name": "Ada",
            "subject": "News from the desk",
            "content_html": "<p>The new book is out.</p>",
            "content_text": "The new book is out.",
            "unsubscribe_url": "https://example.com/u/sample",
        },
    ),
    "wishlist_alert": (
        TemplateKind.transactional,
        "A wished book got cheaper or came back in stock.",
        {
            "name": "Ada",
            "reason": "price_drop",
            "title": "Nights in Lagos",
            "author": "Victoria Chisom",
            "price": "₦2,000.00",
            "old_price": "₦2,500.00",
            "book_url": "https://example.com/books/nights-in-lagos",
        },
    ),
}

# Variables every mail gets (mail.service adds them).
COMMON = {
    "site_name": "Victoria Chisom",
    "public_url": "https://example.com",
    "frontend_url": "https://example.com",
}

# What a new campaign template is checked against.
CAMPAIGN_SAMPLE = SAMPLES["newsletter"][2]


def sample_for(name: str, kind: TemplateKind) -> dict[str, Any]:
    if name in SAMPLES:
        return {**COMMON, **SAMPLES[name][2]}
    return {**COMMON, **(CAMPAIGN_SAMPLE if kind == TemplateKind.campaign else {})}
