"""A collector's ODK Collect password: the secret HTTP Digest logs in with.

Shown once, right after it is made (never stored in clear, never in a redirect or
the session); making a new one replaces the old one (``openrosa_auth.issue``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from convivencia.accounts.models import User
from convivencia.panels import openrosa_auth, permissions
from convivencia.panels.models import CollectCredential


@login_required
@require_http_methods(["GET", "POST"])
def collect_password(request: HttpRequest, code: str) -> HttpResponse:
    panel = permissions.collected_panel_or_404(request.user, code)
    user = request.user
    assert isinstance(user, User)  # login_required: never the anonymous user here
    password = openrosa_auth.issue(user, actor=user) if request.method == "POST" else ""
    server_url = request.build_absolute_uri(
        reverse("panels:collection:formlist", args=[panel.code])
    ).removesuffix("/formList")
    response = render(
        request,
        "panels/collect_password.html",
        {
            "panel": panel,
            "password": password,
            "has_password": bool(password) or CollectCredential.objects.filter(user=user).exists(),
            "server_url": server_url,
        },
    )
    if password:
        response["Cache-Control"] = "no-store"  # the page holds a secret
    return response
