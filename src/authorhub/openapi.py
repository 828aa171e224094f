"""The OpenAPI document, made for generated clients (clients/typescript).

- Every operation's id is its endpoint's name in camelCase (`listBooks`, `placeOrder`): stable
  across path changes, unique (tests/system/test_openapi.py checks), readable in a client.
- Every operation declares its error answers with our one error body (`ErrorBody`), decided
  here from the route instead of on each endpoint: 422 when it takes input, 401/403 when it
  needs a signed-in caller, 404 when its path names something, and `default` (any other 4xx or
  5xx: 400, 409, 429, 503...).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from authorhub.auth import dependencies as auth
from authorhub.config import AppEnv, Settings
from authorhub.errors import ErrorBody

_SIGNED_IN = {
    auth.get_current_user,
    auth.get_verified_user,
    auth.get_admin_user,
    auth.get_moderator_user,
}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


def operation_id(route: APIRoute) -> str:
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


def _errors_of(route: APIRoute, operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    errors = {"default": _error("Error (400, 409, 429, 503, ...): the error body")}
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation or "422" in operation.get("responses", {}):
        errors["422"] = _error("Invalid input: `details` names each field")
    if _calls(route.dependant) & _SIGNED_IN:
        errors["401"] = _error("Not signed in, or the token is invalid")
        errors["403"] = _error("Not allowed (role, CSRF, unverified email)")
    if any(parameter.get("in") == "path" for parameter in parameters):
        errors["404"] = _error("Not found (or not yours)")
    return errors


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorBody"] = ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    # FastAPI's own validation models describe a body we never send.
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        path = schema["paths"].get(context.path_format or "", {})
        for method in route.methods or ():
            operation = path.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status, answer in _errors_of(route, operation).items():
                declared = responses.get(status, {}).get("description")
                keep = declared and status != "422"  # FastAPI's "Validation Error" is not ours
                responses[status] = {
                    **answer,
                    "description": declared if keep else answer["description"],
                }
    app.openapi_schema = schema
    return schema


def install_openapi(app: FastAPI) -> None:
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]


def openapi_json(settings: Settings | None = None) -> str:
    """The document as checked in (clients/typescript/openapi.json): sorted keys, 2 spaces,
    a final newline, so that a diff shows what changed."""
    from authorhub.app import create_app

    app = create_app(settings or Settings(app_env=AppEnv.test))
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
