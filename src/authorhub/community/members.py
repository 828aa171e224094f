"""The member directory and public profiles. A member appears once they have published a post
in the community and while their privacy setting
`privacySettings.profileVisible` allows it (default true, the original platform's default: what
a profile shows — handle, name, avatar, bio, posts — is already public on their posts). Emails
never appear. A hidden profile is 404 to everyone but the member and moderators."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.community import repository as repo
from authorhub.community.schemas import DiscussionSort, DiscussionSummary, MemberRead
from authorhub.community.service import is_moderator, summary
from authorhub.errors import NotFound
from authorhub.kit.pagination import PageParams
from authorhub.models import CommunityMember, User

MemberSort = Literal["newest", "posts"]


def _member_read(user: User, member: CommunityMember | None) -> MemberRead:
    return MemberRead(
        handle=user.handle,
        name=user.name,
        avatar_url=user.avatar_url,
        bio=user.bio,
        role=user.role,
        post_count=member.post_count if member else 0,
        joined_at=member.created_at if member else user.created_at,
    )


async def directory(
    session: AsyncSession, *, paging: PageParams, text: str | None, sort: MemberSort
) -> tuple[list[MemberRead], int]:
    rows, total = await repo.list_members(
        session, text=text, sort=sort, offset=paging.offset, limit=paging.limit
    )
    return [_member_read(user, member) for user, member in rows], total


async def _visible_member(
    session: AsyncSession, handle: str, viewer: User | None
) -> tuple[User, CommunityMember | None]:
    found = await repo.member_profile(session, handle)
    if found is None:
        raise NotFound("Member not found.", code="member_not_found")
    user, member = found
    itself = viewer is not None and viewer.id == user.id
    hidden = not user.is_active or not repo.profile_visible(user)
    if hidden and not itself and not is_moderator(viewer):
        raise NotFound("Member not found.", code="member_not_found")
    return user, member


async def profile(session: AsyncSession, *, handle: str, viewer: User | None) -> MemberRead:
    return _member_read(*await _visible_member(session, handle, viewer))


async def discussions_of(
    session: AsyncSession, *, handle: str, viewer: User | None, paging: PageParams
) -> tuple[list[DiscussionSummary], int]:
    """The member's published discussions, newest first."""
    user, _ = await _visible_member(session, handle, viewer)
    rows, total = await repo.list_discussions(
        session,
        repo.DiscussionFilter(author_id=user.id, sort=DiscussionSort.newest),
        offset=paging.offset,
        limit=paging.limit,
    )
    return [summary(row) for row in rows], total
