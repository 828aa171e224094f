"""AppError and the one error body every failure uses.

    {"success": false, "error": "<human message>", "code": "<machine_code>", "details": ...}

Services raise AppError subclasses; the handlers below turn them (and framework errors) into
that body with the right status. A 500 carries the request id and nothing about the internals.
"""

from __future__ import annotations

from typing import Any, Literal

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from authorhub.db import is_database_unavailable

log = structlog.get_logger("authorhub.errors")


class AppError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status_code: int | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.status_code = status_code or self.status_code
        self.details = details
        self.headers = headers
        super().__init__(self.message)


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class Unauthorized(AppError):
    status_code = 401
    code = "not_authenticated"
    message = "Authentication required."


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class Unprocessable(AppError):
    status_code = 422
    code = "validation_error"
    message = "The request is invalid."


class TooManyRequests(AppError):
    status_code = 429
    code = "rate_limited"
    message = "Too many requests. Try again later."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"
    message = "The service is temporarily unavailable. Try again shortly."


class ErrorBody(BaseModel):
    """Every error answer (the OpenAPI document declares it on every operation)."""

    success: Literal[False] = False
    error: str = Field(description="a message for people")
    code: str = Field(description="a stable machine code, e.g. book_not_found")
    details: Any = Field(
        None, description="validation: [{field, message, type}]; otherwise code-specific"
    )


def error_body(message: str, code: str, details: Any = None) -> dict[str, Any]:
    return {"success": False, "error": message, "code": code, "details": details}


def error_response(
    status_code: int,
    message: str,
    code: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(message, code, details), status_code=status_code, headers=headers
    )


_HTTP_CODES = {
    400: ("bad_request", "The request could not be processed."),
    401: ("not_authenticated", "Authentication required."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Unsupported media type."),
}


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(exc.status_code, exc.message, exc.code, exc.details, exc.headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        return error_response(400, "The request body is not valid JSON.", "invalid_json")
    details = [
        {
            "field": _field_path(err.get("loc", ())),
            "message": err.get("msg", ""),
            "type": err.get("type"),
        }
        for err in errors
    ]
    fields = ", ".join(d["field"] for d in details[:5])
    return error_response(422, f"Invalid input: {fields}.", "validation_error", details)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "The request failed."))
    if isinstance(exc.detail, str) and exc.status_code not in (404, 405):
        message = exc.detail
    return error_response(exc.status_code, message, code, headers=getattr(exc, "headers", None))


def unexpected_error_response(exc: BaseException, request_id: str | None) -> JSONResponse:
    """The answer to an exception nothing else handled: 503 when the database is unreachable,
    otherwise 500 with the request id and nothing about the internals."""
    if is_database_unavailable(exc):
        log.warning("database_unavailable", error=type(exc).__name__)
        return error_response(
            503,
            "The database is unavailable. Try again shortly.",
            "database_unavailable",
            {"requestId": request_id},
            headers={"Retry-After": "5"},
        )
    log.error("unhandled_error", error=type(exc).__name__, exc_info=exc)
    return error_response(
        500,
        "Something went wrong on our side. Quote the request id if you contact support.",
        "internal_error",
        {"requestId": request_id},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Expected errors are answered here; anything else is answered by RequestContextMiddleware
    (so even a 500 carries the request id and the security headers)."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
