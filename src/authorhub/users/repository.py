"""Every query of the users domain (sign-in queries live in auth.repository)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.kit import listing
from authorhub.kit.pagination import PageParams
from authorhub.models import Role, User


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_users(
    session: AsyncSession,
    *,
    search: str | None,
    role: Role | None,
    is_active: bool | None,
    paging: PageParams,
) -> tuple[list[User], int]:
    """Newest first; `search` matches a fragment of the email or the name (trigram indexes)."""
    statement = select(User)
    if search:
        pattern = f"%{_escape_like(search)}%"
        statement = statement.where(
            or_(User.email.ilike(pattern, escape="\\"), User.name.ilike(pattern, escape="\\"))
        )
    if role is not None:
        statement = statement.where(User.role == role)
    if is_active is not None:
        statement = statement.where(User.is_active.is_(is_active))
    return await listing.page_of(session, statement, paging, User.created_at.desc(), User.id.desc())


async def get_user_for_update(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """The row, locked until the transaction ends, with its current values (so a change
    computed from it cannot overwrite one made a moment earlier)."""
    return await listing.get_for_update(session, User, user_id)


async def handle_taken(session: AsyncSession, handle: str, user_id: uuid.UUID) -> bool:
    """True when another account has this handle (the unique index is the last word)."""
    return bool(
        await session.scalar(
            select(func.count()).select_from(User).where(User.handle == handle, User.id != user_id)
        )
    )
