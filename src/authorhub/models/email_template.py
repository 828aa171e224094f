"""Email templates the admin edits: transactional mails (verify_email, order_paid, ...) and
campaign layouts. A row overrides the file of the same name in mail/templates; without a row the
file is used. Rows are validated (compiled in the sandbox) before they are saved."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class TemplateKind(StrEnum):
    transactional = "transactional"
    campaign = "campaign"


class EmailTemplate(Model):
    __tablename__ = "email_templates"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[TemplateKind] = mapped_column(pg_enum(TemplateKind, "email_template_kind"))
    description: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # Sample values of the variables the template uses, for previews: {"name": "Ada", ...}.
    sample_data: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
