"""Demo community for `make run`: categories, three members and a few discussions with
threaded replies, a mention and a like. Idempotent: nothing is added once the categories exist."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth import repository as auth_repo
from authorhub.community import repository as repo
from authorhub.community.service import profile_url
from authorhub.community.text import mentioned_handles, render
from authorhub.config import Settings
from authorhub.kit.slugs import slugify
from authorhub.kit.time import utcnow
from authorhub.models import (
    Discussion,
    DiscussionCategory,
    DiscussionLike,
    DiscussionReply,
    User,
)
from authorhub.users.service import DEMO_MEMBER_EMAIL

CATEGORIES = [
    ("Announcements", "News from Victoria: launches, events, the academy."),
    ("Book Club", "This month's read, chapter by chapter."),
    ("Writing Craft", "Plot, character, voice: for writers at every stage."),
    ("General", "Everything else."),
]
MEMBERS = [
    ("amaka@demo.example.com", "Amaka Obi", "amaka"),
    ("tunde@demo.example.com", "Tunde Bello", "tunde"),
]
# (category, author handle or None for the demo reader, title, body, replies); a reply is
# (author, body, index of the reply it answers or None).
SeedReply = tuple[str, str, int | None]
DISCUSSIONS: list[tuple[str, str, str, str, list[SeedReply]]] = [
    (
        "Book Club",
        "amaka",
        "Chapter one of The Lagos Light: first impressions",
        "The opening scene at the market is *so* vivid. What stayed with you?",
        [
            ("tunde", "The smell of the suya stand. I could taste it.", None),
            ("reader", "Same! And the grandmother's silence says more than any dialogue.", 0),
            ("amaka", "@tunde did you catch the foreshadowing with the lantern?", 0),
        ],
    ),
    (
        "Writing Craft",
        "tunde",
        "How do you keep a daily writing habit?",
        "I manage three days, then life happens. Tips welcome.",
        [
            ("amaka", "Write before you open your phone. 300 words, no more.", None),
            ("tunde", "300 is doable. Trying it this week.", 0),
        ],
    ),
    (
        "General",
        "reader",
        "Hello from Abuja",
        "New here: I finished *Harmattan Letters* last night and had to find other readers.",
        [("amaka", "Welcome! The Book Club category is the place to start.", None)],
    ),
]


async def seed_community(session: AsyncSession, settings: Settings) -> str:
    """The categories everywhere; the demo members and discussions outside production."""
    if await repo.get_category(session, "general") is not None:
        return "community: demo categories and discussions already exist"
    for position, (name, description) in enumerate(CATEGORIES):
        session.add(
            DiscussionCategory(
                name=name, slug=slugify(name), description=description, position=position
            )
        )
    await session.flush()
    if settings.is_production:
        return f"community: {len(CATEGORIES)} categories (demo discussions skipped in production)"
    authors: dict[str, User] = {}
    for email, name, handle in MEMBERS:
        user = await auth_repo.get_user_by_email(session, email) or await auth_repo.insert_user(
            session, email=email, name=name, password_hash=None, email_verified_at=utcnow()
        )
        assert user is not None
        user.handle = handle
        authors[handle] = user
    reader = await auth_repo.get_user_by_email(session, DEMO_MEMBER_EMAIL)
    count = 0
    started = utcnow() - timedelta(days=3)
    for n, (category_name, author_handle, title, body, replies) in enumerate(DISCUSSIONS):
        category = await repo.get_category(session, slugify(category_name))
        assert category is not None
        author = reader if author_handle == "reader" else authors[author_handle]
        if author is None:
            continue
        at = started + timedelta(hours=n * 5)
        discussion = Discussion(
            id=uuid.uuid4(),
            category_id=category.id,
            author_id=author.id,
            title=title,
            slug=slugify(title, 200),
            body=body,
            body_html=_html(body, authors, settings),
            is_pinned=n == 0,
            created_at=at,
            last_activity_at=at,
        )
        session.add(discussion)
        await session.flush()
        await repo.follow(session, user_id=author.id, discussion_id=discussion.id)
        await repo.add_to_post_count(session, author.id, 1)
        written: dict[int, DiscussionReply] = {}
        for m, (replier_handle, text, parent) in enumerate(replies):
            replier = reader if replier_handle == "reader" else authors[replier_handle]
            if replier is None:
                continue
            reply = DiscussionReply(
                id=uuid.uuid4(),
                discussion_id=discussion.id,
                author_id=replier.id,
                parent_id=written[parent].id if parent in written else None,
                body=text,
                body_html=_html(text, authors, settings),
                created_at=at + timedelta(minutes=30 * (m + 1)),
            )
            session.add(reply)
            written[m] = reply
            await session.flush()
            await repo.add_to_post_count(session, replier.id, 1)
            await repo.bump_discussion(
                session, discussion.id, replies=1, activity_at=reply.created_at
            )
        liker = authors["tunde"] if author_handle != "tunde" else authors["amaka"]
        session.add(DiscussionLike(user_id=liker.id, discussion_id=discussion.id))
        discussion.like_count = 1
        count += 1
    await session.flush()
    return (
        f"community: {len(CATEGORIES)} categories, {count} discussions with replies "
        "(members @amaka, @tunde and the demo reader)"
    )


def _html(text: str, authors: dict[str, User], settings: Settings) -> str:
    known = [h for h in mentioned_handles(text) if h in authors]
    return render(text, known_handles=known, profile_url=profile_url(settings))
