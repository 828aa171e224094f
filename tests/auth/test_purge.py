"""The daily clean-up of ended sessions and expired tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.tasks import purge_expired_task
from authorhub.jobs import job_app
from authorhub.kit.crypto import hash_token, new_token
from authorhub.kit.time import utcnow
from authorhub.models import AuthSession, EmailToken, EmailTokenPurpose, RefreshToken, User


async def _session(db: AsyncSession, user: User, *, ends_in: timedelta) -> AuthSession:
    session = AuthSession(user_id=user.id, method="password", expires_at=utcnow() + ends_in)
    db.add(session)
    await db.flush()
    return session


async def _refresh_token(
    db: AsyncSession, session: AuthSession, *, expires_in: timedelta
) -> RefreshToken:
    token = RefreshToken(
        session_id=session.id, token_hash=hash_token(new_token()), expires_at=utcnow() + expires_in
    )
    db.add(token)
    await db.flush()
    return token


async def test_deletes_what_ended_long_ago_and_keeps_the_rest(
    db: AsyncSession, member: User
) -> None:
    old_session = await _session(db, member, ends_in=-timedelta(days=31))
    await _refresh_token(db, old_session, expires_in=-timedelta(days=40))
    live_session = await _session(db, member, ends_in=timedelta(days=60))
    stale_token = await _refresh_token(db, live_session, expires_in=-timedelta(days=2))
    fresh_token = await _refresh_token(db, live_session, expires_in=timedelta(days=20))
    for expires_in in (-timedelta(days=2), timedelta(hours=1)):
        db.add(
            EmailToken(
                user_id=member.id,
                purpose=EmailTokenPurpose.reset_password,
                token_hash=hash_token(new_token()),
                email=member.email,
                expires_at=utcnow() + expires_in,
            )
        )
    await db.flush()

    live_id, stale_id, fresh_id = live_session.id, stale_token.id, fresh_token.id

    deleted = await job_app.tasks["auth.purge_expired"].func(timestamp=0)

    assert deleted == {"sessions": 1, "refresh_tokens": 1, "email_tokens": 1}
    sessions = (
        await db.scalars(select(AuthSession.id).where(AuthSession.user_id == member.id))
    ).all()
    assert sessions == [live_id]
    tokens = set(
        (await db.scalars(select(RefreshToken.id).where(RefreshToken.session_id == live_id))).all()
    )
    assert tokens == {fresh_id} and stale_id not in tokens
    remaining = (await db.scalars(select(EmailToken).where(EmailToken.user_id == member.id))).all()
    assert len(remaining) == 1 and remaining[0].expires_at > utcnow()


def test_runs_every_day() -> None:
    crons = {t.task.name: t.cron for t in job_app.periodic_registry.periodic_tasks.values()}
    assert crons[purge_expired_task.name] == "41 3 * * *"
