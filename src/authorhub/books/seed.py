"""The demo catalog `make run` loads: categories, tags and about twenty books with covers drawn
here with Pillow (no downloads) and, for ebooks, a small PDF in the private store.

Idempotent: what exists (by slug) is left alone, so running it again changes nothing.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books import service
from authorhub.books.schemas import BookCreate, FormatInput
from authorhub.config import Settings
from authorhub.kit.slugs import slugify
from authorhub.kit.time import utcnow
from authorhub.media.storage import private_storage, public_storage
from authorhub.models import Book, BookStatus, Category, FormatKind

AUTHOR = "Victoria Chisom"
CATEGORIES = [
    ("Fiction", "Novels of Lagos, the Delta and the diaspora."),
    ("Romance", "Love stories, tender and otherwise."),
    ("Short Stories", "Collections to read in one sitting."),
    ("Poetry", "Verse in English and Pidgin."),
    ("Non-fiction", "Essays, memoir and craft."),
    ("Children", "Picture books and early readers."),
]


@dataclass(frozen=True)
class DemoBook:
    title: str
    category: str
    blurb: str
    tags: list[str]
    ebook: int | None = 250_000  # kobo; None = no ebook; 0 = free
    paperback: int | None = 650_000
    hardcover: int | None = None
    stock: int = 25
    featured: bool = False
    draft: bool = False
    colors: tuple[str, str] = ("#1f3b4d", "#e07a5f")
    extra: dict[str, object] = field(default_factory=dict)
    # On preorder: released this many days after seeding, with at most `preorder_cap` places.
    preorder_in_days: int | None = None
    preorder_cap: int | None = None


BOOKS = [
    DemoBook(
        "Harmattan Letters",
        "Fiction",
        "Letters carried across the Sahel by a girl who refuses to stop writing.",
        ["Sahel", "Letters", "Coming of age"],
        featured=True,
        colors=("#6b3e26", "#f2cc8f"),
    ),
    DemoBook(
        "Nights in Lagos",
        "Romance",
        "Two strangers, one blackout, and a city that never sleeps.",
        ["Lagos", "Love"],
        featured=True,
        colors=("#14213d", "#fca311"),
    ),
    DemoBook(
        "The Lagoon Keeper",
        "Fiction",
        "A fisherman's daughter inherits a lagoon and its secrets.",
        ["Lagos", "Family"],
        hardcover=1_200_000,
        colors=("#0b3954", "#bfd7ea"),
    ),
    DemoBook(
        "Palm Wine Mornings",
        "Short Stories",
        "Twelve stories of village mornings and city evenings.",
        ["Village life", "Humour"],
        colors=("#386641", "#f2e8cf"),
    ),
    DemoBook(
        "Ọ̀run Rising",
        "Fiction",
        "A myth retold for a generation raised between two worlds.",
        ["Mythology", "Diaspora"],
        colors=("#3d405b", "#f4f1de"),
    ),
    DemoBook(
        "Letters to Enugu",
        "Non-fiction",
        "Essays on home, memory and the roads between them.",
        ["Memoir", "Diaspora"],
        paperback=550_000,
        colors=("#5f0f40", "#fb8b24"),
    ),
    DemoBook(
        "Rain on Zinc Roofs",
        "Poetry",
        "Poems for the first rain of the season.",
        ["Rain", "Love"],
        ebook=0,
        paperback=300_000,
        colors=("#264653", "#2a9d8f"),
    ),
    DemoBook(
        "The Weaver of Kano",
        "Fiction",
        "Indigo, trade and a family loom that outlives empires.",
        ["History", "Family"],
        hardcover=1_500_000,
        colors=("#1d3557", "#a8dadc"),
    ),
    DemoBook(
        "Small Victories",
        "Non-fiction",
        "Notes on writing a novel while raising a family.",
        ["Writing craft", "Memoir"],
        ebook=150_000,
        paperback=None,
        colors=("#2b2d42", "#ef233c"),
    ),
    DemoBook(
        "Moonlight over Calabar",
        "Romance",
        "A dance teacher, a diplomat and a carnival that changes both.",
        ["Love", "Carnival"],
        colors=("#22223b", "#c9ada7"),
    ),
    DemoBook(
        "The Tortoise Who Wanted Wings",
        "Children",
        "A picture book about patience, cleverness and flight.",
        ["Folktales", "Animals"],
        ebook=0,
        paperback=350_000,
        colors=("#ffb703", "#023047"),
    ),
    DemoBook(
        "Market Day",
        "Children",
        "Counting our way through the busiest market in town.",
        ["Counting", "Village life"],
        paperback=300_000,
        ebook=None,
        colors=("#e63946", "#f1faee"),
    ),
    DemoBook(
        "Okada Diaries",
        "Short Stories",
        "Stories told from the back of a motorcycle taxi.",
        ["Lagos", "Humour"],
        colors=("#2d6a4f", "#d8f3dc"),
    ),
    DemoBook(
        "What the River Knows",
        "Fiction",
        "Three generations and one river that remembers everything.",
        ["Family", "Delta"],
        featured=True,
        colors=("#003049", "#eae2b7"),
    ),
    DemoBook(
        "Amaka's Kitchen",
        "Non-fiction",
        "Recipes and the stories that season them.",
        ["Food", "Family"],
        hardcover=1_800_000,
        paperback=None,
        colors=("#9c6644", "#ede0d4"),
    ),
    DemoBook(
        "Songs for the Diaspora",
        "Poetry",
        "Verse from Peckham to Port Harcourt.",
        ["Diaspora", "Music"],
        colors=("#4a4e69", "#f2e9e4"),
    ),
    DemoBook(
        "The Quiet Season",
        "Romance",
        "A widow, a late harvest and a second chance.",
        ["Love", "Village life"],
        ebook=0,
        colors=("#6d597a", "#e56b6f"),
    ),
    DemoBook(
        "Bridges of Onitsha",
        "Fiction",
        "Engineers, traders and the bridge that binds them.",
        ["History", "Delta"],
        colors=("#283618", "#fefae0"),
    ),
    DemoBook(
        "Untitled Sequel",
        "Fiction",
        "Work in progress: not for readers yet.",
        ["Sequel"],
        draft=True,
        colors=("#333333", "#999999"),
    ),
    DemoBook(
        "Draft Poems",
        "Poetry",
        "A notebook of poems in progress.",
        ["Rain"],
        draft=True,
        colors=("#444444", "#bbbbbb"),
    ),
    # Last, so the books above keep their SKUs and ISBNs.
    DemoBook(
        "Letters from Kano",
        "Fiction",
        "The sequel to Harmattan Letters: on preorder, out next month.",
        ["Sahel", "Letters", "Sequel"],
        featured=False,
        preorder_in_days=30,
        preorder_cap=50,
        colors=("#7f5539", "#ede0d4"),
    ),
]


def _isbn13(n: int) -> str:
    first12 = f"978{978_000_000 + n:09d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def _cover(book: DemoBook, size: tuple[int, int] = (600, 900)) -> bytes:
    """A gradient cover with the title and the author, as a JPEG."""
    top, bottom = (Image.new("RGB", (1, 1), c).getpixel((0, 0)) for c in book.colors)
    width, height = size
    picture = Image.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    for row in range(height):
        mix = row / (height - 1)
        color = tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True))  # type: ignore[arg-type]
        draw.line([(0, row), (width, row)], fill=color)
    draw.rectangle([30, 30, width - 30, height - 30], outline=(255, 255, 255), width=4)
    title_font = ImageFont.load_default(size=56)
    small_font = ImageFont.load_default(size=30)
    y = 160.0
    for line in textwrap.wrap(book.title, width=16):
        box = draw.textbbox((0, 0), line, font=title_font)
        draw.text(((width - box[2]) / 2, y), line, font=title_font, fill=(255, 255, 255))
        y += box[3] + 18
    box = draw.textbbox((0, 0), AUTHOR.upper(), font=small_font)
    draw.text(
        ((width - box[2]) / 2, height - 140), AUTHOR.upper(), font=small_font, fill=(255, 255, 255)
    )
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def _sample_pdf(book: DemoBook) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(_cover(book, (300, 450)))).save(out, "PDF")
    return out.getvalue()


def _formats(book: DemoBook, n: int) -> list[FormatInput]:
    formats = []
    preorder: dict[str, object] = {}
    if book.preorder_in_days is not None:
        release = utcnow().date() + timedelta(days=book.preorder_in_days)
        preorder = {"release_date": release, "preorder_cap": book.preorder_cap}
    if book.ebook is not None:
        formats.append(
            FormatInput(
                format=FormatKind.ebook,
                sku=f"VC-{n:03}-EB",
                price_ngn=book.ebook,
                price_usd=book.ebook // 900 or None,
                **preorder,
            )
        )
    if book.paperback is not None:
        formats.append(
            FormatInput(
                format=FormatKind.paperback,
                sku=f"VC-{n:03}-PB",
                price_ngn=book.paperback,
                price_usd=book.paperback // 900,
                stock=book.stock,
                weight_grams=320,
                **preorder,
            )
        )
    if book.hardcover is not None:
        formats.append(
            FormatInput(
                format=FormatKind.hardcover,
                sku=f"VC-{n:03}-HC",
                price_ngn=book.hardcover,
                price_usd=book.hardcover // 900,
                stock=max(book.stock // 3, 2),
                weight_grams=650,
            )
        )
    return formats


async def seed_catalog(session: AsyncSession, settings: Settings) -> str:
    await session.execute(
        pg_insert(Category)
        .values(
            [
                {"name": name, "slug": slugify(name), "description": about, "sort_order": i}
                for i, (name, about) in enumerate(CATEGORIES)
            ]
        )
        .on_conflict_do_nothing(index_elements=[Category.slug])
    )
    categories = {
        name: id_ for name, id_ in await session.execute(select(Category.name, Category.id))
    }
    existing = set(await session.scalars(select(Book.slug)))
    covers, files = public_storage(settings), private_storage(settings)
    created = 0
    for n, demo in enumerate(BOOKS, start=1):
        slug = slugify(demo.title)
        if slug in existing:
            continue
        cover = await covers.save(
            path=f"books/demo-{slug}.jpg", data=_cover(demo), content_type="image/jpeg"
        )
        detail = await service.create_book(
            session,
            data=BookCreate(
                title=demo.title,
                slug=slug,
                author_name=AUTHOR,
                description=f"{demo.blurb}\n\nA novel-length journey by **{AUTHOR}**, published by *EdifyPub*.",
                isbn=_isbn13(n),
                page_count=120 + 17 * n,
                publisher="EdifyPub",
                publication_date=date(2019, 1, 1) + timedelta(days=97 * n),
                cover_image_url=cover.url,  # type: ignore[arg-type]
                category_id=categories.get(demo.category),
                tags=demo.tags,
                status=BookStatus.draft if demo.draft else BookStatus.published,
                featured=demo.featured,
                formats=_formats(demo, n),
            ),
        )
        for fmt in detail.formats:
            if fmt.format == FormatKind.ebook:
                await service.attach_ebook_file(
                    session, book_id=detail.id, format_id=fmt.id, data=_sample_pdf(demo),
                    client_name=f"{slug}.pdf", storage=files,
                )  # fmt: skip
        # Spread publication dates and sales so every sort shows something.
        await session.execute(
            update(Book)
            .where(Book.id == detail.id, Book.status == BookStatus.published)
            .values(published_at=utcnow() - timedelta(days=3 * n), sales_count=(n * 37) % 90)
        )
        created += 1
    total = await session.scalar(select(func.count()).select_from(Book))
    return f"catalog: {total} books ({created} new), {len(categories)} categories"
