"""Every table's model, imported here so Alembic sees the whole schema.

Add one import line per new model module.
"""

from authorhub.models.audit_log import AuditLog
from authorhub.models.auth_session import AuthSession, RefreshToken
from authorhub.models.base import Base, Model
from authorhub.models.blog_category import BlogCategory
from authorhub.models.blog_comment import BlogComment, CommentStatus
from authorhub.models.blog_comment_ban import BlogCommentBan
from authorhub.models.blog_comment_like import BlogCommentLike
from authorhub.models.blog_comment_report import BlogCommentReport
from authorhub.models.blog_post import BlogPost, PostFormat, PostStatus
from authorhub.models.book import Book, BookCount, BookFormat, BookStatus, FormatKind
from authorhub.models.cart import Cart, CartItem
from authorhub.models.category import Category
from authorhub.models.certificate import Certificate
from authorhub.models.community_member import CommunityMember
from authorhub.models.community_notification import CommunityNotification, NotificationKind
from authorhub.models.community_report import CommunityReport, ReportReason
from authorhub.models.community_review_item import ReviewItem, ReviewStatus
from authorhub.models.community_watched_word import WatchedWord, WatchedWordAction
from authorhub.models.coupon import (
    Coupon,
    CouponItem,
    CouponKind,
    CouponRedemption,
    CouponScope,
    RedemptionStatus,
)
from authorhub.models.course import Course, CourseLevel
from authorhub.models.course_module import CourseModule
from authorhub.models.course_review import CourseReview
from authorhub.models.discussion import CommunityPostStatus, Discussion
from authorhub.models.discussion_category import DiscussionCategory
from authorhub.models.discussion_follow import DiscussionFollow
from authorhub.models.discussion_like import DiscussionLike
from authorhub.models.discussion_reply import DiscussionReply
from authorhub.models.discussion_revision import DiscussionRevision
from authorhub.models.email_template import EmailTemplate, TemplateKind
from authorhub.models.email_token import EmailToken, EmailTokenPurpose
from authorhub.models.enrollment import Enrollment, EnrollmentSource
from authorhub.models.event import Event, EventStatus, EventType, RefundPolicy
from authorhub.models.event_reminder import EventReminder
from authorhub.models.event_ticket import EventTicket, TicketStatus
from authorhub.models.event_ticket_tier import EventTicketTier
from authorhub.models.event_waitlist_entry import EventWaitlistEntry, WaitlistStatus
from authorhub.models.lesson import Lesson
from authorhub.models.lesson_attachment import LessonAttachment
from authorhub.models.lesson_completion import LessonCompletion
from authorhub.models.library import DownloadLog, LibraryEntry, LibrarySource
from authorhub.models.magic_link import MagicLink
from authorhub.models.mail_message import MailMessage, MailStatus
from authorhub.models.newsletter_campaign import CampaignStatus, NewsletterCampaign
from authorhub.models.newsletter_delivery import DeliveryStatus, NewsletterDelivery
from authorhub.models.newsletter_subscriber import NewsletterSubscriber, SubscriberStatus
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
from authorhub.models.reading_progress import ReadingProgress
from authorhub.models.review import Review
from authorhub.models.review_report import ReviewReport
from authorhub.models.review_vote import ReviewVote
from authorhub.models.sales import SalesDay, SalesItemDay
from authorhub.models.tag import Tag, book_tags
from authorhub.models.upload import Upload
from authorhub.models.user import Role, User
from authorhub.models.wishlist_item import WishlistItem

__all__ = [
    "OPEN_REFUND_STATES",
    "SETTLED_STATUSES",
    "AuditLog",
    "AuthSession",
    "Base",
    "BlogCategory",
    "BlogComment",
    "BlogCommentBan",
    "BlogCommentLike",
    "BlogCommentReport",
    "BlogPost",
    "Book",
    "BookCount",
    "BookFormat",
    "BookStatus",
    "CampaignStatus",
    "Cart",
    "CartItem",
    "Category",
    "Certificate",
    "CommentStatus",
    "CommunityMember",
    "CommunityNotification",
    "CommunityPostStatus",
    "CommunityReport",
    "Coupon",
    "CouponItem",
    "CouponKind",
    "CouponRedemption",
    "CouponScope",
    "Course",
    "CourseLevel",
    "CourseModule",
    "CourseReview",
    "DeliveryStatus",
    "Discussion",
    "DiscussionCategory",
    "DiscussionFollow",
    "DiscussionLike",
    "DiscussionReply",
    "DiscussionRevision",
    "DownloadLog",
    "EmailTemplate",
    "EmailToken",
    "EmailTokenPurpose",
    "Enrollment",
    "EnrollmentSource",
    "Event",
    "EventReminder",
    "EventStatus",
    "EventTicket",
    "EventTicketTier",
    "EventType",
    "EventWaitlistEntry",
    "FormatKind",
    "Lesson",
    "LessonAttachment",
    "LessonCompletion",
    "LibraryEntry",
    "LibrarySource",
    "MagicLink",
    "MailMessage",
    "MailStatus",
    "Model",
    "NewsletterCampaign",
    "NewsletterDelivery",
    "NewsletterSubscriber",
    "NotificationKind",
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
    "PostFormat",
    "PostStatus",
    "ProviderCallRecord",
    "Quiz",
    "QuizAttempt",
    "QuizOption",
    "QuizQuestion",
    "ReadingProgress",
    "RedemptionStatus",
    "RefreshToken",
    "RefundPolicy",
    "RefundState",
    "ReportReason",
    "Review",
    "ReviewItem",
    "ReviewReport",
    "ReviewStatus",
    "ReviewVote",
    "Role",
    "SalesDay",
    "SalesItemDay",
    "ShippingZone",
    "SubscriberStatus",
    "Tag",
    "TemplateKind",
    "TicketStatus",
    "Upload",
    "User",
    "WaitlistStatus",
    "WatchedWord",
    "WatchedWordAction",
    "WishlistItem",
    "book_tags",
    "order_number_seq",
]
