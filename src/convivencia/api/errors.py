"""One error body for the whole API.

Every failure under /api/v1/ answers with the same shape, so that a client
needs one error handler::

    {"error": {"code": "not_found", "message": "Not found.", "details": []}}

``code`` is stable and meant for programs; ``message`` is for people and is
translated into the request's language; ``details`` lists what exactly was
wrong (for validation errors: ``{"loc": [...], "message": ...}`` per problem).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)

# The codes a client may rely on. Statuses without a name of their own fall
# back to a slug of the HTTP reason phrase (429 → "too_many_requests").
CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    500: "server_error",
}
VALIDATION_ERROR = "validation_error"


class ErrorDetail(Schema):
    code: str
    message: str
    details: list[dict[str, Any]]


class ErrorBody(Schema):
    """The body of every error response (documented in the OpenAPI schema)."""

    error: ErrorDetail


class ApiError(HttpError):
    """Raise from an endpoint to answer with an error body of one's choosing."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(status, message)
        self.code = code or code_for(status)
        self.details = [dict(detail) for detail in details]


class Unauthorized(AuthenticationError):
    """401 with a message saying what was wrong with the credentials sent."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message)


def invalid(loc: Sequence[str | int], message: str) -> ValidationError:
    """A validation error about one input, shaped like ninja's own.

    Endpoints raise it for checks the schema cannot express (an id that does
    not exist), so that the client sees the same 400 body either way.
    """
    return ValidationError([{"loc": tuple(loc), "msg": message, "type": "value_error"}])


def code_for(status: int) -> str:
    if status in CODES:
        return CODES[status]
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def body(code: str, message: str, details: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": [dict(d) for d in details]}}


def response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    details: Sequence[Mapping[str, Any]] = (),
) -> JsonResponse:
    """An error response built outside ninja (plain Django views under /api/v1/)."""
    return JsonResponse(body(code or code_for(status), message, details), status=status)


def validation_details(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """ninja's error list, trimmed to where (``loc``) and what (``message``)."""
    return [
        {"loc": list(error.get("loc", ())), "message": str(error.get("msg", ""))}
        for error in errors
    ]


def not_found_message(request: HttpRequest) -> str:
    """ "Not found", with a hint when only the trailing slash is missing."""
    path = request.path
    if not path.endswith("/"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not-found":
            return _("Not found. Did you mean %(path)s?") % {"path": path + "/"}
    return _("Not found.")


def not_found_view(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """The catch-all at the end of /api/v1/: unknown URLs get the JSON body too."""
    return response(404, not_found_message(request))


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers (``{"detail": ...}``) with ours."""

    def respond(
        request: HttpRequest,
        status: int,
        code: str,
        message: str,
        details: Sequence[Mapping[str, Any]] = (),
    ) -> HttpResponse:
        return api.create_response(request, body(code, message, details), status=status)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        # 400 rather than ninja's 422: to a client both mean "fix your request".
        return respond(
            request,
            400,
            VALIDATION_ERROR,
            _("The request is not valid."),
            validation_details(exc.errors),
        )

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        # ninja raises a bare AuthenticationError when no scheme accepted the
        # request; ours (Unauthorized) says what was wrong with what was sent.
        message = (
            exc.message
            if isinstance(exc, Unauthorized)
            else _("Authentication is required: send a valid API token or log in.")
        )
        reply = respond(request, 401, "unauthorized", message)
        reply["WWW-Authenticate"] = 'Bearer realm="api"'
        return reply

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, ApiError):
            return respond(request, exc.status_code, exc.code, exc.message, exc.details)
        # ninja's own messages ("CSRF check Failed", "Too many requests.") are
        # English constants; translate the ones people meet.
        messages = {
            403: _("You may not do this."),
            429: _("Too many requests. Try again later."),
        }
        message = messages.get(exc.status_code, str(exc))
        return respond(request, exc.status_code, code_for(exc.status_code), message)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # Never echo the exception text: "No Territory matches…" names models,
        # and objects outside the caller's scope must look like missing ones.
        return respond(request, 404, "not_found", _("Not found."))

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, "forbidden", _("You may not do this."))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled error in API call %s %s", request.method, request.path)
        details = [{"exception": repr(exc)}] if settings.DEBUG else []
        return respond(
            request,
            500,
            "server_error",
            _("Something went wrong on our side. It has been logged."),
            details,
        )

    # ninja's annotation wants each handler to take the exception or its class; ours take
    # the exception, which is what ninja passes.
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (ValidationError, on_validation_error),
        (AuthenticationError, on_authentication_error),
        (HttpError, on_http_error),
        (Http404, on_not_found),
        (PermissionDenied, on_permission_denied),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
