"""The shared Pydantic base models and the success envelope.

JSON keys are camelCase on the wire (and accepted as camelCase or snake_case on input);
Python code uses snake_case. Success bodies are {"success": true, "data": ...}; lists add
{"pagination": {"page", "limit", "total", "totalPages"}}.
"""

from __future__ import annotations

import math
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class ApiModel(BaseModel):
    """Base for every response model (and for nested parts of requests)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
        ser_json_timedelta="float",
    )


class ApiInput(ApiModel):
    """Base for request bodies: unknown fields are rejected (422 names them), never ignored,
    so a typo or an attempt to set a protected field never passes silently. PostgreSQL text
    cannot hold a NUL character, so a string carrying one is a 422 naming its field rather than
    a 500 from the database."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object, info: ValidationInfo) -> object:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError(f"{info.field_name} must not contain a NUL character")
        return value


class Pagination(ApiModel):
    page: int
    limit: int
    total: int
    total_pages: int

    @classmethod
    def of(cls, *, page: int, limit: int, total: int) -> Pagination:
        return cls(
            page=page,
            limit=limit,
            total=total,
            total_pages=math.ceil(total / limit) if total else 0,
        )


class Envelope(ApiModel, Generic[T]):
    success: Literal[True] = True
    data: T


class Page(ApiModel, Generic[T]):
    success: Literal[True] = True
    data: list[T]
    pagination: Pagination


class Message(ApiModel):
    message: str


def ok(data: T) -> Envelope[T]:
    return Envelope[T](data=data)
