from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from convivencia.core.models import Notification


def _user_id(request: HttpRequest) -> int:
    # Only views behind login_required ask, and a signed-in user has an id.
    user_id = request.user.pk
    assert user_id is not None
    return user_id


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user_id=_user_id(request))[:200]
    return render(request, "core/notifications.html", {"notifications": notifications})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.filter(user_id=_user_id(request)), pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("core:notifications")
