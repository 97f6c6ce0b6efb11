"""The API documentation page in a real browser: Swagger UI reads our schema without a
parser error, lists the operations, and loads nothing from another host."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_api_docs_list_the_operations_without_a_console_error(page, live_server) -> None:
    console_errors: list[str] = []
    foreign_requests: list[str] = []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    page.on(
        "request",
        lambda request: (
            not request.url.startswith(live_server.url) and foreign_requests.append(request.url)
        ),
    )

    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".opblock").first.wait_for()

    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any(
        "/api/v1/indicators/{code}/values" in path.replace("\u200b", "") for path in paths
    ), paths
    assert any("/api/v1/territories/" in path.replace("\u200b", "") for path in paths), paths
    assert page.locator(".errors-wrapper").count() == 0, page.locator(
        ".errors-wrapper"
    ).all_inner_texts()
    assert "Parser error" not in page.content()
    assert console_errors == []
    assert foreign_requests == []
