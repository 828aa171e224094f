"""What the catalog accepts and returns.

Public shapes never carry anything about a format's private file; the admin shape adds its
name, size and type (never its storage key).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

import orjson
from pydantic import (
    AnyHttpUrl,
    Field,
    StringConstraints,
    UrlConstraints,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from authorhub.books.isbn import InvalidISBN, normalize_isbn
from authorhub.kit.encoding import dumps as dumps
from authorhub.kit.encoding import envelope_json as envelope_json
from authorhub.kit.encoding import page_json as page_json
from authorhub.kit.pagination import MAX_LIMIT
from authorhub.kit.richtext import TextFormat
from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import BookStatus, FormatKind

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Prices are stored as PostgreSQL integers: ₦21 million is the ceiling, far above any book.
MAX_PRICE = 2_000_000_000

Slug = Annotated[str, StringConstraints(max_length=120, pattern=SLUG_PATTERN)]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
ImageUrl = Annotated[AnyHttpUrl, UrlConstraints(max_length=1000, allowed_schemes=["http", "https"])]
# What a visitor types into a search box. PostgreSQL text cannot hold a NUL character: refused
# here (422) instead of failing in the database (500).
SearchText = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


# --- reading ------------------------------------------------------------------------------------


class CategoryRef(ApiModel):
    id: uuid.UUID
    name: str
    slug: str


class TagRef(ApiModel):
    name: str
    slug: str


class FormatRead(ApiModel):
    """A format as everyone sees it: what it costs and whether it can be bought."""

    id: uuid.UUID
    format: FormatKind
    sku: str
    price_ngn: int
    price_usd: int | None = None
    stock: int | None = Field(None, description="copies left; null = unlimited (digital)")
    release_date: date | None = Field(
        None, description="when it is (or was) released; delivered on that day (UTC)"
    )
    preorder: bool = Field(False, description="sold as a preorder: paid now, delivered on release")
    preorder_remaining: int | None = Field(
        None, description="preorder places left under the cap; null when uncapped"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_free(self) -> bool:
        return self.price_ngn == 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0


class EbookFileInfo(ApiModel):
    name: str
    size: int | None
    content_type: str | None


class FormatAdminRead(FormatRead):
    is_active: bool
    preorder_cap: int | None = None
    preordered: int = Field(0, description="preorder places taken (paid or awaiting payment)")
    weight_grams: int | None
    file: EbookFileInfo | None = Field(None, description="the private ebook file (admins only)")


class BookSummary(ApiModel):
    id: uuid.UUID
    title: str
    subtitle: str | None
    slug: str
    author_name: str
    excerpt: str | None
    cover_image_url: str | None
    status: BookStatus
    featured: bool
    published_at: datetime | None
    sales_count: int
    min_price_ngn: int | None = Field(description="the cheapest active format, in kobo")
    average_rating: float | None = Field(description="mean stars of the visible reviews")
    review_count: int
    category: CategoryRef | None
    tags: list[TagRef]
    formats: list[FormatRead]
    release_date: date | None = Field(
        None, description="the earliest release date of a format sold as a preorder"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_free(self) -> bool:
        return self.min_price_ngn == 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def preorder(self) -> bool:
        return self.release_date is not None

    @model_validator(mode="after")
    def _unrated_is_null(self) -> Self:
        if not self.review_count:
            self.average_rating = None
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def in_stock(self) -> bool:
        return any(f.in_stock for f in self.formats)


class BookDetail(BookSummary):
    description: str = Field(description="sanitised HTML")
    isbn: str | None
    language: str
    page_count: int | None
    publisher: str | None
    publication_date: date | None
    back_cover_image_url: str | None
    seo_title: str | None
    seo_description: str | None
    created_at: datetime
    updated_at: datetime


class BookAdminDetail(BookDetail):
    """The admin's view: every format, active or not, with its file's name and size."""

    formats: list[FormatAdminRead]  # type: ignore[assignment]


class DeleteOutcome(StrEnum):
    deleted = "deleted"
    archived = "archived"  # it has been ordered: kept for the orders, hidden from the catalog


class BookDeleted(ApiModel):
    id: uuid.UUID
    outcome: DeleteOutcome


# --- listing ------------------------------------------------------------------------------------


class BookSort(StrEnum):
    newest = "newest"
    by_title = "title"  # (a member named "title" would hide str.title)
    price = "price"
    price_desc = "-price"
    bestselling = "bestselling"
    relevance = "relevance"  # only with q
    rating = "rating"  # best rated first (average stars, then number of reviews)


class StatusFilter(StrEnum):
    published = "published"
    draft = "draft"
    archived = "archived"
    all = "all"


class BookListQuery(ApiInput):
    """GET /api/books query. Unknown parameters and values are refused (422 names them)."""

    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    status: StatusFilter | None = Field(None, description="admins only, except 'published'")
    category: Slug | None = Field(None, description="category slug")
    tag: Slug | None = Field(None, description="tag slug")
    format: FormatKind | None = None
    min_price: int | None = Field(None, ge=0, le=MAX_PRICE, description="kobo")
    max_price: int | None = Field(None, ge=0, le=MAX_PRICE, description="kobo")
    free: bool | None = None
    featured: bool | None = None
    in_stock: bool | None = None
    preorder: bool | None = Field(
        None, description="true: books with a format on preorder (the original /api/preorders)"
    )
    q: SearchText | None = Field(None, max_length=200, description="full-text search")
    search: SearchText | None = Field(
        None, max_length=200, description="the original API's name for q"
    )
    sort: BookSort | None = Field(None, description="default: relevance with q, else newest")

    @field_validator("max_price")
    @classmethod
    def _max_not_below_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min_price")
        if value is not None and low is not None and value < low:
            raise ValueError("maxPrice must not be below minPrice")
        return value

    @field_validator("sort")
    @classmethod
    def _relevance_needs_q(cls, value: BookSort | None, info: ValidationInfo) -> BookSort | None:
        if value == BookSort.relevance and not (info.data.get("q") or info.data.get("search")):
            raise ValueError("sort=relevance needs q")
        return value

    @property
    def text(self) -> str | None:
        return (self.q or self.search or "").strip() or None

    @property
    def effective_sort(self) -> BookSort:
        return self.sort or (BookSort.relevance if self.text else BookSort.newest)

    def cache_key(self) -> str:
        """The same key for every spelling of the same request (q or search, default sort)."""
        parts = self.model_dump(
            mode="json", exclude={"q", "search", "sort", "status"}, exclude_none=True
        )
        parts |= {"text": self.text, "sort": self.effective_sort.value}
        return json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --- writing ------------------------------------------------------------------------------------


class FormatInput(ApiInput):
    """One format of a book, identified by its kind (a book has one format of each kind)."""

    format: FormatKind
    sku: str | None = Field(
        None,
        min_length=2,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="unique; generated when omitted",
    )
    price_ngn: int = Field(ge=0, le=MAX_PRICE, description="kobo; 0 = free")
    price_usd: int | None = Field(None, ge=0, le=MAX_PRICE, description="cents")
    stock: int | None = Field(
        None, ge=0, le=10_000_000, description="print formats only; null = unlimited"
    )
    weight_grams: int | None = Field(None, ge=1, le=50_000, description="print formats only")
    is_active: bool = True
    release_date: date | None = Field(
        None,
        description="sold as a preorder until this date (UTC), delivered on it; a new one must "
        "be after today, an earlier date for a format on preorder releases it sooner",
    )
    preorder_cap: int | None = Field(
        None, ge=0, le=1_000_000, description="how many may be preordered; null = no cap"
    )

    @field_validator("stock", "weight_grams")
    @classmethod
    def _print_only(cls, value: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("format")
        if value is not None and kind is not None and not kind.is_print:
            raise ValueError(f"{info.field_name} applies to print formats only")
        return value


def _isbn(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return normalize_isbn(value)
    except InvalidISBN as exc:
        raise ValueError(str(exc)) from exc


def _unique_kinds(formats: list[FormatInput] | None) -> list[FormatInput] | None:
    if formats is not None:
        kinds = [f.format for f in formats]
        if len(set(kinds)) != len(kinds):
            raise ValueError("each format kind may appear once")
    return formats


class BookCreate(ApiInput):
    title: str = Field(min_length=1, max_length=300)
    subtitle: str | None = Field(None, max_length=300)
    slug: Slug | None = Field(None, description="generated from the title when omitted")
    author_name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=100_000)
    description_format: TextFormat = "markdown"
    excerpt: str | None = Field(None, max_length=1000, description="plain text")
    isbn: str | None = Field(None, max_length=20, description="ISBN-10 or 13; stored as 13")
    language: str = Field("English", min_length=2, max_length=40)
    page_count: int | None = Field(None, ge=1, le=20_000)
    publisher: str | None = Field(None, max_length=200)
    publication_date: date | None = None
    cover_image_url: ImageUrl | None = None
    back_cover_image_url: ImageUrl | None = None
    category_id: uuid.UUID | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=20)
    status: BookStatus = BookStatus.draft
    featured: bool = False
    seo_title: str | None = Field(None, max_length=200)
    seo_description: str | None = Field(None, max_length=400)
    formats: list[FormatInput] = Field(default_factory=list, max_length=len(FormatKind))

    @field_validator("isbn")
    @classmethod
    def _normalize_isbn(cls, value: str | None) -> str | None:
        return _isbn(value)

    @field_validator("formats")
    @classmethod
    def _one_format_per_kind(cls, value: list[FormatInput] | None) -> list[FormatInput] | None:
        return _unique_kinds(value)


class BookUpdate(ApiInput):
    """PUT and PATCH: only the fields sent change. `formats`, when sent, is the whole list:
    kinds not listed are removed (deactivated instead when the book has been ordered)."""

    title: str | None = Field(None, min_length=1, max_length=300)
    subtitle: str | None = Field(None, max_length=300)
    slug: Slug | None = None
    author_name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=100_000)
    description_format: TextFormat = "markdown"
    excerpt: str | None = Field(None, max_length=1000)
    isbn: str | None = Field(None, max_length=20)
    language: str | None = Field(None, min_length=2, max_length=40)
    page_count: int | None = Field(None, ge=1, le=20_000)
    publisher: str | None = Field(None, max_length=200)
    publication_date: date | None = None
    cover_image_url: ImageUrl | None = None
    back_cover_image_url: ImageUrl | None = None
    category_id: uuid.UUID | None = None
    tags: list[TagName] | None = Field(None, max_length=20)
    status: BookStatus | None = None
    featured: bool | None = None
    seo_title: str | None = Field(None, max_length=200)
    seo_description: str | None = Field(None, max_length=400)
    formats: list[FormatInput] | None = Field(None, max_length=len(FormatKind))

    @field_validator(
        "title", "slug", "author_name", "description", "language", "tags", "status",
        "featured", "formats",
    )  # fmt: skip
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        # Validators run only for fields that were sent: an explicit null lands here.
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null")
        return value

    @field_validator("isbn")
    @classmethod
    def _normalize_isbn(cls, value: str | None) -> str | None:
        return _isbn(value)

    @field_validator("formats")
    @classmethod
    def _one_format_per_kind(cls, value: list[FormatInput] | None) -> list[FormatInput] | None:
        return _unique_kinds(value)


# --- serialisation --------------------------------------------------------------------------------
# The public reads are the hottest paths of the platform: their rows come from PostgreSQL
# already typed (formats and tags as JSON in the API's shape), so they are turned into the
# documented shapes (BookSummary, BookDetail) by renaming keys and adding the two derived
# flags, and encoded with orjson, instead of being validated again field by field. A test
# checks that the result validates as the documented model and serialises identically.


def _aliases(model: type[ApiModel], nested: set[str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, field.alias or name)
        for name, field in model.model_fields.items()
        if name not in nested
    )


_NESTED = {"category", "tags", "formats"}
_SUMMARY_KEYS = _aliases(BookSummary, _NESTED)
_DETAIL_KEYS = _aliases(BookDetail, _NESTED)


def book_item(row: dict[str, Any], *, detail: bool = False) -> dict[str, Any]:
    """A BookSummary (or BookDetail) as a JSON-ready dict, from a catalog read's row."""
    item = {alias: row[name] for name, alias in (_DETAIL_KEYS if detail else _SUMMARY_KEYS)}
    category_id = row["category_id"]
    item["category"] = (
        {"id": category_id, "name": row["category_name"], "slug": row["category_slug"]}
        if category_id is not None
        else None
    )
    # Tags and formats arrive as JSON text in their documented shape: passed through as is.
    item["tags"] = orjson.Fragment(row["tags"])
    item["formats"] = orjson.Fragment(row["formats"])
    item["isFree"] = row["min_price_ngn"] == 0
    item["inStock"] = row["in_stock"]
    item["preorder"] = row["release_date"] is not None
    if not row["review_count"]:
        item["averageRating"] = None  # unrated, not rated zero
    else:
        # numeric(3,2): a float whichever driver read it (the lean path's asyncpg gives Decimal).
        item["averageRating"] = float(row["average_rating"])
    return item
