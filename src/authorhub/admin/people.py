"""Users (roles, deactivation: every session ends) and the audit log."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from authorhub.admin.actions import users as user_actions
from authorhub.admin.frame import (
    AdminCaller,
    Flash,
    admin_router,
    fetch_page,
    nav_section,
    problem_text,
    query_text,
    redirect,
    render,
)
from authorhub.db import DbSession
from authorhub.errors import AppError
from authorhub.models import AuditLog, Role, User

router = admin_router()
nav_section("Users", "/admin/users", order=60)
nav_section("Audit log", "/admin/audit", order=90)


@router.get("/users")
async def user_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    statement = select(User)
    if q := query_text(request, "q"):
        like = f"%{q.lower()}%"
        statement = statement.where(or_(User.email.ilike(like), User.name.ilike(like)))
    if (role := request.query_params.get("role")) in {r.value for r in Role}:
        statement = statement.where(User.role == Role(role))
    if (active := request.query_params.get("active")) in ("yes", "no"):
        statement = statement.where(User.is_active.is_(active == "yes"))
    page = await fetch_page(
        session,
        request,
        statement,
        sorts={
            "-joined": User.created_at,
            "email": User.email,
            "name": User.name,
            "role": User.role,
            "last_login": User.last_login_at,
        },
    )
    return render(
        request,
        caller,
        "people/users.html",
        page=page,
        roles=[r.value for r in Role],
        role_options=[(r.value, r.value) for r in Role],
    )


@router.post("/users/{user_id}")
async def update_user(
    user_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    """A role change or (de)activation; the users service audits it (role_changed,
    user_deactivated ...) and ends a deactivated account's sessions."""
    form = await request.form()
    role = form.get("role")
    active = form.get("active")
    back = request.headers.get("hx-current-url") or "/admin/users"
    try:
        async with session.begin_nested():
            user = await user_actions.update(
                session,
                admin=caller.user,
                user_id=user_id,
                role=Role(role) if role in {r.value for r in Role} else None,
                is_active={"yes": True, "no": False}.get(str(active)),
                client=caller.client,
            )
    except AppError as exc:
        return redirect(request, back, flash=Flash("error", problem_text(exc)))
    state = "active" if user.is_active else "deactivated (signed out everywhere)"
    return redirect(
        request, back, flash=Flash("success", f"{user.email}: {user.role.value}, {state}.")
    )


@router.get("/audit")
async def audit_log(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    actor = aliased(User)
    subject = aliased(User)
    statement = (
        select(AuditLog, actor.email, subject.email)
        .outerjoin(actor, actor.id == AuditLog.actor_id)
        .outerjoin(subject, subject.id == AuditLog.user_id)
    )
    if event := query_text(request, "event", 64):
        statement = statement.where(AuditLog.event.startswith(event, autoescape=True))
    if who := query_text(request, "who", 320):
        like = f"%{who.lower()}%"
        statement = statement.where(or_(actor.email.ilike(like), subject.email.ilike(like)))
    page = await fetch_page(
        session,
        request,
        statement,
        sorts={"-when": AuditLog.created_at, "event": AuditLog.event},
        scalars=False,
    )
    return render(request, caller, "people/audit.html", page=page)
