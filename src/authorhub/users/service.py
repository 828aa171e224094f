"""Profiles, preferences, and the admin's management of accounts. Never commits."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth import repository as auth_repo
from authorhub.auth.audit import AuditEvent, ClientInfo, record
from authorhub.auth.passwords import hash_password
from authorhub.auth.service import end_sessions
from authorhub.config import Settings
from authorhub.errors import BadRequest, Conflict, NotFound
from authorhub.kit.pagination import PageParams
from authorhub.kit.time import utcnow
from authorhub.models import Role, User
from authorhub.users import repository as repo
from authorhub.users.schemas import ProfileUpdate

DEMO_MEMBER_EMAIL = "reader@demo.example.com"


async def update_profile(session: AsyncSession, *, user: User, changes: ProfileUpdate) -> User:
    """Apply the sent fields. The row is locked first, so two edits of different preferences
    at the same time both survive."""
    locked = await repo.get_user_for_update(session, user.id)
    if locked is None:  # pragma: no cover - the caller was loaded in this request
        raise NotFound("User not found.", code="user_not_found")
    sent = changes.model_fields_set
    if "name" in sent and changes.name is not None:
        locked.name = changes.name
    if changes.handle is not None and changes.handle != locked.handle:
        if await repo.handle_taken(session, changes.handle, locked.id):
            raise Conflict("This handle is taken.", code="handle_taken")
        locked.handle = changes.handle
        try:
            async with session.begin_nested():  # another member took it a moment ago
                await session.flush()
        except IntegrityError as exc:
            raise Conflict("This handle is taken.", code="handle_taken") from exc
    if "bio" in sent:
        locked.bio = changes.bio or None
    if "phone" in sent:
        locked.phone = changes.phone
    if changes.preferences is not None:
        locked.preferences = _merge(dict(locked.preferences or {}), changes.preferences.changes())
    await session.flush()
    return locked


def _merge(stored: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(stored.get(key), dict):
            stored[key] = _merge(dict(stored[key]), value)
        else:
            stored[key] = value
    return stored


async def list_users(
    session: AsyncSession,
    *,
    paging: PageParams,
    search: str | None,
    role: Role | None,
    is_active: bool | None,
) -> tuple[list[User], int]:
    return await repo.list_users(
        session,
        search=search,
        role=role,
        is_active=is_active,
        paging=paging,
    )


async def update_user_as_admin(
    session: AsyncSession,
    *,
    admin: User,
    user_id: uuid.UUID,
    role: Role | None,
    is_active: bool | None,
    client: ClientInfo,
) -> User:
    """Change a user's role or switch the account off or on. Switching off ends every session
    and access token at once. Admins cannot demote or switch off themselves, so the platform
    always keeps at least the admin who acts."""
    user = await repo.get_user_for_update(session, user_id)
    if user is None:
        raise NotFound("User not found.", code="user_not_found")
    if user.id == admin.id and ((role is not None and role != user.role) or is_active is False):
        raise BadRequest(
            "Admins cannot change their own role or deactivate themselves.",
            code="cannot_change_own_account",
        )
    if role is not None and role != user.role:
        previous = user.role
        user.role = role
        await record(
            session,
            AuditEvent.role_changed,
            client=client,
            user_id=user.id,
            actor_id=admin.id,
            previous=previous.value,
            role=role.value,
        )
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        if is_active:
            await record(
                session,
                AuditEvent.user_reactivated,
                client=client,
                user_id=user.id,
                actor_id=admin.id,
            )
        else:
            ended = await end_sessions(session, user=user, reason="deactivated")
            await record(
                session,
                AuditEvent.user_deactivated,
                client=client,
                user_id=user.id,
                actor_id=admin.id,
                sessions_ended=ended,
            )
    await session.flush()
    return user


async def create_or_promote_admin(
    session: AsyncSession, *, email: str, password: str, name: str
) -> tuple[User, bool]:
    """For `authorhub create-admin`: (the admin, whether the account is new). An existing
    account becomes an active, verified admin with the given password; its sessions end."""
    email = email.lower()
    now = utcnow()
    password_hash = await hash_password(password)
    client = ClientInfo(ip=None, user_agent="authorhub create-admin")
    user = await auth_repo.insert_user(
        session,
        email=email,
        name=name,
        password_hash=password_hash,
        role=Role.admin,
        email_verified_at=now,
    )
    created = user is not None
    if user is None:
        user = await auth_repo.get_user_by_email(session, email, for_update=True)
        assert user is not None
        previous = user.role
        user.role = Role.admin
        user.is_active = True
        user.password_hash = password_hash
        user.email_verified_at = user.email_verified_at or now
        await end_sessions(session, user=user, reason="password_reset")
        if previous != Role.admin:
            await record(
                session,
                AuditEvent.role_changed,
                client=client,
                user_id=user.id,
                previous=previous.value,
                role=Role.admin.value,
            )
        await record(session, AuditEvent.password_reset, client=client, user_id=user.id)
    else:
        await record(session, AuditEvent.role_changed, client=client, user_id=user.id, role="admin")
    return user, created


async def seed_demo_member(session: AsyncSession, settings: Settings) -> str:
    """A verified demo member with a random password shown once. No admin is ever seeded with
    a known password: `authorhub create-admin` makes one."""
    if settings.is_production:
        return "users: demo member skipped in production"
    if await auth_repo.get_user_by_email(session, DEMO_MEMBER_EMAIL) is not None:
        return f"users: demo member {DEMO_MEMBER_EMAIL} already exists"
    password = secrets.token_urlsafe(12)
    await auth_repo.insert_user(
        session,
        email=DEMO_MEMBER_EMAIL,
        name="Demo Reader",
        password_hash=await hash_password(password),
        email_verified_at=utcnow(),
    )
    return (
        f"users: demo member {DEMO_MEMBER_EMAIL} / {password} (shown once); "
        "make an admin with `make admin EMAIL=you@example.com` (.venv/bin/authorhub create-admin)"
    )
