"""/api/users: the signed-in user's profile and password; the admin's list of accounts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile

from authorhub.auth import service as auth_service
from authorhub.auth.cookies import set_access_cookie
from authorhub.auth.dependencies import AdminUser, AppSettings, Client, CurrentUser, VerifiedUser
from authorhub.auth.tokens import ACCESS_COOKIE
from authorhub.db import DbSession
from authorhub.kit.pagination import Paging
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.schemas import Envelope, Page, Pagination, ok
from authorhub.media import service as media_service
from authorhub.media.uploads import PublicStorage, read_limited
from authorhub.models import Role
from authorhub.users import service
from authorhub.users.schemas import (
    AccessTokenRead,
    AdminUserUpdate,
    PasswordChange,
    ProfileUpdate,
    UserAdminRead,
    UserRead,
)

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", summary="The signed-in user")
async def read_me(user: CurrentUser) -> Envelope[UserRead]:
    return ok(UserRead.of(user))


@router.patch("/me", summary="Change name, bio, phone or preferences (only the fields sent)")
async def update_me(
    body: ProfileUpdate, user: CurrentUser, session: DbSession
) -> Envelope[UserRead]:
    updated = await service.update_profile(session, user=user, changes=body)
    return ok(UserRead.of(updated))


@router.put(
    "/me/avatar",
    summary="Upload a new avatar (JPEG, PNG, WebP; verified members); the old one is deleted",
)
async def put_avatar(
    user: VerifiedUser,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    storage: PublicStorage,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP, judged by its content")],
) -> Envelope[UserRead]:
    data = await read_limited(file, max_bytes=settings.media.max_image_bytes)
    await media_service.set_avatar(
        session, settings=settings, limiter=limiter, storage=storage, user=user, data=data
    )
    return ok(UserRead.of(user))


@router.delete("/me/avatar", summary="Remove the avatar (its file is deleted)")
async def delete_avatar(user: CurrentUser, session: DbSession) -> Envelope[UserRead]:
    await media_service.remove_avatar(session, user=user)
    return ok(UserRead.of(user))


@router.put(
    "/me/password",
    summary="Change the password; every other session ends, this one goes on",
)
async def change_password(
    body: PasswordChange,
    request: Request,
    response: Response,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
) -> Envelope[AccessTokenRead]:
    renewed = await auth_service.change_password(
        session,
        settings=settings,
        limiter=limiter,
        user=user,
        current_password=body.current_password,
        new_password=body.new_password,
        session_id=request.state.session_id,
        client=client,
    )
    if renewed is None:
        return ok(AccessTokenRead(message="Password changed. Sign in again."))
    access_token, expires_in = renewed
    if ACCESS_COOKIE in request.cookies:
        set_access_cookie(response, settings, access_token, expires_in)
    return ok(
        AccessTokenRead(
            message="Password changed.", access_token=access_token, expires_in=expires_in
        )
    )


@router.get("", summary="Admin: list accounts (search by email or name, filter by role)")
async def list_users(
    _: AdminUser,
    session: DbSession,
    paging: Paging,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="fragment of email or name")
    ] = None,
    role: Role | None = None,
    is_active: Annotated[bool | None, Query(alias="isActive")] = None,
) -> Page[UserAdminRead]:
    users, total = await service.list_users(
        session, paging=paging, search=q.strip() if q else None, role=role, is_active=is_active
    )
    return Page[UserAdminRead](
        data=[UserAdminRead.of(user) for user in users],
        pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total),
    )


@router.patch("/{user_id}", summary="Admin: change a user's role or deactivate/reactivate them")
async def update_user(
    user_id: uuid.UUID,
    body: AdminUserUpdate,
    admin: AdminUser,
    session: DbSession,
    client: Client,
) -> Envelope[UserAdminRead]:
    user = await service.update_user_as_admin(
        session,
        admin=admin,
        user_id=user_id,
        role=body.role,
        is_active=body.is_active,
        client=client,
    )
    return ok(UserAdminRead.of(user))
