"""Every table's model, imported here so Alembic sees the whole schema.

Add one import line per new model module.
"""

from authorhub.models.base import Base, Model
from authorhub.models.book import Book, BookFormat, BookStatus, FormatKind
from authorhub.models.cart import Cart, CartItem
from authorhub.models.category import Category
from authorhub.models.coupon import (
    Coupon,
    CouponKind,
    CouponRedemption,
    CouponScope,
    RedemptionStatus,
    coupon_formats,
)
from authorhub.models.library import DownloadLog, LibraryEntry, LibrarySource
from authorhub.models.mail_message import MailMessage, MailStatus
from authorhub.models.order import (
    Order,
    OrderLine,
    OrderRefund,
    OrderStatus,
    OrderStatusHistory,
    ShippingZone,
    order_number_seq,
)
from authorhub.models.tag import Tag, book_tags
from authorhub.models.user import Role, User

__all__ = [
    "Base",
    "Book",
    "BookFormat",
    "BookStatus",
    "Cart",
    "CartItem",
    "Category",
    "Coupon",
    "CouponKind",
    "CouponRedemption",
    "CouponScope",
    "DownloadLog",
    "FormatKind",
    "LibraryEntry",
    "LibrarySource",
    "MailMessage",
    "MailStatus",
    "Model",
    "Order",
    "OrderLine",
    "OrderRefund",
    "OrderStatus",
    "OrderStatusHistory",
    "RedemptionStatus",
    "Role",
    "ShippingZone",
    "Tag",
    "User",
    "book_tags",
    "coupon_formats",
    "order_number_seq",
]
