"""The security audit log: `record()` adds one row in the caller's unit of work (the events
below, or another domain's own name such as the web admin's `admin.order.refund`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import AuditLog


class AuditEvent(StrEnum):
    registered = "registered"
    login_succeeded = "login_succeeded"
    login_failed = "login_failed"
    logout = "logout"
    refresh_token_reused = "refresh_token_reused"  # noqa: S105 - an event name
    email_verified = "email_verified"
    password_changed = "password_changed"  # noqa: S105
    password_reset = "password_reset"  # noqa: S105
    role_changed = "role_changed"
    user_deactivated = "user_deactivated"
    user_reactivated = "user_reactivated"
    google_linked = "google_linked"
    register_attempted = "register_attempted"  # someone signed up with this account's address
    # The academy: an admin enrols or un-enrols a member by hand.
    enrollment_granted = "enrollment_granted"
    enrollment_revoked = "enrollment_revoked"


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Where a request came from, as recorded in sessions and the audit log."""

    ip: str | None = None
    user_agent: str | None = None

    @property
    def ip_or_unknown(self) -> str:
        return self.ip or "unknown"


async def record(
    session: AsyncSession,
    event: AuditEvent | str,
    *,
    client: ClientInfo,
    user_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    **details: Any,
) -> None:
    session.add(
        AuditLog(
            event=str(event),  # other domains record their own event names
            user_id=user_id,
            actor_id=actor_id,
            ip=client.ip,
            user_agent=(client.user_agent or "")[:512] or None,
            details=details,
        )
    )
