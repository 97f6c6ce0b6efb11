"""The versioned JSON API: /api/v1/.

Each app owns its endpoints in ``<app>/api.py`` (a ninja ``Router``) and is
mounted here. What every endpoint shares lives next door: ``auth`` (who is
calling), ``errors`` (one error body) and ``pagination`` (one page shape).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.types import DictStrAny

from convivencia.api import errors
from convivencia.api.auth import PUBLIC, Anonymous
from convivencia.api.me import router as me_router
from convivencia.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from convivencia.territories.api import router as territories_router

DESCRIPTION = f"""
The JSON API of Convivencia: territories today; evidence, perception panels,
crime indicators and commitments as they arrive. Everything the website shows
comes from the same services, and the same access rules apply.

## Authentication

* **Anonymous**: public endpoints (territories, published aggregates) answer
  without credentials.
* **API token** (`TokenAuth`): send `Authorization: Bearer <token>`
  (`Authorization: Token <token>` also works). Create a token on your account
  page; it is shown once and stored only as a digest. A wrong or revoked token
  is refused with `401` even on public endpoints, so a broken integration is
  noticed instead of quietly receiving public data only.
* **Session** (`SessionAuth`): pages of this site may call the API with the
  browser's session cookie. `POST`, `PUT`, `PATCH` and `DELETE` must then send
  the `X-CSRFToken` header.

## What you see

Results depend on your memberships: a role in a territory covers everything
below it. An object outside your scope answers `404`, exactly like an object
that does not exist, so that nobody learns which records exist by probing.
`GET /api/v1/me` shows your roles and memberships.

## Pagination

List endpoints take `page` (from 1) and `page_size` (default {DEFAULT_PAGE_SIZE},
at most {MAX_PAGE_SIZE}) and answer
`{{"count": …, "next": url|null, "previous": url|null, "results": […]}}`.
Follow `next` until it is `null`. Out-of-range values are refused with `400`;
a page past the last one answers `404`.

## Errors

Every error has the same body, whatever went wrong:

```json
{{"error": {{
  "code": "validation_error",
  "message": "The request is not valid.",
  "details": [
    {{"loc": ["query", "page_size"], "message": "Input should be less than or equal to 500"}}
  ]
}}}}
```

| status | code | when |
|---|---|---|
| 400 | `validation_error` | a parameter or body field is not valid (`details` says which) |
| 400 | `bad_request` | the request cannot be processed as sent |
| 401 | `unauthorized` | login required, or the token sent is wrong or revoked |
| 403 | `forbidden` | not allowed, or a session call without its CSRF token |
| 404 | `not_found` | no such object, outside your scope, or no such URL |
| 405 | `method_not_allowed` | the URL exists but not for this method |
| 500 | `server_error` | our fault; it has been logged |

`message` is written for people, in the language of the request
(`Accept-Language`); programs should rely on `code`.

## Privacy

Perception-panel and survey results are only published as aggregates, and a
cell with fewer than {settings.MIN_CELL_SIZE} respondents is suppressed
(k-anonymity), also in the API. No endpoint returns personal data to anonymous
callers, and every read of personal data is recorded in the audit log with who
read which fields.
"""


class _OpenAPISchema(OpenAPISchema):
    def operation_security(self, operation: Operation) -> list[DictStrAny] | None:
        security = super().operation_security(operation)
        # OpenAPI's way to say "credentials optional": an empty requirement.
        if security is not None and any(
            isinstance(callback, Anonymous) for callback in operation.auth_callbacks
        ):
            security.append({})
        return security

    def _extract_parameters(self, model: Any) -> list[DictStrAny]:
        parameters = super()._extract_parameters(model)
        for parameter in parameters:
            # ninja copies a field's JSON Schema ``examples`` (a list) to the parameter,
            # where OpenAPI wants a map of Example objects; validators and Swagger UI refuse
            # the list, so it becomes the parameter's ``example`` (or a map, for several).
            examples = parameter.get("examples")
            if isinstance(examples, list):
                del parameter["examples"]
                if len(examples) == 1:
                    parameter["example"] = examples[0]
                elif examples:
                    parameter["examples"] = {
                        f"example{number}": {"value": value}
                        for number, value in enumerate(examples, start=1)
                    }
        return parameters


def _json_method_not_allowed(view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    """ninja answers a wrong method with a bare text 405; give it the error body."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            json_response = errors.response(
                405, _("This URL does not accept %(method)s.") % {"method": request.method}
            )
            json_response["Allow"] = response["Allow"]
            return json_response
        return response

    return wrapper


def _read_only(view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    """GET/HEAD only, 405 with the error body otherwise.

    csrf_exempt because these views change nothing: without it, a POST would
    meet Django's HTML CSRF page before our JSON 405.
    """
    return csrf_exempt(_json_method_not_allowed(require_safe(view)))


def api_root(request: HttpRequest) -> JsonResponse:
    """/api/v1/ itself: where the documentation is."""
    return JsonResponse(
        {
            "title": api.title,
            "version": api.version,
            "docs": request.build_absolute_uri(reverse("api-v1:openapi-view")),
            "openapi": request.build_absolute_uri(reverse("api-v1:openapi-json")),
        }
    )


class ConvivenciaAPI(NinjaAPI):
    """NinjaAPI with optional auth in the OpenAPI schema and JSON bodies for every URL."""

    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: DictStrAny | None = None,
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _OpenAPISchema(self, path_prefix)

    @property
    def urls(self) -> tuple[list[URLPattern | URLResolver], str, str]:
        patterns, app_name, namespace = super().urls
        routes: list[URLPattern | URLResolver] = []
        for pattern in patterns:
            if not isinstance(pattern, URLPattern):
                routes.append(pattern)
            elif pattern.name == "api-root":
                # ninja's root raises a bare Http404 (an HTML page); ours says where the docs are.
                routes.append(path("", _read_only(api_root), name="api-root"))
            elif pattern.name in ("openapi-json", "openapi-view"):
                routes.append(_replace_view(pattern, _read_only(pattern.callback)))
            else:
                routes.append(_replace_view(pattern, _json_method_not_allowed(pattern.callback)))
        # Last: whatever nothing above matched still gets the JSON error body.
        routes.append(
            re_path(r"^(?P<unmatched>.*)$", csrf_exempt(errors.not_found_view), name="not-found")
        )
        return routes, app_name, namespace


def _replace_view(pattern: URLPattern, view: Callable[..., Any]) -> URLPattern:
    return URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)


api = ConvivenciaAPI(
    title="Convivencia API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Served from ninja's own static files (not a CDN); the validator badge is
    # switched off because it would send the schema's URL to swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    auth=PUBLIC,
)
errors.install(api)

api.add_router("/territories/", territories_router)
api.add_router("/interventions/", "convivencia.evidence.api.router")
api.add_router("/indicators/", "convivencia.indicators.api.router")
api.add_router("/panels/", "convivencia.panels.api.router")
api.add_router("/dialogues/", "convivencia.dialogues.api.router")
api.add_router("/studies/", "convivencia.studies.api.router")
api.add_router("/network/", "convivencia.network.api.router")
api.add_router("/reports/", "convivencia.reports.api.router")
api.add_router("/", me_router)
