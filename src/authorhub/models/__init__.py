"""Every table's model, imported here so Alembic sees the whole schema.

Add one import line per new model module.
"""

from authorhub.models.base import Base, Model
from authorhub.models.mail_message import MailMessage, MailStatus
from authorhub.models.user import Role, User

__all__ = ["Base", "MailMessage", "MailStatus", "Model", "Role", "User"]
