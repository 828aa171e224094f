"""Demo blog for `make run`: categories, published posts (one featured), a scheduled one and a
draft, written by a demo author without a password (nobody signs in as her)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.blog.service import WORDS_PER_MINUTE
from authorhub.config import Settings
from authorhub.kit.richtext import plain_text, render_markdown
from authorhub.kit.time import utcnow
from authorhub.models import BlogCategory, BlogPost, PostFormat, PostStatus, User

AUTHOR_EMAIL = "victoria@example.com"

CATEGORIES = [
    ("Writing Life", "writing-life"),
    ("News", "news"),
    ("Behind the Books", "behind-the-books"),
]

# (slug, title, category slug, tags, status, days from now, featured, Markdown)
POSTS = [
    ("why-i-write-about-lagos", "Why I Write About Lagos", "writing-life", ["lagos", "craft"],
     PostStatus.published, -20, True,
     "Lagos is loud, generous and impossible. **Every book I write starts on a danfo.**\n\n"
     "In this post I talk about place as character, and why the city keeps pulling me back."),
    ("the-first-draft-is-a-map", "The First Draft Is a Map", "writing-life", ["craft", "drafting"],
     PostStatus.published, -12, False,
     "A first draft is not the book. It is the map you draw while walking.\n\n"
     "- Write fast\n- Mark what surprises you\n- Fix nothing until the end"),
    ("nights-in-lagos-is-out", "Nights in Lagos Is Out", "news", ["books", "lagos"],
     PostStatus.published, -5, False,
     "The ebook and the paperback are in the [shop](https://example.com/books/nights-in-lagos)."),
    ("a-letter-to-first-readers", "A Letter to My First Readers", "behind-the-books", ["readers"],
     PostStatus.published, -2, False,
     "Thank you for the emails, the notes in the margins and the arguments about the ending."),
    ("what-comes-next", "What Comes Next", "news", ["books"], PostStatus.scheduled, 1, False,
     "A new novel, a new city. More soon."),
    ("notes-on-the-sequel", "Notes on the Sequel", "behind-the-books", [], PostStatus.draft, 0, False,
     "Half-formed thoughts, not for readers yet."),
]  # fmt: skip


async def seed_blog(session: AsyncSession, settings: Settings) -> str:
    if await session.scalar(select(BlogPost.id).limit(1)) is not None:
        return "blog: posts already there"
    author = await session.scalar(select(User).where(User.email == AUTHOR_EMAIL))
    if author is None:
        author = User(email=AUTHOR_EMAIL, name="Victoria Chisom", email_verified_at=utcnow())
        session.add(author)
    categories: dict[str, BlogCategory] = {}
    for name, slug in CATEGORIES:
        existing = await session.scalar(select(BlogCategory).where(BlogCategory.slug == slug))
        categories[slug] = existing or BlogCategory(name=name, slug=slug)
        session.add(categories[slug])
    await session.flush()
    now = utcnow()
    for slug, title, category_slug, tags, status, days, featured, markdown in POSTS:
        html = render_markdown(markdown)
        when = now + timedelta(days=days)
        session.add(
            BlogPost(
                title=title,
                slug=slug,
                content_source=markdown,
                content_format=PostFormat.markdown,
                content_html=html,
                excerpt=plain_text(html, 280),
                reading_minutes=max(1, len(plain_text(html).split()) // WORDS_PER_MINUTE + 1),
                status=status,
                category_id=categories[category_slug].id,
                tags=tags,
                author_id=author.id,
                featured=featured,
                publish_at=when if status == PostStatus.scheduled else None,
                published_at=when if status == PostStatus.published else None,
            )
        )
    await session.flush()
    return f"blog: {len(POSTS)} posts in {len(CATEGORIES)} categories (one scheduled for tomorrow, one draft)"
