"""The request a view behind ``login_required`` receives."""

from __future__ import annotations

from django.http import HttpRequest

from convivencia.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user is signed in: ``login_required`` sent everyone else to the login
    page before the view ran, so ``user`` is never the anonymous user."""

    user: User
