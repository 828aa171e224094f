"""Accounts: role changes and (de)activation through the users service, which audits them and
ends every session of a deactivated account."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.audit import ClientInfo
from authorhub.models import Role, User
from authorhub.users import service as users


async def update(
    session: AsyncSession,
    *,
    admin: User,
    user_id: uuid.UUID,
    role: Role | None = None,
    is_active: bool | None = None,
    client: ClientInfo,
) -> User:
    return await users.update_user_as_admin(
        session, admin=admin, user_id=user_id, role=role, is_active=is_active, client=client
    )
