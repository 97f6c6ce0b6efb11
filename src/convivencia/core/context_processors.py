from django.conf import settings
from django.http import HttpRequest

from convivencia.accounts import access
from convivencia.core.models import DemoDataset


def shell(request: HttpRequest) -> dict:
    """What every page's frame needs: the demo mark and the user's roles."""
    return {
        "demo_data_loaded": DemoDataset.objects.exists(),
        "user_roles": access.roles(getattr(request, "user", None)),
        "unread_notifications": _unread(request),
        "languages": settings.LANGUAGES,
    }


def _unread(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return user.notifications.unread().count()
