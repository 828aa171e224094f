"""Every table's model, imported here so Alembic sees the whole schema.

Add one import line per new model module.
"""

from authorhub.models.base import Base, Model
from authorhub.models.book import Book, BookFormat, BookStatus, FormatKind
from authorhub.models.category import Category
from authorhub.models.mail_message import MailMessage, MailStatus
from authorhub.models.tag import Tag, book_tags
from authorhub.models.user import Role, User

__all__ = [
    "Base",
    "Book",
    "BookFormat",
    "BookStatus",
    "Category",
    "FormatKind",
    "MailMessage",
    "MailStatus",
    "Model",
    "Role",
    "Tag",
    "User",
    "book_tags",
]
