"""What the original pages send. Unknown fields are ignored here, and only here (the original
sends amounts, currencies and gateways we do not take: prices always come from the catalog)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from authorhub.kit.schemas import ApiInput
from authorhub.users.schemas import AnyPassword, Email, NewPassword, PersonName, Phone

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


class OriginalInput(ApiInput):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class OriginalBookChoice(OriginalInput):
    """POST /api/cart and POST /api/orders: a book and the format word the original sends."""

    book_id: uuid.UUID
    format: ShortText | None = Field(None, description='"PDF" (an ebook), "paperback", ...')
    quantity: int = Field(1, ge=1, le=100)


class OriginalPaymentStart(OriginalInput):
    order_id: uuid.UUID
    gateway: ShortText | None = None
    payment_method: ShortText | None = None  # the original server's name for gateway


class OriginalWishlistChange(OriginalInput):
    book_id: uuid.UUID
    action: Literal["add", "remove"] = "add"


class OriginalProfile(OriginalInput):
    name: PersonName | None = None
    bio: Annotated[str, StringConstraints(max_length=500)] | None = None
    phone: Phone | None = None


class OriginalPasswordChange(OriginalInput):
    current_password: AnyPassword
    new_password: NewPassword
    confirm_password: str | None = None


class MagicLinkRequest(OriginalInput):
    name: PersonName
    email: Email
    phone: Annotated[str, StringConstraints(max_length=32)] | None = None
    book_id: uuid.UUID
    newsletter: bool = Field(False, description="the reader agrees to receive the newsletter")
