"""Every table's model, imported here so Alembic sees the whole schema.

Add one import line per new model module.
"""

from authorhub.models.audit_log import AuditLog
from authorhub.models.auth_session import AuthSession, RefreshToken
from authorhub.models.base import Base, Model
from authorhub.models.book import Book, BookCount, BookFormat, BookStatus, FormatKind
from authorhub.models.cart import Cart, CartItem
from authorhub.models.category import Category
from authorhub.models.certificate import Certificate
from authorhub.models.coupon import (
    Coupon,
    CouponKind,
    CouponRedemption,
    CouponScope,
    RedemptionStatus,
    coupon_formats,
)
from authorhub.models.course import Course, CourseLevel
from authorhub.models.course_module import CourseModule
from authorhub.models.course_review import CourseReview
from authorhub.models.email_token import EmailToken, EmailTokenPurpose
from authorhub.models.enrollment import Enrollment, EnrollmentSource
from authorhub.models.lesson import Lesson
from authorhub.models.lesson_attachment import LessonAttachment
from authorhub.models.lesson_completion import LessonCompletion
from authorhub.models.library import DownloadLog, LibraryEntry, LibrarySource
from authorhub.models.mail_message import MailMessage, MailStatus
from authorhub.models.oauth_account import OAuthAccount
from authorhub.models.order import (
    Order,
    OrderLine,
    OrderRefund,
    OrderStatus,
    OrderStatusHistory,
    ShippingZone,
    order_number_seq,
)
from authorhub.models.payment import SETTLED_STATUSES, Payment, PaymentStatus
from authorhub.models.payment_event import PaymentEvent
from authorhub.models.payment_refund import OPEN_REFUND_STATES, PaymentRefund, RefundState
from authorhub.models.provider_call import ProviderCallRecord
from authorhub.models.quiz import Quiz
from authorhub.models.quiz_attempt import QuizAttempt
from authorhub.models.quiz_option import QuizOption
from authorhub.models.quiz_question import QuizQuestion
from authorhub.models.tag import Tag, book_tags
from authorhub.models.user import Role, User

__all__ = [
    "OPEN_REFUND_STATES",
    "SETTLED_STATUSES",
    "AuditLog",
    "AuthSession",
    "Base",
    "Book",
    "BookCount",
    "BookFormat",
    "BookStatus",
    "Cart",
    "CartItem",
    "Category",
    "Certificate",
    "Coupon",
    "CouponKind",
    "CouponRedemption",
    "CouponScope",
    "Course",
    "CourseLevel",
    "CourseModule",
    "CourseReview",
    "DownloadLog",
    "EmailToken",
    "EmailTokenPurpose",
    "Enrollment",
    "EnrollmentSource",
    "FormatKind",
    "Lesson",
    "LessonAttachment",
    "LessonCompletion",
    "LibraryEntry",
    "LibrarySource",
    "MailMessage",
    "MailStatus",
    "Model",
    "OAuthAccount",
    "Order",
    "OrderLine",
    "OrderRefund",
    "OrderStatus",
    "OrderStatusHistory",
    "Payment",
    "PaymentEvent",
    "PaymentRefund",
    "PaymentStatus",
    "ProviderCallRecord",
    "Quiz",
    "QuizAttempt",
    "QuizOption",
    "QuizQuestion",
    "RedemptionStatus",
    "RefreshToken",
    "RefundState",
    "Role",
    "ShippingZone",
    "Tag",
    "User",
    "book_tags",
    "coupon_formats",
    "order_number_seq",
]
