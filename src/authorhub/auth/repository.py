"""Every query of accounts and sign-in: users by email, sessions, refresh and email tokens,
linked Google identities. Single-use rules are conditional UPDATEs, settled by the database."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from authorhub.models import (
    AuthSession,
    EmailToken,
    EmailTokenPurpose,
    OAuthAccount,
    RefreshToken,
    Role,
    User,
)

# --- users ------------------------------------------------------------------------------------


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_email(
    session: AsyncSession, email: str, *, for_update: bool = False
) -> User | None:
    query = select(User).where(User.email == email.lower())
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def default_handle(session: AsyncSession, email: str, user_id: uuid.UUID) -> str:
    """The handle the database would give a new account with this address (its insert
    trigger); user_id's own handle does not count as taken."""
    handle = await session.scalar(
        text("SELECT community_handle_for(:email, :user_id)"), {"email": email, "user_id": user_id}
    )
    return str(handle)


async def insert_user(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password_hash: str | None,
    role: Role = Role.member,
    email_verified_at: datetime | None = None,
) -> User | None:
    """The new user, or None when the email is taken (the unique index decides, so two
    simultaneous sign-ups with one address cannot both succeed)."""
    user_id = await session.scalar(
        insert(User)
        .values(
            id=uuid.uuid4(),
            email=email.lower(),
            name=name,
            password_hash=password_hash,
            role=role,
            email_verified_at=email_verified_at,
        )
        .on_conflict_do_nothing(index_elements=[User.email])
        .returning(User.id)
    )
    if user_id is None:
        return None
    return await session.get(User, user_id)


async def bump_token_version(session: AsyncSession, user: User) -> None:
    """Every access token issued so far stops working (they carry the old version). Incremented
    in SQL, so two simultaneous bumps both count."""
    version = await session.scalar(
        update(User)
        .where(User.id == user.id)
        .values(token_version=User.token_version + 1)
        .returning(User.token_version)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(user, "token_version", version)


# --- sessions and refresh tokens --------------------------------------------------------------


async def add_session(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    method: str,
    expires_at: datetime,
    ip: str | None,
    user_agent: str | None,
    now: datetime,
) -> AuthSession:
    auth_session = AuthSession(
        user_id=user_id,
        method=method,
        expires_at=expires_at,
        last_used_at=now,
        ip=ip,
        user_agent=user_agent,
    )
    session.add(auth_session)
    await session.flush()
    return auth_session


async def add_refresh_token(
    session: AsyncSession, *, session_id: uuid.UUID, token_hash: str, expires_at: datetime
) -> None:
    session.add(RefreshToken(session_id=session_id, token_hash=token_hash, expires_at=expires_at))
    await session.flush()


async def find_refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.scalar(
        select(RefreshToken)
        .where(RefreshToken.token_hash == token_hash)
        .execution_options(populate_existing=True)
    )


async def use_refresh_token(
    session: AsyncSession, token_hash: str, now: datetime
) -> uuid.UUID | None:
    """Mark an unused, unexpired refresh token used; its session id, or None when it was not
    (unknown, expired, or already used: a concurrent refresh waits on the row and then loses)."""
    result = await session.scalar(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == token_hash,
            RefreshToken.used_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(RefreshToken.session_id)
        .execution_options(synchronize_session=False)
    )
    return result


async def get_session_with_user(
    session: AsyncSession, session_id: uuid.UUID, *, for_update: bool = False
) -> tuple[AuthSession, User] | None:
    query = (
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.id == session_id)
        .execution_options(populate_existing=True)
    )
    if for_update:
        query = query.with_for_update(of=AuthSession)
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def get_caller(
    session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID | None
) -> tuple[User | None, AuthSession | None]:
    """The user of an access token and, when the token names one, its session: one query."""
    if session_id is None:
        return await session.get(User, user_id), None
    row = (
        await session.execute(
            select(User, AuthSession)
            .outerjoin(
                AuthSession, (AuthSession.id == session_id) & (AuthSession.user_id == User.id)
            )
            .where(User.id == user_id)
        )
    ).first()
    if row is None:
        return None, None
    return row[0], row[1]


async def touch_session(session: AsyncSession, session_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


async def revoke_session(
    session: AsyncSession, session_id: uuid.UUID, *, reason: str, now: datetime
) -> bool:
    """Revoke one session; False when it already was."""
    revoked = await session.scalar(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .returning(AuthSession.id)
        .execution_options(synchronize_session=False)
    )
    return revoked is not None


async def revoke_user_sessions(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    reason: str,
    now: datetime,
    keep_session_id: uuid.UUID | None = None,
) -> int:
    query = (
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .returning(AuthSession.id)
        .execution_options(synchronize_session=False)
    )
    if keep_session_id is not None:
        query = query.where(AuthSession.id != keep_session_id)
    return len((await session.scalars(query)).all())


# --- email tokens -------------------------------------------------------------------------------


async def add_email_token(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    purpose: EmailTokenPurpose,
    token_hash: str,
    email: str,
    expires_at: datetime,
) -> EmailToken:
    token = EmailToken(
        user_id=user_id, purpose=purpose, token_hash=token_hash, email=email, expires_at=expires_at
    )
    session.add(token)
    await session.flush()
    return token


async def retire_email_tokens(
    session: AsyncSession, *, user_id: uuid.UUID, purpose: EmailTokenPurpose, now: datetime
) -> None:
    """Older unused tokens of this purpose stop working (only the newest link is valid)."""
    await session.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user_id,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


async def use_email_token(
    session: AsyncSession, *, token_hash: str, purpose: EmailTokenPurpose, now: datetime
) -> EmailToken | None:
    """Consume a valid token (unused, unexpired, of this purpose) once; None otherwise."""
    token_id = await session.scalar(
        update(EmailToken)
        .where(
            EmailToken.token_hash == token_hash,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(EmailToken.id)
        .execution_options(synchronize_session=False)
    )
    if token_id is None:
        return None
    return await session.scalar(
        select(EmailToken)
        .where(EmailToken.id == token_id)
        .execution_options(populate_existing=True)
    )


async def find_email_token(session: AsyncSession, token_hash: str) -> EmailToken | None:
    return await session.scalar(select(EmailToken).where(EmailToken.token_hash == token_hash))


# --- linked identities --------------------------------------------------------------------------


async def get_linked_user(
    session: AsyncSession, *, provider: str, provider_account_id: str
) -> User | None:
    return await session.scalar(
        select(User)
        .join(OAuthAccount, OAuthAccount.user_id == User.id)
        .where(
            OAuthAccount.provider == provider,
            OAuthAccount.provider_account_id == provider_account_id,
        )
    )


async def link_account(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    provider: str,
    provider_account_id: str,
    email: str,
) -> bool:
    """Link an identity; False when the user already has one at this provider, or the identity
    belongs to someone (the unique constraints decide)."""
    linked = await session.scalar(
        insert(OAuthAccount)
        .values(
            id=uuid.uuid4(),
            user_id=user_id,
            provider=provider,
            provider_account_id=provider_account_id,
            email=email,
        )
        .on_conflict_do_nothing()
        .returning(OAuthAccount.id)
    )
    return linked is not None


# --- clean-up -----------------------------------------------------------------------------------


async def delete_expired(
    session: AsyncSession, *, sessions_before: datetime, tokens_before: datetime
) -> dict[str, int]:
    """Delete sessions that ended before `sessions_before` (their refresh tokens go with them)
    and refresh or email tokens that expired before `tokens_before`."""
    counts: dict[str, int] = {}
    for name, statement in (
        ("sessions", delete(AuthSession).where(AuthSession.expires_at < sessions_before)),
        ("refresh_tokens", delete(RefreshToken).where(RefreshToken.expires_at < tokens_before)),
        ("email_tokens", delete(EmailToken).where(EmailToken.expires_at < tokens_before)),
    ):
        result = await session.execute(statement.execution_options(synchronize_session=False))
        counts[name] = int(getattr(result, "rowcount", 0) or 0)
    return counts
