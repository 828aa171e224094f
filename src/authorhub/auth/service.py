"""Accounts and sign-in: registration, sessions with rotating refresh tokens, email
verification, password reset and change, Google sign-in. Keyword-only use-cases; never commit.

Sessions: signing in creates an `auth_sessions` row (one per device) and a refresh token;
every refresh marks the presented token used and issues a new one in the same session. A used
token presented again means two parties hold it, so the session is revoked for both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth import repository as repo
from authorhub.auth.audit import AuditEvent, ClientInfo, record
from authorhub.auth.passwords import hash_password, verify_password
from authorhub.auth.tokens import (
    InvalidToken,
    create_access_token,
    csrf_token_for,
    csrf_token_matches,
    decode_access_token,
)
from authorhub.config import Settings
from authorhub.errors import AppError, BadRequest, Conflict, Forbidden, Unauthorized, Unprocessable
from authorhub.jobs import defer
from authorhub.kit.crypto import hash_token, new_token
from authorhub.kit.ratelimit import RateLimiter
from authorhub.kit.time import utcnow
from authorhub.mail.service import send_mail
from authorhub.models import AuthSession, EmailToken, EmailTokenPurpose, Role, User

REFRESH_TOKEN_BYTES = 32  # 256 bits
EMAIL_TOKEN_BYTES = 32
GOOGLE = "google"
INVALID_CREDENTIALS = "Invalid email or password."


class RecordedRefusal(AppError):
    """A refusal whose records must be kept: the failed sign-in in the audit log, the session
    revoked after a refresh token replay. The auth router answers it as an error *without*
    raising, so the request's unit of work commits them."""

    status_code = 401
    code = "not_authenticated"


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    user: User
    session_id: uuid.UUID
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_token_expires_at: datetime
    csrf_token: str


# --- registration and sign-in ----------------------------------------------------------------


async def register(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    name: str,
    email: str,
    password: str,
    client: ClientInfo,
) -> User:
    await limiter.hit("register-ip", settings.auth.register_limit_per_ip, client.ip_or_unknown)
    password_hash = await hash_password(password)
    user = await repo.insert_user(session, email=email, name=name, password_hash=password_hash)
    if user is None:
        raise Conflict("This email is already registered.", code="email_taken")
    await record(session, AuditEvent.registered, client=client, user_id=user.id, actor_id=user.id)
    await _send_verification(session, settings=settings, user=user)
    return user


async def login(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    email: str,
    password: str,
    client: ClientInfo,
) -> IssuedTokens:
    await limiter.hit("login-ip", settings.auth.login_limit_per_ip, client.ip_or_unknown)
    await limiter.hit("login-account", settings.auth.login_limit_per_account, email)
    user = await repo.get_user_by_email(session, email)
    # Verified even when there is no such user (against a dummy hash): same work, same time.
    matches, new_hash = await verify_password(password, user.password_hash if user else None)
    if user is None or not matches or not user.is_active:
        reason = (
            "unknown_email"
            if user is None
            else "wrong_password"
            if not matches
            else "account_disabled"
        )
        await record(
            session,
            AuditEvent.login_failed,
            client=client,
            user_id=user.id if user else None,
            reason=reason,
            email=email,
        )
        # One answer for every reason, so the response tells nothing about the account.
        raise RecordedRefusal(INVALID_CREDENTIALS, code="invalid_credentials")
    if new_hash is not None:  # a bcrypt hash from the original, or older argon2 parameters
        user.password_hash = new_hash
    tokens = await _start_session(
        session, settings=settings, user=user, method="password", client=client
    )
    await record(
        session,
        AuditEvent.login_succeeded,
        client=client,
        user_id=user.id,
        actor_id=user.id,
        method="password",
        session_id=str(tokens.session_id),
        rehashed=new_hash is not None,
    )
    return tokens


async def refresh(
    session: AsyncSession,
    *,
    settings: Settings,
    refresh_token: str,
    client: ClientInfo,
    require_csrf: bool = False,
    csrf_token: str | None = None,
) -> IssuedTokens:
    token_hash = hash_token(refresh_token)
    stored = await repo.find_refresh_token(session, token_hash)
    if stored is None:
        raise Unauthorized("The refresh token is invalid.", code="invalid_refresh_token")
    if require_csrf and not csrf_token_matches(settings, stored.session_id, csrf_token):
        raise Forbidden("A valid X-CSRF-Token header is required.", code="csrf_failed")
    now = utcnow()
    session_id = await repo.use_refresh_token(session, token_hash, now)
    if session_id is None:
        stored = await repo.find_refresh_token(session, token_hash)  # its state after the lock
        if stored is not None and stored.used_at is not None:
            await _revoke_after_replay(session, session_id=stored.session_id, client=client)
            raise RecordedRefusal(
                "This refresh token was already used. The session has been ended; sign in again.",
                code="refresh_token_reused",
            )
        raise Unauthorized("The refresh token has expired.", code="refresh_token_expired")
    found = await repo.get_session_with_user(session, session_id, for_update=True)
    if found is None:  # pragma: no cover - the foreign key makes this impossible
        raise Unauthorized("The refresh token is invalid.", code="invalid_refresh_token")
    auth_session, user = found
    _ensure_session_usable(auth_session, user, now)
    auth_session.last_used_at = now
    return await _issue_tokens(
        session, settings=settings, user=user, auth_session=auth_session, now=now
    )


async def logout(
    session: AsyncSession,
    *,
    settings: Settings,
    client: ClientInfo,
    refresh_token: str | None = None,
    require_csrf: bool = False,
    csrf_token: str | None = None,
    session_id: uuid.UUID | None = None,
) -> None:
    """End the session named by a refresh token, or by the caller's access token. Ending an
    already ended session is not an error."""
    if refresh_token is not None:
        stored = await repo.find_refresh_token(session, hash_token(refresh_token))
        if stored is None:
            raise Unauthorized("The refresh token is invalid.", code="invalid_refresh_token")
        if require_csrf and not csrf_token_matches(settings, stored.session_id, csrf_token):
            raise Forbidden("A valid X-CSRF-Token header is required.", code="csrf_failed")
        session_id = stored.session_id
    if session_id is None:
        raise Unauthorized("Sign in first.", code="not_authenticated")
    found = await repo.get_session_with_user(session, session_id)
    if found is None:
        return
    auth_session, user = found
    if await repo.revoke_session(session, auth_session.id, reason="logout", now=utcnow()):
        await record(
            session,
            AuditEvent.logout,
            client=client,
            user_id=user.id,
            actor_id=user.id,
            session_id=str(auth_session.id),
        )


async def csrf_token(
    session: AsyncSession,
    *,
    settings: Settings,
    access_token: str | None,
    refresh_token: str | None,
) -> str:
    """The CSRF token of the cookie session, found from the access cookie or, when that has
    expired, from the refresh cookie."""
    session_id: uuid.UUID | None = None
    if access_token:
        try:
            session_id = decode_access_token(settings, access_token).session_id
        except InvalidToken:
            session_id = None
    if session_id is None and refresh_token:
        stored = await repo.find_refresh_token(session, hash_token(refresh_token))
        if stored is not None and stored.used_at is None and stored.expires_at > utcnow():
            session_id = stored.session_id
    if session_id is None:
        raise Unauthorized("Sign in first.", code="not_authenticated")
    return csrf_token_for(settings, session_id)


def _ensure_session_usable(auth_session: AuthSession, user: User, now: datetime) -> None:
    if auth_session.revoked_at is not None or not user.is_active:
        raise Unauthorized("This session has ended; sign in again.", code="session_revoked")
    if auth_session.expires_at <= now:
        raise Unauthorized("This session has expired; sign in again.", code="session_expired")


async def _start_session(
    session: AsyncSession, *, settings: Settings, user: User, method: str, client: ClientInfo
) -> IssuedTokens:
    now = utcnow()
    user.last_login_at = now
    auth_session = await repo.add_session(
        session,
        user_id=user.id,
        method=method,
        expires_at=now + timedelta(days=settings.auth.session_max_days),
        ip=client.ip,
        user_agent=(client.user_agent or "")[:512] or None,
        now=now,
    )
    return await _issue_tokens(
        session, settings=settings, user=user, auth_session=auth_session, now=now
    )


async def _issue_tokens(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    auth_session: AuthSession,
    now: datetime,
) -> IssuedTokens:
    refresh_token = new_token(REFRESH_TOKEN_BYTES)
    refresh_expires_at = min(
        now + timedelta(days=settings.auth.refresh_token_days), auth_session.expires_at
    )
    await repo.add_refresh_token(
        session,
        session_id=auth_session.id,
        token_hash=hash_token(refresh_token),
        expires_at=refresh_expires_at,
    )
    access_token, expires_in = create_access_token(
        settings,
        user_id=user.id,
        role=user.role.value,
        token_version=user.token_version,
        session_id=auth_session.id,
    )
    return IssuedTokens(
        user=user,
        session_id=auth_session.id,
        access_token=access_token,
        expires_in=expires_in,
        refresh_token=refresh_token,
        refresh_token_expires_at=refresh_expires_at,
        csrf_token=csrf_token_for(settings, auth_session.id),
    )


async def _revoke_after_replay(
    session: AsyncSession, *, session_id: uuid.UUID, client: ClientInfo
) -> None:
    found = await repo.get_session_with_user(session, session_id)
    if found is None:  # pragma: no cover - the foreign key makes this impossible
        return
    auth_session, user = found
    if await repo.revoke_session(
        session, auth_session.id, reason="refresh_token_reused", now=utcnow()
    ):
        await record(
            session,
            AuditEvent.refresh_token_reused,
            client=client,
            user_id=user.id,
            session_id=str(auth_session.id),
        )


# --- email verification ---------------------------------------------------------------------


async def resend_verification(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    email: str,
    client: ClientInfo,
) -> None:
    """Queue a new verification link. The answer never says whether the account exists: a
    job does the lookup, so both cases take the same time here."""
    from authorhub.auth.tasks import send_verification_email  # the task module imports this one

    await limiter.hit("resend-email", settings.auth.resend_limit_per_email, email)
    await limiter.hit("resend-ip", settings.auth.resend_limit_per_ip, client.ip_or_unknown)
    await defer(session, send_verification_email, email=email)


async def send_verification_to(session: AsyncSession, *, settings: Settings, email: str) -> bool:
    """The job's body: a fresh link to an active, unverified account; False when none is due."""
    user = await repo.get_user_by_email(session, email)
    if user is None or not user.is_active or user.is_verified:
        return False
    await _send_verification(session, settings=settings, user=user)
    return True


async def verify_email(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    token: str,
    client: ClientInfo,
) -> User:
    await limiter.hit("email-token-ip", settings.auth.token_limit_per_ip, client.ip_or_unknown)
    used = await _use_email_token(session, token=token, purpose=EmailTokenPurpose.verify_email)
    user = await repo.get_user(session, used.user_id)
    if user is None or user.email != used.email:
        raise BadRequest("This link is not valid.", code="invalid_token")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        await record(
            session, AuditEvent.email_verified, client=client, user_id=user.id, actor_id=user.id
        )
    return user


async def _send_verification(session: AsyncSession, *, settings: Settings, user: User) -> None:
    hours = settings.auth.verify_email_token_hours
    await _email_link(
        session,
        settings=settings,
        user=user,
        purpose=EmailTokenPurpose.verify_email,
        ttl=timedelta(hours=hours),
        page="verify-email",
        hours=hours,
    )


# --- password reset and change --------------------------------------------------------------


async def request_password_reset(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    email: str,
    client: ClientInfo,
) -> None:
    """Queue a reset link; the same answer, in the same time, whether the account exists."""
    from authorhub.auth.tasks import send_password_reset_email

    await limiter.hit("reset-email", settings.auth.reset_limit_per_email, email)
    await limiter.hit("reset-ip", settings.auth.reset_limit_per_ip, client.ip_or_unknown)
    await defer(session, send_password_reset_email, email=email)


async def send_password_reset_to(session: AsyncSession, *, settings: Settings, email: str) -> bool:
    """The job's body: a single-use link (built from FRONTEND_URL, never a request's Host)."""
    user = await repo.get_user_by_email(session, email)
    if user is None or not user.is_active:
        return False
    minutes = settings.auth.reset_password_token_minutes
    await _email_link(
        session,
        settings=settings,
        user=user,
        purpose=EmailTokenPurpose.reset_password,
        ttl=timedelta(minutes=minutes),
        page="reset-password",
        minutes=minutes,
    )
    return True


async def confirm_password_reset(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    token: str,
    password: str,
    client: ClientInfo,
) -> None:
    """Set the new password, end every session and every access token; no automatic sign-in."""
    await limiter.hit("email-token-ip", settings.auth.token_limit_per_ip, client.ip_or_unknown)
    used = await _use_email_token(session, token=token, purpose=EmailTokenPurpose.reset_password)
    user = await repo.get_user(session, used.user_id)
    if user is None or user.email != used.email or not user.is_active:
        raise BadRequest("This link is not valid.", code="invalid_token")
    _check_password_policy(password, user.email, field="password")
    user.password_hash = await hash_password(password)
    if user.email_verified_at is None:  # following the emailed link proved the address
        user.email_verified_at = utcnow()
    ended = await end_sessions(session, user=user, reason="password_reset")
    await record(
        session,
        AuditEvent.password_reset,
        client=client,
        user_id=user.id,
        actor_id=user.id,
        sessions_ended=ended,
    )
    await _send_password_changed(session, settings=settings, user=user, client=client)


async def change_password(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    user: User,
    current_password: str,
    new_password: str,
    session_id: uuid.UUID | None,
    client: ClientInfo,
) -> tuple[str, int] | None:
    """Change the password knowing the current one. Every other session ends; the caller's
    goes on with the returned (access token, lifetime), or None for a token without session."""
    await limiter.hit("password-change", settings.auth.password_change_limit_per_user, str(user.id))
    if user.password_hash is None:
        raise BadRequest(
            "This account has no password yet: use 'forgot password' to set one.",
            code="no_password",
        )
    matches, _ = await verify_password(current_password, user.password_hash)
    if not matches:
        raise BadRequest("The current password is wrong.", code="wrong_password")
    _check_password_policy(new_password, user.email, field="newPassword")
    user.password_hash = await hash_password(new_password)
    ended = await end_sessions(
        session, user=user, reason="password_changed", keep_session_id=session_id
    )
    await record(
        session,
        AuditEvent.password_changed,
        client=client,
        user_id=user.id,
        actor_id=user.id,
        sessions_ended=ended,
    )
    await _send_password_changed(session, settings=settings, user=user, client=client)
    if session_id is None:
        return None
    return create_access_token(
        settings,
        user_id=user.id,
        role=user.role.value,
        token_version=user.token_version,
        session_id=session_id,
    )


async def end_sessions(
    session: AsyncSession, *, user: User, reason: str, keep_session_id: uuid.UUID | None = None
) -> int:
    """End every session of the user (but `keep_session_id`) and every access token issued so
    far (password change or reset, deactivation, a claimed address); how many sessions ended."""
    await repo.bump_token_version(session, user)
    return await repo.revoke_user_sessions(
        session, user.id, reason=reason, now=utcnow(), keep_session_id=keep_session_id
    )


def _check_password_policy(password: str, email: str, *, field: str) -> None:
    if password.strip().lower() == email.lower():
        raise Unprocessable(
            "The password must not be the email address.",
            code="validation_error",
            details=[
                {
                    "field": f"body.{field}",
                    "message": "must not be the email address",
                    "type": "password_is_email",
                }
            ],
        )


async def _send_password_changed(
    session: AsyncSession, *, settings: Settings, user: User, client: ClientInfo
) -> None:
    await send_mail(
        session,
        to=user.email,
        template="password_changed",
        context={
            "name": user.name,
            "when": utcnow().strftime("%d %B %Y, %H:%M UTC"),
            "ip": client.ip or "an unknown address",
            "action_url": f"{settings.frontend_base}/forgot-password",
        },
        settings=settings,
    )


# --- one-time email tokens --------------------------------------------------------------------


async def _new_email_token(
    session: AsyncSession, *, user: User, purpose: EmailTokenPurpose, ttl: timedelta
) -> tuple[str, EmailToken]:
    now = utcnow()
    await repo.retire_email_tokens(session, user_id=user.id, purpose=purpose, now=now)
    token = new_token(EMAIL_TOKEN_BYTES)
    row = await repo.add_email_token(
        session,
        user_id=user.id,
        purpose=purpose,
        token_hash=hash_token(token),
        email=user.email,
        expires_at=now + ttl,
    )
    return token, row


async def _use_email_token(
    session: AsyncSession, *, token: str, purpose: EmailTokenPurpose
) -> EmailToken:
    token_hash = hash_token(token)
    used = await repo.use_email_token(session, token_hash=token_hash, purpose=purpose, now=utcnow())
    if used is not None:
        return used
    known = await repo.find_email_token(session, token_hash)
    if known is None or known.purpose != purpose:
        raise BadRequest("This link is not valid.", code="invalid_token")
    if known.used_at is not None:
        raise BadRequest(
            "This link was already used, or a newer one replaced it.", code="token_used"
        )
    raise BadRequest("This link has expired; ask for a new one.", code="token_expired")


async def _email_link(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    purpose: EmailTokenPurpose,
    ttl: timedelta,
    page: str,
    **context: object,
) -> None:
    """Mail the user a single-use link to a frontend page (the template is named after the
    purpose); links are built from FRONTEND_URL, never from a request's Host header."""
    token, row = await _new_email_token(session, user=user, purpose=purpose, ttl=ttl)
    await send_mail(
        session,
        to=user.email,
        template=purpose.value,
        context={
            "name": user.name,
            "action_url": f"{settings.frontend_base}/{page}?token={token}",
            **context,
        },
        idempotency_key=f"{purpose.value}/{row.id}",
        settings=settings,
    )


# --- clean-up -----------------------------------------------------------------------------------

# Ended sessions stay a month for support questions ("where was I signed in?"); an expired
# token is kept a day, so a late replay still reads as "expired" rather than "unknown".
ENDED_SESSION_RETENTION = timedelta(days=30)
EXPIRED_TOKEN_RETENTION = timedelta(days=1)


async def purge_expired(session: AsyncSession) -> dict[str, int]:
    now = utcnow()
    return await repo.delete_expired(
        session,
        sessions_before=now - ENDED_SESSION_RETENTION,
        tokens_before=now - EXPIRED_TOKEN_RETENTION,
    )


# --- Google sign-in -----------------------------------------------------------------------------


async def sign_in_with_google(
    session: AsyncSession,
    *,
    settings: Settings,
    subject: str,
    email: str,
    email_verified: bool,
    name: str,
    client: ClientInfo,
) -> IssuedTokens:
    """Sign in the user linked to this Google identity; link it by verified email, or create
    the account, the first time. A disabled account is refused before anything about it
    changes (no link, no claim): only the attempt is recorded."""
    email = email.lower()
    linked = await repo.get_linked_user(session, provider=GOOGLE, provider_account_id=subject)
    user = linked
    if user is None:
        if not email_verified:
            raise BadRequest(
                "Google has not verified this email address.", code="google_email_unverified"
            )
        user = await repo.get_user_by_email(session, email, for_update=True)
    if user is not None and not user.is_active:
        await record(
            session,
            AuditEvent.login_failed,
            client=client,
            user_id=user.id,
            reason="account_disabled",
            method=GOOGLE,
        )
        raise RecordedRefusal("This account is disabled.", code="account_disabled")
    if linked is None:
        user = await _link_google(
            session, user=user, subject=subject, email=email, name=name, client=client
        )
    assert user is not None
    tokens = await _start_session(
        session, settings=settings, user=user, method=GOOGLE, client=client
    )
    await record(
        session,
        AuditEvent.login_succeeded,
        client=client,
        user_id=user.id,
        actor_id=user.id,
        method=GOOGLE,
        session_id=str(tokens.session_id),
    )
    return tokens


async def _link_google(
    session: AsyncSession,
    *,
    user: User | None,
    subject: str,
    email: str,
    name: str,
    client: ClientInfo,
) -> User:
    """Link the Google identity to the account of its (verified) email, creating the account
    when there is none."""
    now = utcnow()
    if user is None:
        user = await repo.insert_user(
            session,
            email=email,
            name=(name or email.split("@")[0])[:120],
            password_hash=None,
            role=Role.member,
            email_verified_at=now,
        )
        if user is None:
            # Someone registered the address a moment ago: link that account.
            user = await repo.get_user_by_email(session, email, for_update=True)
            assert user is not None
    if user.email_verified_at is None:
        # Anyone could have registered this address without owning it; Google has just shown
        # who owns it. Whatever password and sessions the unverified account had are dropped.
        user.password_hash = None
        user.email_verified_at = now
        await end_sessions(session, user=user, reason="email_claimed")
    if not await repo.link_account(
        session, user_id=user.id, provider=GOOGLE, provider_account_id=subject, email=email
    ):
        raise Conflict(
            "This account is already linked to another Google account.",
            code="google_account_conflict",
        )
    await record(
        session, AuditEvent.google_linked, client=client, user_id=user.id, actor_id=user.id
    )
    return user
