"""Segments: who a campaign goes to. Each kind builds a query of active subscribers' ids.

A domain adds its own kind with `register(...)` at import (listed in SEGMENT_MODULES), e.g. the
academy, once it exists:

    register("course_students", "Students of a course", value_hint="course id",
             build=lambda value: select(NewsletterSubscriber.id).join(...))
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, or_, select

from authorhub.models import (
    Book,
    NewsletterSubscriber,
    Order,
    OrderLine,
    OrderStatus,
    SubscriberStatus,
)

# Modules that register more segment kinds (courses, events: future domains).
SEGMENT_MODULES: list[str] = []

PAID_STATUSES = (
    OrderStatus.paid,
    OrderStatus.processing,
    OrderStatus.shipped,
    OrderStatus.delivered,
    OrderStatus.partially_refunded,
)


class SegmentError(ValueError):
    """The segment cannot be built (unknown kind, missing or wrong value)."""


@dataclass(frozen=True, slots=True)
class SegmentKind:
    kind: str
    description: str
    build: Callable[[str | None], Select[Any]]
    value_hint: str | None = None

    @property
    def needs_value(self) -> bool:
        return self.value_hint is not None


_KINDS: dict[str, SegmentKind] = {}


def register(
    kind: str,
    description: str,
    build: Callable[[str | None], Select[Any]],
    value_hint: str | None = None,
) -> None:
    _KINDS[kind] = SegmentKind(kind, description, build, value_hint)


def _active() -> Select[Any]:
    return select(NewsletterSubscriber.id).where(
        NewsletterSubscriber.status == SubscriberStatus.active
    )


def _by_source(value: str | None) -> Select[Any]:
    return _active().where(NewsletterSubscriber.source == value)


def _book_buyers(value: str | None) -> Select[Any]:
    """Subscribers who bought the book (by account or by the order's email), paid orders only."""
    assert value is not None
    try:
        book_match = Book.id == uuid.UUID(value)
    except ValueError:
        book_match = Book.slug == value
    buyers = (
        select(Order.user_id, Order.customer_email)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Book, Book.id == OrderLine.book_id)
        .where(book_match, Order.status.in_(PAID_STATUSES))
        .subquery()
    )
    return _active().where(
        or_(
            NewsletterSubscriber.user_id.in_(
                select(buyers.c.user_id).where(buyers.c.user_id.is_not(None))
            ),
            NewsletterSubscriber.email.in_(select(buyers.c.customer_email)),
        )
    )


register("all", "Every active subscriber", lambda _: _active())
register("source", "Subscribers who signed up from a source", _by_source, "source, e.g. homepage")
register("book_buyers", "Subscribers who bought a book", _book_buyers, "book id or slug")


@cache
def _load_modules() -> None:
    for path in SEGMENT_MODULES:
        importlib.import_module(path)


def kinds() -> list[SegmentKind]:
    _load_modules()
    return list(_KINDS.values())


def subscriber_ids(segment: dict[str, Any]) -> Select[Any]:
    """The query of active subscribers' ids in this segment; SegmentError when it makes no sense."""
    _load_modules()
    kind = _KINDS.get(str(segment.get("kind")))
    if kind is None:
        raise SegmentError(f"unknown segment kind; one of {', '.join(sorted(_KINDS))}")
    value = segment.get("value")
    if kind.needs_value and not value:
        raise SegmentError(f"the {kind.kind} segment needs a value ({kind.value_hint})")
    return kind.build(value)
