"""The newsletter's admin pages: subscribers (filter, CSV import with its report, export),
campaigns (create from a template, preview, test send, send now or later, cancel, stats with a
progress bar polled by htmx while sending) and email templates (edit, refused with the reason
when it does not render, preview with sample data, revert to the default). Everything goes
through the newsletter's and the email templates' services (`admin/actions/newsletter.py`)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, or_, select
from starlette.datastructures import FormData, UploadFile

from authorhub.admin.actions import newsletter as actions
from authorhub.admin.frame import (
    AdminCaller,
    Caller,
    Flash,
    admin_router,
    fetch_page,
    form_text,
    form_utc,
    nav_section,
    perform,
    problem_text,
    query_text,
    redirect,
    render,
    validation_text,
)
from authorhub.auth.dependencies import AppSettings
from authorhub.db import DbSession
from authorhub.email_templates.schemas import PreviewRequest, TemplateSave
from authorhub.errors import AppError, Unprocessable
from authorhub.models import (
    CampaignStatus,
    NewsletterCampaign,
    NewsletterSubscriber,
    SubscriberStatus,
    TemplateKind,
)
from authorhub.newsletter.schemas import CampaignCreate, CampaignWrite
from authorhub.newsletter.subscribers import IMPORT_MAX_BYTES

router = admin_router()
nav_section("Subscribers", "/admin/newsletter/subscribers", order=45)
nav_section("Campaigns", "/admin/newsletter/campaigns", order=46)
nav_section("Email templates", "/admin/newsletter/templates", order=47)

# The stats box polls while a campaign waits or sends.
POLLED = frozenset({CampaignStatus.scheduled, CampaignStatus.sending})
# A rendered mail shown in an <iframe sandbox>: its own inline styles, nothing that runs.
MAIL_PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def _mail_page(html: str) -> Response:
    return HTMLResponse(
        html, headers={"Content-Security-Policy": MAIL_PREVIEW_CSP, "X-Frame-Options": "SAMEORIGIN"}
    )


# --- subscribers ------------------------------------------------------------------------------


@router.get("/newsletter/subscribers")
async def subscriber_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    statement = select(NewsletterSubscriber)
    filters: dict[str, str] = {}
    if (status := request.query_params.get("status")) in {s.value for s in SubscriberStatus}:
        statement = statement.where(NewsletterSubscriber.status == SubscriberStatus(status))
        filters["status"] = status
    if source := query_text(request, "source", 50):
        statement = statement.where(NewsletterSubscriber.source == source)
        filters["source"] = source
    if q := query_text(request, "q", 320):
        like = f"%{q.lower()}%"
        statement = statement.where(
            or_(
                NewsletterSubscriber.email.like(like),
                func.lower(NewsletterSubscriber.name).like(like),
            )
        )
        filters["search"] = q
    page = await fetch_page(
        session,
        request,
        statement,
        sorts={
            "-joined": NewsletterSubscriber.created_at,
            "email": NewsletterSubscriber.email,
            "status": NewsletterSubscriber.status,
            "source": NewsletterSubscriber.source,
        },
    )
    export = "/api/admin/newsletter/subscribers/export" + (
        "?" + "&".join(f"{k}={v}" for k, v in filters.items()) if filters else ""
    )
    return render(
        request,
        caller,
        "newsletter/subscribers.html",
        page=page,
        export_url=export,
        status_options=[(s.value, s.value) for s in SubscriberStatus],
        report=None,
    )


@router.post("/newsletter/subscribers/import")
async def import_subscribers(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    form = await request.form()
    upload = form.get("file")
    source = form_text(form, "source") or "import"
    if not isinstance(upload, UploadFile) or not upload.filename:
        return redirect(
            request, "/admin/newsletter/subscribers", flash=Flash("error", "Choose a CSV file.")
        )
    raw = await upload.read(IMPORT_MAX_BYTES + 1)
    try:
        report = await perform(
            session,
            caller,
            "newsletter.import",
            lambda: actions.import_subscribers(session, raw=raw, source=source),
            file=upload.filename[:200],
        )
    except AppError as exc:
        return redirect(
            request, "/admin/newsletter/subscribers", flash=Flash("error", problem_text(exc))
        )
    page = await fetch_page(
        session,
        request,
        select(NewsletterSubscriber),
        sorts={"-joined": NewsletterSubscriber.created_at},
    )
    return render(
        request,
        caller,
        "newsletter/subscribers.html",
        page=page,
        export_url="/api/admin/newsletter/subscribers/export",
        status_options=[(s.value, s.value) for s in SubscriberStatus],
        report=report,
        flash=Flash("success", f"Import done: {report.added} added of {report.rows} rows."),
    )


@router.post("/newsletter/subscribers/{subscriber_id}/unsubscribe")
async def unsubscribe(
    subscriber_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    back = request.headers.get("hx-current-url") or "/admin/newsletter/subscribers"
    try:
        row = await perform(
            session,
            caller,
            "newsletter.unsubscribe",
            lambda: actions.set_subscriber_status(session, subscriber_id, "unsubscribed"),
            target=str(subscriber_id),
        )
    except AppError as exc:
        return redirect(request, back, flash=Flash("error", problem_text(exc)))
    return redirect(request, back, flash=Flash("success", f"{row.email} is unsubscribed."))


# --- campaigns --------------------------------------------------------------------------------


@router.get("/newsletter/campaigns")
async def campaign_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    statement = select(NewsletterCampaign)
    if (status := request.query_params.get("status")) in {s.value for s in CampaignStatus}:
        statement = statement.where(NewsletterCampaign.status == CampaignStatus(status))
    if q := query_text(request, "q"):
        statement = statement.where(NewsletterCampaign.name.ilike(f"%{q}%"))
    page = await fetch_page(
        session,
        request,
        statement,
        sorts={
            "-created": NewsletterCampaign.created_at,
            "name": NewsletterCampaign.name,
            "status": NewsletterCampaign.status,
            "send_at": NewsletterCampaign.send_at,
        },
    )
    return render(
        request,
        caller,
        "newsletter/campaigns.html",
        page=page,
        status_options=[(s.value, s.value) for s in CampaignStatus],
    )


async def _campaign_form(
    request: Request,
    caller: Caller,
    session: DbSession,
    *,
    campaign: Any = None,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    if values is None:
        values = (
            {
                "name": campaign.name,
                "subject": campaign.subject,
                "content": campaign.content,
                "template_name": campaign.template_name,
                "segment_kind": campaign.segment.get("kind", "all"),
                "segment_value": campaign.segment.get("value") or "",
            }
            if campaign
            else {"template_name": "newsletter", "segment_kind": "all"}
        )
    return render(
        request,
        caller,
        "newsletter/campaign.html",
        status_code=status_code,
        flash=Flash("error", error) if error else None,
        campaign=campaign,
        v=values,
        templates=await actions.email_templates(session, TemplateKind.campaign),
        segment_kinds=actions.segment_kinds(),
    )


@router.get("/newsletter/campaigns/new")
async def new_campaign(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    return await _campaign_form(request, caller, session)


@router.get("/newsletter/campaigns/{campaign_id}")
async def show_campaign(
    campaign_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await _campaign_form(
        request, caller, session, campaign=await actions.campaign(session, campaign_id)
    )


@router.get("/newsletter/campaigns/{campaign_id}/stats")
async def campaign_stats(
    campaign_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    """The stats box alone: the campaign page polls it (htmx, every 2 s) while it sends."""
    campaign = await actions.campaign(session, campaign_id)
    response = render(request, caller, "newsletter/_stats.html", campaign=campaign)
    if request.headers.get("hx-request") and campaign.status not in POLLED:
        # Sending ended while the page watched: reload it once, so its buttons fit the state.
        response.headers["HX-Refresh"] = "true"
    return response


@router.get("/newsletter/campaigns/{campaign_id}/preview.html")
async def campaign_preview(
    campaign_id: uuid.UUID, caller: AdminCaller, session: DbSession, settings: AppSettings
) -> Response:
    mail = await actions.preview_campaign(session, campaign_id, settings)
    return _mail_page(mail.html_body)


def _campaign_values(form: FormData) -> dict[str, Any]:
    return {
        "name": form_text(form, "name"),
        "subject": form_text(form, "subject"),
        "content": form_text(form, "content"),
        "template_name": form_text(form, "template_name") or "newsletter",
        "segment_kind": form_text(form, "segment_kind") or "all",
        "segment_value": form_text(form, "segment_value") or "",
    }


def _campaign_input(values: dict[str, Any]) -> dict[str, Any]:
    segment = {"kind": values["segment_kind"], "value": values["segment_value"] or None}
    fields = {k: values[k] for k in ("name", "subject", "content", "template_name")}
    return {**{k: v for k, v in fields.items() if v is not None}, "segment": segment}


@router.post("/newsletter/campaigns/new")
async def create_campaign(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    values = _campaign_values(await request.form())
    try:
        data = CampaignCreate.model_validate(_campaign_input(values))
        saved = await perform(
            session,
            caller,
            "newsletter.campaign_create",
            lambda: actions.create_campaign(session, data, caller.user),
        )
    except ValidationError as exc:
        return await _campaign_form(
            request, caller, session, values=values, error=validation_text(exc), status_code=422
        )
    except AppError as exc:
        return await _campaign_form(
            request, caller, session, values=values, error=problem_text(exc), status_code=422
        )
    return redirect(
        request,
        f"/admin/newsletter/campaigns/{saved.id}",
        flash=Flash("success", f"“{saved.name}” was created as a draft."),
    )


@router.post("/newsletter/campaigns/{campaign_id}")
async def update_campaign(
    campaign_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    values = _campaign_values(await request.form())
    campaign = await actions.campaign(session, campaign_id)
    try:
        data = CampaignWrite.model_validate(_campaign_input(values))
        await perform(
            session,
            caller,
            "newsletter.campaign_update",
            lambda: actions.update_campaign(session, campaign_id, data),
            target=str(campaign_id),
        )
    except ValidationError as exc:
        return await _campaign_form(
            request,
            caller,
            session,
            campaign=campaign,
            values=values,
            error=validation_text(exc),
            status_code=422,
        )
    except AppError as exc:
        return await _campaign_form(
            request,
            caller,
            session,
            campaign=campaign,
            values=values,
            error=problem_text(exc),
            status_code=exc.status_code,
        )
    return redirect(
        request, f"/admin/newsletter/campaigns/{campaign_id}", flash=Flash("success", "Saved.")
    )


@router.post("/newsletter/campaigns/{campaign_id}/{action}")
async def campaign_action(
    campaign_id: uuid.UUID,
    action: str,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    settings: AppSettings,
) -> Response:
    """test (a test send to a few addresses), send (now, or at send_at), cancel."""
    form = await request.form()
    url = f"/admin/newsletter/campaigns/{campaign_id}"
    try:
        if action == "test":
            to = [a.strip() for a in (form_text(form, "to") or "").split(",") if a.strip()]
            if not to or len(to) > 5:
                raise Unprocessable("Give one to five addresses, separated by commas.")
            sent = await perform(
                session,
                caller,
                "newsletter.test_send",
                lambda: actions.test_send(session, campaign_id, to, settings),
                target=str(campaign_id),
                to=to,
            )
            done = f"A test was sent to {sent} address{'es' if sent != 1 else ''}."
        elif action == "send":
            when = form_utc(form_text(form, "send_at"), "sendAt")
            await perform(
                session,
                caller,
                "newsletter.send",
                lambda: actions.send(session, campaign_id, when, settings),
                target=str(campaign_id),
                send_at=when.isoformat() if when else "now",
            )
            done = f"Scheduled for {when:%d %b %Y %H:%M} UTC." if when else "Sending has started."
        elif action == "cancel":
            row = await perform(
                session,
                caller,
                "newsletter.cancel",
                lambda: actions.cancel(session, campaign_id),
                target=str(campaign_id),
            )
            done = f"Cancelled: the campaign is {row.status.value}."
        else:
            raise Unprocessable("Unknown action.")
    except ValidationError as exc:
        return redirect(request, url, flash=Flash("error", validation_text(exc)))
    except AppError as exc:
        return redirect(request, url, flash=Flash("error", problem_text(exc)))
    return redirect(request, url, flash=Flash("success", done))


# --- email templates --------------------------------------------------------------------------


@router.get("/newsletter/templates")
async def template_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    return render(
        request,
        caller,
        "newsletter/templates.html",
        templates=await actions.email_templates(session),
    )


async def _template_page(
    request: Request,
    caller: Caller,
    session: DbSession,
    name: str,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    template = await actions.email_template(session, name)
    return render(
        request,
        caller,
        "newsletter/template.html",
        status_code=status_code,
        flash=Flash("error", error) if error else None,
        t=template,
        v=values
        or {
            "subject": template.subject,
            "text_body": template.text_body,
            "html_body": template.html_body,
        },
    )


@router.get("/newsletter/templates/{name}")
async def show_template(
    name: str, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await _template_page(request, caller, session, name)


@router.get("/newsletter/templates/{name}/preview.html")
async def template_preview(name: str, caller: AdminCaller, session: DbSession) -> Response:
    """The stored template rendered with its sample data."""
    rendered = await actions.preview_template(session, name, PreviewRequest())
    return _mail_page(rendered.html_body)


@router.post("/newsletter/templates/{name}")
async def save_template(
    name: str, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("subject", "text_body", "html_body")}
    try:
        data = TemplateSave.model_validate(values)
        await perform(
            session,
            caller,
            "email_template.save",
            lambda: actions.save_template(session, name, data, caller.user),
            target=name,
        )
    except ValidationError as exc:
        return await _template_page(
            request,
            caller,
            session,
            name,
            values=values,
            error=validation_text(exc),
            status_code=422,
        )
    except AppError as exc:
        return await _template_page(
            request,
            caller,
            session,
            name,
            values=values,
            error=problem_text(exc),
            status_code=exc.status_code,
        )
    return redirect(
        request,
        f"/admin/newsletter/templates/{name}",
        flash=Flash("success", "Saved: mails use it from now on."),
    )


@router.post("/newsletter/templates/{name}/revert")
async def revert_template(
    name: str, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    url = f"/admin/newsletter/templates/{name}"
    try:
        await perform(
            session,
            caller,
            "email_template.revert",
            lambda: actions.revert_template(session, name),
            target=name,
        )
    except AppError as exc:
        return redirect(request, url, flash=Flash("error", problem_text(exc)))
    return redirect(request, url, flash=Flash("success", "Back to the default."))
