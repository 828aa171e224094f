"""Search statements: the books-first search, suggestions (word prefixes, on the GIN indexes of
titles and authors) and the merged books-and-posts ranking."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    Uuid,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.academy.repository import matches as course_matches
from authorhub.blog.repository import text_query as post_text_query
from authorhub.books.repository import SIMPLE, BookFilter, list_statement
from authorhub.books.repository import text_query as book_text_query
from authorhub.models import BlogPost, Book, BookStatus, Category, Course, PostStatus

# A search ranks at most this many matching books per stretch of pages (books.repository.
# _bounded_page): pages 1-10 of 20 hits share one set; a word in fewer books is ranked whole.
SEARCH_CANDIDATES = 200


def books_first_statement(f: BookFilter) -> tuple[Select[Any], dict[str, Any]]:
    """The page of the books' own search ranking (f: text, relevance, candidates), each row
    also carrying how many published courses and posts match. When none do, this one statement
    is the whole answer of /api/search (the ORM path and books.lean both run it)."""
    statement, params = list_statement(f)
    return _with_other_totals(statement), params


@lru_cache(maxsize=8)
def _with_other_totals(statement: Select[Any]) -> Select[Any]:
    return statement.add_columns(*other_totals_statement().selected_columns)


@lru_cache(maxsize=1)
def other_totals_statement() -> Select[Any]:
    """How many published courses and posts match :text (`course_total`, `post_total`)."""
    text = bindparam("text", type_=String())  # the same parameter as the books' own
    courses = select(func.count()).where(Course.is_published, course_matches(text))
    posts = select(func.count()).where(
        BlogPost.status == PostStatus.published,
        BlogPost.search_vector.op("@@")(post_text_query(text)),
    )
    return select(
        courses.scalar_subquery().label("course_total"),
        posts.scalar_subquery().label("post_total"),
    )


_WORDS = re.compile(r"[^\W_]+")


def prefix_tsquery(text: str) -> str | None:
    """'nights in lag' -> 'nights:* & in:* & lag:*' (every word a prefix), from letters and
    digits only, so nothing in it is tsquery syntax."""
    words = _WORDS.findall(text.lower())[:8]
    return " & ".join(f"{word}:*" for word in words) or None


def like_prefix(text: str) -> str:
    """A LIKE pattern for "starts with `text`" (its %, _ and / escaped with /)."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return escaped + "%"


AUTHORS_SHOWN = 3
CATEGORIES_SHOWN = 3


@lru_cache(maxsize=1)
def suggest_statement() -> Select[Any]:
    """Everything suggestions need in one statement, run with {"tsquery": prefix_tsquery(...),
    "title_prefix": like_prefix(lowercased text), "limit": n}: up to n book titles (those that
    start with the text first, then best-selling), up to 3 authors (most books first) and 3
    active categories matching every word as a prefix; `kind` and `n` give the order."""
    query = func.to_tsquery(SIMPLE, bindparam("tsquery", type_=String()))
    starts = func.lower(Book.title).like(bindparam("title_prefix", type_=String()), escape="/")

    def matches(column: Any) -> Any:
        return func.to_tsvector(SIMPLE, column).op("@@")(query)

    def ranked(*order: Any) -> Any:
        return func.row_number().over(order_by=order).label("n")

    book_order = (starts.desc(), Book.sales_count.desc(), Book.title)
    books = (
        select(
            literal_column("1").label("kind"),
            Book.id,
            Book.title.label("text"),
            Book.slug,
            Book.cover_image_url.label("image_url"),
            cast(null(), BigInteger).label("count"),
            ranked(*book_order),
        )
        .where(Book.status == BookStatus.published, matches(Book.title))
        .order_by(*book_order)
        .limit(bindparam("limit", type_=Integer()))
    )
    books_by_author = func.count()
    author_order = (books_by_author.desc(), Book.author_name)
    authors = (
        select(
            literal_column("2").label("kind"),
            cast(null(), Uuid).label("id"),
            Book.author_name.label("text"),
            cast(null(), String).label("slug"),
            cast(null(), String).label("image_url"),
            books_by_author.label("count"),
            ranked(*author_order),
        )
        .where(Book.status == BookStatus.published, matches(Book.author_name))
        .group_by(Book.author_name)
        .order_by(*author_order)
        .limit(AUTHORS_SHOWN)
    )
    published = (
        select(func.count())
        .where(Book.category_id == Category.id, Book.status == BookStatus.published)
        .correlate(Category)
        .scalar_subquery()
    )
    category_order = (Category.sort_order, Category.name)
    # A handful of rows: no index needed.
    categories = (
        select(
            literal_column("3").label("kind"),
            Category.id,
            Category.name.label("text"),
            Category.slug,
            cast(null(), String).label("image_url"),
            published.label("count"),
            ranked(*category_order),
        )
        .where(Category.is_active, matches(Category.name))
        .order_by(*category_order)
        .limit(CATEGORIES_SHOWN)
    )
    parts = [select(*part.subquery().c) for part in (books, authors, categories)]
    every = union_all(*parts).subquery("suggestions")
    return select(*every.c).order_by(every.c.kind, every.c.n)


async def merged_page(
    session: AsyncSession, *, text: str, offset: int, limit: int
) -> dict[str, Any]:
    """Where a page of the books-and-posts ranking falls: for each kind, (offset, count) in that
    kind's own ranking, and the page's order as (kind, position) pairs. Ranks are the same
    ts_rank expressions the kinds' own queries sort by, with the same tie-breakers."""
    book_rank = func.ts_rank(Book.search_vector, book_text_query(text))
    post_rank = func.ts_rank(BlogPost.search_vector, post_text_query(text))
    books = select(
        literal("book").label("kind"),
        book_rank.label("rank"),
        func.row_number()
        .over(order_by=(book_rank.desc(), Book.sales_count.desc(), Book.id.desc()))
        .label("n"),
    ).where(Book.status == BookStatus.published, Book.search_vector.op("@@")(book_text_query(text)))
    posts = select(
        literal("post").label("kind"),
        post_rank.label("rank"),
        func.row_number()
        .over(
            order_by=(
                post_rank.desc(),
                func.coalesce(
                    BlogPost.published_at, BlogPost.publish_at, BlogPost.created_at
                ).desc(),
                BlogPost.id.desc(),
            )
        )
        .label("n"),
    ).where(
        BlogPost.status == PostStatus.published,
        BlogPost.search_vector.op("@@")(post_text_query(text)),
    )
    both = union_all(books, posts).subquery()
    rows = (
        await session.execute(
            select(both.c.kind, both.c.n)
            .order_by(both.c.rank.desc(), both.c.kind, both.c.n)
            .offset(offset)
            .limit(limit)
        )
    ).all()
    runs: dict[str, Any] = {"order": [(kind, n - 1) for kind, n in rows]}
    for kind in ("book", "post"):
        positions = [n - 1 for k, n in rows if k == kind]
        if positions:
            runs[kind] = (positions[0], len(positions))
    return runs
