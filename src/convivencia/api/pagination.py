"""Page-number pagination for every list endpoint.

Use it with ninja's decorator::

    @router.get("/", response=list[ThingOut])
    @paginate(PageNumberPagination)
    def things(request): ...

Query parameters ``page`` (from 1) and ``page_size`` (default 50, at most 500);
out-of-range values are refused with 400 rather than quietly corrected, so a
client never believes it received something it did not ask for. The answer::

    {"count": 120, "next": "https://…?page=3", "previous": "https://…?page=1",
     "results": [...]}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import ngettext
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from convivencia.api.errors import ApiError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class PageParameters(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Results per page, at most {MAX_PAGE_SIZE}.",
    )


class PageNumberPagination(PaginationBase):
    """``page`` and ``page_size`` in, ``count``/``next``/``previous``/``results`` out."""

    # ninja looks for ``Input``; the class keeps a readable name in the OpenAPI schema.
    Input = PageParameters  # type: ignore[assignment]  # ninja reads the schema from Input

    class Output(Schema):
        count: int
        next: str | None
        previous: str | None
        results: list[Any]

    items_attribute = "results"

    def __init__(
        self,
        *,
        prepare: Callable[[list[Any]], None] | None = None,
        **kwargs: Any,
    ) -> None:
        # ``prepare`` loads, for the whole page at once, what prefetch_related
        # cannot (ancestor names, for instance), keeping the query count flat.
        self.prepare = prepare
        super().__init__(**kwargs)

    def paginate_queryset(
        self,
        queryset: QuerySet | Sequence[Any],
        pagination: PageParameters,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        # ninja's helper counts a list too (len); its annotation says QuerySet only.
        count = self._items_count(queryset)  # type: ignore[arg-type]
        page, size = pagination.page, pagination.page_size
        pages = max(1, math.ceil(count / size))
        if page > pages:
            raise ApiError(
                404,
                ngettext(
                    "Page %(page)d does not exist: there is %(pages)d page.",
                    "Page %(page)d does not exist: there are %(pages)d pages.",
                    pages,
                )
                % {"page": page, "pages": pages},
            )
        start = (page - 1) * size
        results = list(queryset[start : start + size])
        if self.prepare is not None:
            self.prepare(results)
        return {
            "count": count,
            "next": page_url(request, page + 1) if page < pages else None,
            "previous": page_url(request, page - 1) if page > 1 else None,
            "results": results,
        }


def page_url(request: HttpRequest, page: int) -> str:
    """This request's absolute URL with another page number, other parameters kept."""
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
