"""Bodies and answers of /api/admin/email-templates."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import TemplateKind


class TemplateRead(ApiModel):
    name: str
    kind: TemplateKind
    description: str | None
    subject: str
    text_body: str
    html_body: str
    sample_data: dict[str, Any]
    variables: list[str] = Field(description="the variables the mail gets (names of sampleData)")
    source: Literal["database", "file"] = Field(description="file: the default, never edited")
    has_default: bool = Field(description="a file default exists (DELETE reverts to it)")
    id: uuid.UUID | None = None
    updated_at: datetime | None = None


class TemplateSave(ApiInput):
    subject: str = Field(min_length=1, max_length=2000)
    text_body: str = Field(min_length=1, max_length=200_000)
    html_body: str = Field(min_length=1, max_length=500_000)
    description: str | None = Field(None, max_length=500)
    sample_data: dict[str, Any] | None = Field(
        None, description="sample values for previews (merged over the defaults)"
    )


class TemplateCreate(TemplateSave):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,99}$", description="lowercase, digits, _")
    kind: TemplateKind = TemplateKind.campaign


class PreviewRequest(ApiInput):
    sample_data: dict[str, Any] = Field(default_factory=dict)
    # Preview unsaved sources: any part given replaces the stored one.
    subject: str | None = Field(None, max_length=2000)
    text_body: str | None = Field(None, max_length=200_000)
    html_body: str | None = Field(None, max_length=500_000)


class PreviewRead(ApiModel):
    subject: str
    text_body: str
    html_body: str
