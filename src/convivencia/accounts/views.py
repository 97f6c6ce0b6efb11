from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from convivencia.accounts import access, audit, services
from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.forms import NotificationSettingsForm
from convivencia.accounts.models import ApiToken, AuditEntry, Organisation
from convivencia.accounts.requests import AuthenticatedHttpRequest


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            AuditAction.UPDATE,
            self.request.user,
            request=self.request,
            changes={"password": ["***", "***"]},
        )
        # The new password revoked the API tokens (User.save): say so, scripts will stop.
        messages.success(
            self.request, _("Your password was changed. Your API tokens were revoked.")
        )
        return response

    def get_success_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:profile")


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = (
        request.user.memberships.active()
        .select_related("organisation")
        .prefetch_related("territories")
    )
    tokens = request.user.api_tokens.live().order_by("-created_at")
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": memberships,
            "tokens": tokens,
            "new_token": request.session.pop("new_api_token", None),
            "token_days": settings.API_TOKEN_DAYS,
            "token_max_days": settings.API_TOKEN_MAX_DAYS,
            "notification_form": NotificationSettingsForm(instance=request.user),
        },
    )


@login_required
@require_POST
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    before = request.user.email_notifications
    form = NotificationSettingsForm(request.POST, instance=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose how you want to receive notifications by e-mail."))
        return redirect("accounts:profile")
    user = form.save()
    if user.email_notifications != before:
        audit.record(
            AuditAction.UPDATE,
            user,
            request=request,
            changes={"email_notifications": [before, user.email_notifications]},
        )
    messages.success(request, _("Your notification settings were saved."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    name = (request.POST.get("name") or "").strip()[:100]
    if not name:
        messages.error(request, _("Give the token a name, so you can recognise it later."))
        return redirect("accounts:profile")
    days = _token_days(request.POST.get("days"))
    if days is None:
        messages.error(
            request,
            _("A token is valid for 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS},
        )
        return redirect("accounts:profile")
    token, clear = ApiToken.issue(request.user, name, days)
    audit.record(
        AuditAction.CREATE,
        token,
        request=request,
        changes={"expires_at": token.expires_at.isoformat()},
    )
    # Shown once on the next page, then gone.
    request.session["new_api_token"] = clear
    return redirect("accounts:profile")


def _token_days(value: str | None) -> int | None:
    """Days a new token lasts: the default when left empty, None when out of range."""
    if value is None or not value.strip():
        return settings.API_TOKEN_DAYS
    try:
        days = int(value)
    except ValueError:
        return None
    return days if 1 <= days <= settings.API_TOKEN_MAX_DAYS else None


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens.live(), pk=token_id)
    services.revoke_token(token, request=request)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:profile")


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.visible_to(request.user).select_related("country")
    return render(request, "accounts/organisation_list.html", {"organisations": organisations})


@login_required
def organisation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    members = services.members_visible_to(request.user, organisation)
    if members:
        audit.record_read(request, organisation, fields=["members.name", "members.email"])
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "members": members,
        },
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not access.is_administrator(request.user):
        raise_404()
    entries = AuditEntry.objects.select_related("actor")[:500]
    return render(request, "accounts/audit_log.html", {"entries": entries, "roles": Role})


def raise_404() -> None:
    from django.http import Http404

    raise Http404
