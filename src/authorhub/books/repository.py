"""Every query of the catalog.

The list, search and detail reads are single statements: the page of books with its category,
and each book's active formats and tags aggregated as JSON by PostgreSQL (no N+1), plus the
total, read from `book_counts` when only the status filters (no count(*) per request).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from authorhub.books.schemas import BookSort
from authorhub.models import (
    Book,
    BookCount,
    BookFormat,
    BookStatus,
    Category,
    FormatKind,
    OrderLine,
    Tag,
)
from authorhub.models.tag import book_tags

ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")
SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")


@dataclass(frozen=True, slots=True)
class BookFilter:
    """A validated listing request in database terms (ids, not slugs)."""

    statuses: tuple[BookStatus, ...] = (BookStatus.published,)
    category_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    format: FormatKind | None = None
    min_price: int | None = None
    max_price: int | None = None
    free: bool | None = None
    featured: bool | None = None
    in_stock: bool | None = None
    preorder: bool | None = None
    text: str | None = None
    sort: BookSort = BookSort.newest
    limit: int = 20
    offset: int = 0
    # Search ranks at most this many of the matches (see _bounded_page); None ranks them all.
    candidates: int | None = None

    @property
    def only_status(self) -> bool:
        """True when nothing but the status narrows the list (its total is in book_counts)."""
        return not any(
            value is not None
            for value in (
                self.category_id,
                self.tag_id,
                self.format,
                self.min_price,
                self.max_price,
                self.free,
                self.featured,
                self.in_stock,
                self.preorder,
                self.text,
            )
        )


def text_query(text_value: str | ColumnElement[str]) -> ColumnElement[Any]:
    """websearch syntax: words, "quoted phrases", -exclusions, or."""
    return func.websearch_to_tsquery(ENGLISH, text_value)


def _conditions(f: BookFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if len(f.statuses) == 1:
        where.append(Book.status == f.statuses[0])
    elif len(f.statuses) < len(BookStatus):
        where.append(Book.status.in_(f.statuses))
    if f.category_id is not None:
        where.append(Book.category_id == f.category_id)
    if f.tag_id is not None:
        where.append(exists().where(book_tags.c.book_id == Book.id, book_tags.c.tag_id == f.tag_id))
    if f.featured is not None:
        # Plain "featured" (not "featured IS true") so the partial index on featured applies.
        where.append(Book.featured.expression if f.featured else ~Book.featured)
    if f.text is not None:
        where.append(Book.search_vector.op("@@")(text_query(f.text)))

    # Format conditions hold for one and the same format: "an in-stock paperback under ₦5,000".
    on_format: list[ColumnElement[bool]] = []
    if f.format is not None:
        on_format.append(BookFormat.format == f.format)
    if f.min_price is not None:
        on_format.append(BookFormat.price_ngn >= f.min_price)
    if f.max_price is not None:
        on_format.append(BookFormat.price_ngn <= f.max_price)
    if f.in_stock is True:
        on_format.append(or_(BookFormat.stock.is_(None), BookFormat.stock > 0))
    if f.preorder is True:
        on_format.append(is_preorder())
    if f.free is True:
        if on_format:
            on_format.append(BookFormat.price_ngn == 0)
        else:
            # Free alone is "the cheapest active format costs nothing": an index on books.
            where.append(Book.min_price_ngn == 0)
    if on_format:
        where.append(
            exists().where(BookFormat.book_id == Book.id, BookFormat.is_active, *on_format)
        )
    if f.free is False:
        where.append(Book.min_price_ngn > 0)
    if f.in_stock is False:
        where.append(
            ~exists().where(
                BookFormat.book_id == Book.id,
                BookFormat.is_active,
                or_(BookFormat.stock.is_(None), BookFormat.stock > 0),
            )
        )
    if f.preorder is False:
        where.append(
            ~exists().where(BookFormat.book_id == Book.id, BookFormat.is_active, is_preorder())
        )
    return where


# A sort is a list of (column, descending); id last keeps pages stable. Each one is served by
# an index on books (status, <column>, id), scanned forwards or backwards.
OrderKey = tuple[str, bool]


def _order(f: BookFilter) -> list[OrderKey]:
    match f.sort:
        case BookSort.by_title:
            return [("title", False), ("id", False)]
        case BookSort.price:
            return [("min_price_ngn", False), ("id", False)]
        case BookSort.price_desc:
            return [("min_price_ngn", True), ("id", True)]
        case BookSort.bestselling:
            return [("sales_count", True), ("id", True)]
        case BookSort.rating:
            return [("average_rating", True), ("review_count", True), ("id", True)]
        case BookSort.relevance if f.text is not None:
            return [("rank", True), ("sales_count", True), ("id", True)]
        case _:
            # Public "newest" is the publication on the site; drafts have none yet.
            if f.statuses == (BookStatus.published,):
                return [("published_at", True), ("id", True)]
            return [("created_at", True), ("id", True)]


def _order_by(keys: list[OrderKey], columns: Any) -> list[ColumnElement[Any]]:
    return [columns[name].desc() if desc else columns[name].asc() for name, desc in keys]


def _total(f: BookFilter, where: list[ColumnElement[bool]]) -> ColumnElement[Any]:
    if f.only_status:
        counted = (
            select(func.coalesce(func.sum(BookCount.total), 0))
            .where(
                BookCount.status == f.statuses[0]
                if len(f.statuses) == 1
                else BookCount.status.in_(f.statuses)
            )
            .scalar_subquery()
        )
    else:
        counted = select(func.count()).select_from(Book).where(*where).scalar_subquery()
    return counted


_SUMMARY_COLUMNS = (
    "id", "title", "subtitle", "slug", "author_name", "excerpt", "cover_image_url", "status",
    "featured", "published_at", "sales_count", "min_price_ngn", "average_rating", "review_count",
)  # fmt: skip
_DETAIL_COLUMNS = (
    "description", "isbn", "language", "page_count", "publisher", "publication_date",
    "back_cover_image_url", "seo_title", "seo_description", "created_at", "updated_at",
)  # fmt: skip


def _key(name: str) -> ColumnElement[Any]:
    return literal_column(f"'{name}'")


def today_utc() -> ColumnElement[Any]:
    """Today's date in UTC, as PostgreSQL sees it (a format is a preorder until its release
    date; both read paths and checkout judge it by the database's clock)."""
    return cast(func.timezone("UTC", func.now()), Date)


def is_preorder() -> ColumnElement[bool]:
    return and_(BookFormat.release_date.is_not(None), BookFormat.release_date > today_utc())


def _formats_json(book_id: Any) -> ColumnElement[Any]:
    """The book's active formats as JSON, already in the API's shape (FormatRead)."""
    stock = BookFormat.stock
    preorder = is_preorder()
    remaining = case(
        (
            and_(preorder, BookFormat.preorder_cap.is_not(None)),
            func.greatest(BookFormat.preorder_cap - BookFormat.preordered, 0),
        ),
        else_=None,
    )
    item = func.json_build_object(
        _key("id"), BookFormat.id, _key("format"), BookFormat.format, _key("sku"), BookFormat.sku,
        _key("priceNgn"), BookFormat.price_ngn, _key("priceUsd"), BookFormat.price_usd,
        _key("stock"), stock, _key("releaseDate"), BookFormat.release_date,
        _key("preorder"), preorder, _key("preorderRemaining"), remaining,
        _key("isFree"), BookFormat.price_ngn == 0,
        _key("inStock"), or_(stock.is_(None), stock > 0),
    )  # fmt: skip
    formats = func.json_agg(aggregate_order_by(item, BookFormat.price_ngn, BookFormat.format))
    return (
        # As text: it goes into the response as it is, never parsed on the way.
        select(cast(func.coalesce(formats, text("'[]'::json")), Text))
        .where(BookFormat.book_id == book_id, BookFormat.is_active)
        .scalar_subquery()
        .label("formats")
    )


def _release_date(book_id: Any) -> ColumnElement[Any]:
    """The earliest release date of the book's active formats sold as preorders (NULL: none)."""
    return (
        select(func.min(BookFormat.release_date))
        .where(BookFormat.book_id == book_id, BookFormat.is_active, is_preorder())
        .scalar_subquery()
        .label("release_date")
    )


def _in_stock(book_id: Any) -> ColumnElement[Any]:
    return (
        exists()
        .where(
            BookFormat.book_id == book_id,
            BookFormat.is_active,
            or_(BookFormat.stock.is_(None), BookFormat.stock > 0),
        )
        .label("in_stock")
    )


def _tags_json(book_id: Any) -> ColumnElement[Any]:
    """The book's tags as JSON (TagRef), by name."""
    item = func.json_build_object(_key("name"), Tag.name, _key("slug"), Tag.slug)
    tags = func.json_agg(aggregate_order_by(item, Tag.name))
    return (
        select(cast(func.coalesce(tags, text("'[]'::json")), Text))
        .select_from(book_tags.join(Tag, Tag.id == book_tags.c.tag_id))
        .where(book_tags.c.book_id == book_id)
        .scalar_subquery()
        .label("tags")
    )


# Values that change from request to request are bound parameters; everything else (which
# filters are present, the sort, the statuses) is the statement's *shape*. Each shape is built
# once and reused, so a request pays neither for building the SQL nor for compiling it.
_BOUND_TYPES: dict[str, Any] = {
    "category_id": Uuid(),
    "tag_id": Uuid(),
    "format": BookFormat.__table__.c.format.type,
    "min_price": Integer(),
    "max_price": Integer(),
    "text": String(),
}


def list_statement(f: BookFilter) -> tuple[Select[Any], dict[str, Any]]:
    """The statement for this filter's shape and the parameters to run it with."""
    present = tuple(name for name in _BOUND_TYPES if getattr(f, name) is not None)
    bounded = f.candidates is not None and f.text is not None and f.sort == BookSort.relevance
    statement = _list_statement(
        f.statuses, present, f.free, f.featured, f.in_stock, f.preorder, f.sort, bounded
    )
    params = {name: getattr(f, name) for name in present}
    if bounded:
        params["candidate_limit"] = f.candidates
    return statement, params | {"page_limit": f.limit, "page_offset": f.offset}


def candidates_for(offset: int, limit: int, step: int) -> int:
    """How many matches a bounded search ranks for this page: `step`, or the next multiple of
    it that reaches the page's end (pages 1 to step/limit share one candidate set, so they
    neither repeat nor skip a book)."""
    return step * -(-(offset + limit) // step)


PUBLIC_STATUSES: tuple[BookStatus, ...] = (BookStatus.published,)


def _category_join(category_id: Any, statuses: tuple[BookStatus, ...]) -> ColumnElement[bool]:
    """The public sees a book's category only while it is active (inactive categories are
    hidden from the public); admins' listings show it whatever its state."""
    if statuses == PUBLIC_STATUSES:
        return and_(Category.id == category_id, Category.is_active)
    return Category.id == category_id


@lru_cache(maxsize=256)
def _list_statement(
    statuses: tuple[BookStatus, ...],
    present: tuple[str, ...],
    free: bool | None,
    featured: bool | None,
    in_stock: bool | None,
    preorder: bool | None,
    sort: BookSort,
    bounded: bool = False,
) -> Select[Any]:
    """The page of books for a filter shape, with each book's category, formats, tags, and the
    total of the whole list (every row carries it). The page is chosen first, so the JSON
    aggregates run for its rows only. `bounded` (a search by relevance): see _bounded_page."""
    bound: dict[str, Any] = {name: bindparam(name, type_=_BOUND_TYPES[name]) for name in present}
    f = BookFilter(
        statuses=statuses,
        free=free,
        featured=featured,
        in_stock=in_stock,
        preorder=preorder,
        sort=sort,
        **bound,
    )
    where = _conditions(f)
    order = _order(f)
    columns: dict[str, Any] = {name: getattr(Book, name) for name in _SUMMARY_COLUMNS}
    columns |= {"category_id": Book.category_id, "created_at": Book.created_at}
    if f.text is not None:
        columns["rank"] = func.ts_rank(Book.search_vector, text_query(f.text))
    labelled = [column.label(name) for name, column in columns.items()]
    if bounded:
        assert f.text is not None
        page, total, estimated = _bounded_page(labelled, where, order, f.text)
    else:
        page = (
            select(*labelled)
            .where(*where)
            .order_by(*_order_by(order, columns))
            .limit(bindparam("page_limit", type_=Integer()))
            .offset(bindparam("page_offset", type_=Integer()))
            .subquery("page")
        )
        total, estimated = _total(f, where), literal_column("false")
    return (
        select(
            *(page.c[name] for name in _SUMMARY_COLUMNS),
            *((page.c.rank,) if f.text is not None else ()),
            Category.id.label("category_id"),
            Category.name.label("category_name"),
            Category.slug.label("category_slug"),
            _formats_json(page.c.id),
            _in_stock(page.c.id),
            _release_date(page.c.id),
            _tags_json(page.c.id),
            total.label("total"),
            estimated.label("total_is_estimate"),
        )
        .select_from(page.outerjoin(Category, _category_join(page.c.category_id, statuses)))
        .order_by(*_order_by(order, page.c))
    )


def _bounded_page(
    labelled: list[Any], where: list[ColumnElement[bool]], order: list[OrderKey], text: Any
) -> tuple[Any, ColumnElement[Any], ColumnElement[Any]]:
    """A search's page cut from at most :candidate_limit matches, ranked, and its total.

    Ranking every match is O(matches): a word in 5% of 100,000 titles costs PostgreSQL ~20 ms
    per request. Here the GIN index yields the matches and the scan stops after the first
    :candidate_limit (table order), which are then ranked. A word found in fewer books than that
    is ranked whole, exactly as before; for more, the total is the planner's estimate of the
    matches (estimated_published_matches, migration 0016) and `total_is_estimate` says so."""
    candidates = (
        select(*labelled)
        .where(*where)
        .limit(bindparam("candidate_limit", type_=Integer()))
        .cte("candidates")  # read twice (the page and the count): PostgreSQL materialises it
    )
    page = (
        select(candidates)
        .order_by(*_order_by(order, candidates.c))
        .limit(bindparam("page_limit", type_=Integer()))
        .offset(bindparam("page_offset", type_=Integer()))
        .subquery("page")
    )
    found = select(func.count()).select_from(candidates).scalar_subquery()
    capped = found >= bindparam("candidate_limit", type_=Integer())
    estimate = func.estimated_published_matches(text_query(text))
    total = case((capped, func.greatest(found, estimate)), else_=found)
    return page, total, capped


@lru_cache(maxsize=256)
def _total_statement(
    statuses: tuple[BookStatus, ...],
    present: tuple[str, ...],
    free: bool | None,
    featured: bool | None,
    in_stock: bool | None,
    preorder: bool | None,
) -> Select[Any]:
    bound: dict[str, Any] = {name: bindparam(name, type_=_BOUND_TYPES[name]) for name in present}
    f = BookFilter(
        statuses=statuses,
        free=free,
        featured=featured,
        in_stock=in_stock,
        preorder=preorder,
        **bound,
    )
    return select(_total(f, _conditions(f)))


async def list_books(session: AsyncSession, f: BookFilter) -> tuple[list[dict[str, Any]], int]:
    """The page (rows as dicts) and the total of the whole list."""
    statement, params = list_statement(f)
    result = await session.execute(statement, params)
    keys = list(result.keys())
    rows = [dict(zip(keys, row, strict=True)) for row in result]
    if rows:
        return rows, int(rows[0]["total"])
    # Past the last page no row carries the total: ask for it alone.
    present = tuple(name for name in _BOUND_TYPES if getattr(f, name) is not None)
    count = _total_statement(f.statuses, present, f.free, f.featured, f.in_stock, f.preorder)
    return rows, int(await session.scalar(count, {n: getattr(f, n) for n in present}) or 0)


@lru_cache(maxsize=2)
def detail_statement(by: Literal["id", "slug"]) -> Select[Any]:
    """One book with its category, active formats and tags; run with {"ref": id or slug}."""
    ref = bindparam("ref", type_=Uuid() if by == "id" else String())
    return (
        select(
            *(getattr(Book, name) for name in (*_SUMMARY_COLUMNS, *_DETAIL_COLUMNS)),
            Category.id.label("category_id"),
            Category.name.label("category_name"),
            Category.slug.label("category_slug"),
            _formats_json(Book.id),
            _in_stock(Book.id),
            _release_date(Book.id),
            _tags_json(Book.id),
        )
        .outerjoin(Category, _category_join(Book.category_id, PUBLIC_STATUSES))
        .where(Book.id == ref if by == "id" else Book.slug == ref)
    )


async def get_book_row(
    session: AsyncSession, *, book_id: uuid.UUID | None, slug: str | None
) -> dict[str, Any] | None:
    if book_id is not None:
        result = await session.execute(detail_statement("id"), {"ref": book_id})
    else:
        result = await session.execute(detail_statement("slug"), {"ref": slug})
    row = result.first()
    return dict(zip(result.keys(), row, strict=True)) if row is not None else None


# --- admin reads and writes ---------------------------------------------------------------------


async def get_book_for_admin(
    session: AsyncSession, book_id: uuid.UUID, *, lock: bool = False
) -> Book | None:
    """The book with its category, every format and its tags, freshly read (triggers may have
    changed columns since the session last saw it). `lock` takes the row lock that serialises
    concurrent edits of one book."""
    query = (
        select(Book)
        .where(Book.id == book_id)
        .options(joinedload(Book.category), selectinload(Book.formats), selectinload(Book.tags))
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update(of=Book)
    return (await session.scalars(query)).unique().one_or_none()


async def find_book_id(
    session: AsyncSession, *, book_id: uuid.UUID | None, slug: str | None
) -> uuid.UUID | None:
    book_filter = Book.id == book_id if book_id is not None else Book.slug == slug
    return await session.scalar(select(Book.id).where(book_filter))


async def taken_slugs(session: AsyncSession, base: str) -> set[str]:
    """Slugs in use that are `base` or `base-<n>` (slugs hold only a-z, 0-9 and hyphens, so the
    LIKE pattern has no wildcard to escape)."""
    rows = await session.scalars(
        select(Book.slug).where(or_(Book.slug == base, Book.slug.like(f"{base}-%")))
    )
    return set(rows)


async def slug_in_use(session: AsyncSession, slug: str, *, other_than: uuid.UUID | None) -> bool:
    return await _in_use(session, Book.slug == slug, other_than)


async def isbn_in_use(session: AsyncSession, isbn: str, *, other_than: uuid.UUID | None) -> bool:
    return await _in_use(session, Book.isbn == isbn, other_than)


async def _in_use(
    session: AsyncSession, condition: ColumnElement[bool], other_than: uuid.UUID | None
) -> bool:
    conditions = [condition] if other_than is None else [condition, Book.id != other_than]
    return bool(await session.scalar(select(exists().where(*conditions))))


async def skus_in_use(
    session: AsyncSession, skus: Sequence[str], *, other_than_book: uuid.UUID | None
) -> set[str]:
    if not skus:
        return set()
    query = select(BookFormat.sku).where(BookFormat.sku.in_(skus))
    if other_than_book is not None:
        query = query.where(BookFormat.book_id != other_than_book)
    return set(await session.scalars(query))


async def category_exists(session: AsyncSession, category_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(exists().where(Category.id == category_id))))


async def category_id_by_slug(
    session: AsyncSession, slug: str, *, active_only: bool
) -> uuid.UUID | None:
    query = select(Category.id).where(Category.slug == slug)
    if active_only:
        query = query.where(Category.is_active)
    return await session.scalar(query)


async def tag_id_by_slug(session: AsyncSession, slug: str) -> uuid.UUID | None:
    return await session.scalar(select(Tag.id).where(Tag.slug == slug))


async def ensure_tags(session: AsyncSession, names_by_slug: dict[str, str]) -> dict[str, uuid.UUID]:
    """Tag ids for these slugs, creating the missing tags (safe when two requests race: the
    unique slug decides, the loser reads the winner's row)."""
    if not names_by_slug:
        return {}
    await session.execute(
        pg_insert(Tag)
        .values([{"name": name, "slug": slug} for slug, name in names_by_slug.items()])
        .on_conflict_do_nothing(index_elements=[Tag.slug])
    )
    rows = await session.execute(select(Tag.slug, Tag.id).where(Tag.slug.in_(names_by_slug)))
    return {slug: tag_id for slug, tag_id in rows}


async def set_book_tags(
    session: AsyncSession, book_id: uuid.UUID, tag_ids: Sequence[uuid.UUID]
) -> None:
    """Make the book's tags exactly `tag_ids` (rows that stay are not touched)."""
    keep = list(tag_ids)
    stale = delete(book_tags).where(book_tags.c.book_id == book_id)
    if keep:
        stale = stale.where(book_tags.c.tag_id.not_in(keep))
    await session.execute(stale)
    if keep:
        await session.execute(
            pg_insert(book_tags)
            .values([{"book_id": book_id, "tag_id": tag_id} for tag_id in keep])
            .on_conflict_do_nothing()
        )


async def book_has_orders(session: AsyncSession, book_id: uuid.UUID) -> bool:
    """True when the book has been ordered: it must then be archived, never deleted, and its
    formats deactivated rather than removed (orders and libraries point at them).

    The evidence is `sales_count` or any order line of the book (commerce's `order_lines`,
    paid or not). Whatever this says, the delete itself runs in a savepoint and falls back to
    archiving when any foreign key still refers to the book (see service.delete_book).
    """
    ordered = select(OrderLine.id).where(OrderLine.book_id == book_id).exists()
    return bool(
        await session.scalar(select(or_(Book.sales_count > 0, ordered)).where(Book.id == book_id))
    )


async def delete_book_row(session: AsyncSession, book_id: uuid.UUID) -> None:
    await session.execute(delete(Book).where(Book.id == book_id))


async def delete_format_row(session: AsyncSession, format_id: uuid.UUID) -> None:
    await session.execute(delete(BookFormat).where(BookFormat.id == format_id))


async def get_format(
    session: AsyncSession, *, book_id: uuid.UUID, format_id: uuid.UUID, lock: bool = False
) -> BookFormat | None:
    query = select(BookFormat).where(BookFormat.id == format_id, BookFormat.book_id == book_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


# --- what commerce sells: book formats (books/sellable.py) -----------------------------------


async def formats_with_books(
    session: AsyncSession, format_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[BookFormat, Book]]:
    """The formats asked for, each with its book, keyed by format id (missing ids are absent)."""
    ids = list(set(format_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(BookFormat, Book)
        .join(Book, Book.id == BookFormat.book_id)
        .where(BookFormat.id.in_(ids))
    )
    return {fmt.id: (fmt, book) for fmt, book in rows}


async def reserve_stock(session: AsyncSession, format_id: uuid.UUID, quantity: int) -> bool:
    """Take `quantity` copies if that many are on hand, in one statement; False otherwise.

    The row lock this UPDATE takes is held to the end of the transaction, so concurrent buyers of
    the same format queue here and each sees the stock the previous one left. NULL stock means
    unlimited and is left NULL."""
    result = await session.execute(
        update(BookFormat)
        .where(
            BookFormat.id == format_id,
            or_(BookFormat.stock.is_(None), BookFormat.stock >= quantity),
        )
        .values(stock=BookFormat.stock - quantity)
        .returning(BookFormat.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def release_stock(session: AsyncSession, format_id: uuid.UUID, quantity: int) -> None:
    await session.execute(
        update(BookFormat)
        .where(BookFormat.id == format_id, BookFormat.stock.is_not(None))
        .values(stock=BookFormat.stock + quantity)
        .execution_options(synchronize_session=False)
    )


async def current_stock(session: AsyncSession, format_id: uuid.UUID) -> int | None:
    return await session.scalar(select(BookFormat.stock).where(BookFormat.id == format_id))


async def add_sales(session: AsyncSession, book_id: uuid.UUID, copies: int) -> None:
    """Add (or, for refunds, subtract) copies sold; never below zero."""
    await session.execute(
        update(Book)
        .where(Book.id == book_id)
        .values(sales_count=func.greatest(Book.sales_count + copies, 0))
        .execution_options(synchronize_session=False)
    )


# --- preorders (books/sellable.py, the admin's release dates, the release job) ------------------


async def take_preorder_places(session: AsyncSession, format_id: uuid.UUID, quantity: int) -> bool:
    """Take `quantity` preorder places by one conditional UPDATE: under the cap, settled by
    the database (concurrent checkouts queue on the row; each sees what the previous left)."""
    result = await session.execute(
        update(BookFormat)
        .where(
            BookFormat.id == format_id,
            or_(
                BookFormat.preorder_cap.is_(None),
                BookFormat.preordered + quantity <= BookFormat.preorder_cap,
            ),
        )
        .values(preordered=BookFormat.preordered + quantity)
        .returning(BookFormat.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def give_back_preorder_places(
    session: AsyncSession, format_id: uuid.UUID, quantity: int
) -> None:
    await session.execute(
        update(BookFormat)
        .where(BookFormat.id == format_id)
        .values(preordered=func.greatest(BookFormat.preordered - quantity, 0))
        .execution_options(synchronize_session=False)
    )


async def preorder_places_left(session: AsyncSession, format_id: uuid.UUID) -> int | None:
    return await session.scalar(
        select(BookFormat.preorder_cap - BookFormat.preordered).where(BookFormat.id == format_id)
    )


async def move_preorder_lines(
    session: AsyncSession, format_id: uuid.UUID, release_date: date
) -> None:
    """The format's preorders not yet delivered follow its new release date."""
    await session.execute(
        update(OrderLine)
        .where(
            OrderLine.book_format_id == format_id,
            OrderLine.release_date.is_not(None),
            OrderLine.released_at.is_(None),
        )
        .values(release_date=release_date)
        .execution_options(synchronize_session=False)
    )


async def mark_formats_released(session: AsyncSession) -> int:
    """Formats whose release date has come stop being preorders; the UPDATE fires the
    catalog's NOTIFY, so cached catalog answers saying "preorder" are dropped."""
    result = await session.execute(
        update(BookFormat)
        .where(
            BookFormat.release_date.is_not(None),
            BookFormat.released_at.is_(None),
            BookFormat.release_date <= today_utc(),
        )
        .values(released_at=func.now())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
