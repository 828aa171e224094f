"""Every image uploaded to the public store, so files nobody uses can be found and removed.

A row is written when a file is stored. A daily job deletes, after a day, the files of folders
whose references it knows (avatars: users.avatar_url; book covers: books.*_image_url) that no
row refers to any more; see authorhub.media.cleanup.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class Upload(Model):
    __tablename__ = "uploads"
    __table_args__ = (
        Index("uq_uploads_url", "url", unique=True),
        Index("ix_uploads_folder_created_at", "folder", "created_at"),
        Index("ix_uploads_user_id", "user_id"),
    )

    # Who uploaded it (kept as NULL when the account is deleted: the file is still swept).
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    folder: Mapped[str] = mapped_column(String(32))
    storage: Mapped[str] = mapped_column(String(32))  # "local" or "imagekit"
    key: Mapped[str] = mapped_column(String(500))  # what the store needs to delete it
    url: Mapped[str] = mapped_column(String(1000))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
